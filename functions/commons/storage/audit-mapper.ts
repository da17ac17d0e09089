import type { AuditEntry } from '#commons/admin/ports';
import type { StoredItem } from './item-fields.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { toEpochSeconds } from './ttl.ts';

/**
 * The audit record of one admin action (`AUDIT#<auditId>`): who (the IAM principal), what, on
 * which ids, and how it ended. Written once, never updated; kept until its TTL.
 */
export function auditItem(auditId: string, entry: AuditEntry, retentionMs: number): StoredItem {
  return {
    ...keys.audit(auditId),
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
