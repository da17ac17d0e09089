import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from '#commons/platform/zod';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { auditEnv, envOf, revocationEnv, storeEnv } from '#commons/platform/config';
import { AuditStore } from '#commons/storage/audit-store';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SessionStore } from '#commons/storage/session-store';
import type { AuditLog } from './ports.ts';

/** What every admin function needs: the table, and how long revocation and audit records are kept. */
export const adminEnv = envOf(storeEnv, revocationEnv, auditEnv);
export type AdminConfig = z.output<typeof adminEnv>;

const DAY_MS = 24 * 3600 * 1000;

/** The admin functions' stores, built once per cold start; each function uses what it needs. */
export interface AdminAccess {
  readonly audit: AuditLog;
  /** Reads people and lists their sessions (also `listing`, by the port's name). */
  readonly listing: SessionStore;
  readonly sessions: SessionStore;
  readonly revocations: RevocationStore;
}

/** The audit log every admin action is kept in. */
export function createAuditLog(config: Pick<AdminConfig, 'TABLE_NAME' | 'AUDIT_RETENTION_DAYS'>, doc: DynamoDBDocumentClient): AuditLog {
  return new AuditStore(doc, config.TABLE_NAME, { retentionMs: config.AUDIT_RETENTION_DAYS * DAY_MS });
}

export function createAdminAccess(config: AdminConfig, doc: DynamoDBDocumentClient = createDocumentClient()): AdminAccess {
  const sessions = new SessionStore(doc, config.TABLE_NAME);
  return {
    audit: createAuditLog(config, doc),
    listing: sessions,
    sessions,
    revocations: new RevocationStore(doc, config.TABLE_NAME, { retentionMs: config.REVOCATION_RETENTION_DAYS * DAY_MS }),
  };
}
