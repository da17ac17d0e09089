import type { AuditEntry } from '#commons/admin/ports';
import type { StoredItem } from './item-fields.ts';
import { type AuditSubject, keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { toEpochSeconds } from './ttl.ts';

/**
 * The audit record of one admin action (`AUDIT#<auditId>`): who (the IAM principal), what, on
 * which ids, and how it ended. Written once, never updated; kept until its TTL, or until the person
 * it names is erased: a record whose path named a person (`userId`, else `facebookUserId`) is in
 * the `byUser` index under them, where data deletion finds it.
 */
export function auditItem(auditId: string, entry: AuditEntry, retentionMs: number): StoredItem {
  const subject = auditSubjectOf(entry.target);
  return {
    ...keys.audit(auditId),
    ...(subject ? keys.personAudit(subject, entry.at, auditId) : {}),
    entity: 'audit',
    auditId,
    action: entry.action,
    principal: entry.operator.principal,
    accountId: entry.operator.accountId,
    target: { ...entry.target },
    outcome: entry.outcome,
    ...(entry.errorCode !== undefined ? { errorCode: entry.errorCode } : {}),
    ...(entry.detail !== undefined ? { detail: { ...entry.detail } } : {}),
    at: entry.at,
    [TTL_ATTRIBUTE]: toEpochSeconds(entry.at + retentionMs),
  };
}

/** The person an admin action's path named, if any. */
export function auditSubjectOf(target: Readonly<Record<string, string>>): AuditSubject | undefined {
  if (target.userId) return { userId: target.userId };
  if (target.facebookUserId) return { facebookUserId: target.facebookUserId };
  return undefined;
}
