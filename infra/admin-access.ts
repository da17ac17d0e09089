import type { SessionGuardFunction } from './session-guard-function.ts';
import type { SessionTable } from './session-table.ts';

export interface AdminAccessSettings {
  readonly sessions: SessionTable;
  /** Days a revocation record is kept (the same for every function that revokes). */
  readonly revocationRetentionDays: number;
  /** Days an admin audit record is kept. */
  readonly auditRetentionDays: number;
  /** Lets an inventory admin function start the inventory checker (`CredentialInventory.grantCheckerInvoke`). */
  readonly grantCheckerInvoke: (fn: SessionGuardFunction) => void;
}

/**
 * What each admin function (functions/admin-routes.ts) may touch, one entry per function, in the
 * stack's `access` table. Each writes its audit records (`AUDIT#` items only) and nothing of
 * Facebook or KMS: operators end sessions, they never read tokens.
 */
export function adminAccess(settings: AdminAccessSettings): Record<string, (fn: SessionGuardFunction) => void> {
  const { sessions } = settings;
  const audited = (fn: SessionGuardFunction) => {
    sessions.grantAuditRecord(fn);
    fn.addEnvironment('AUDIT_RETENTION_DAYS', String(settings.auditRetentionDays));
  };
  const revoking = (fn: SessionGuardFunction) => {
    sessions.grantRevocation(fn);
    fn.addEnvironment('REVOCATION_RETENTION_DAYS', String(settings.revocationRetentionDays));
  };
  /** Reads the person (GetItem on the user or the Facebook-id link) and lists their sessions. */
  const listing = (fn: SessionGuardFunction) => {
    sessions.grantPersonLookup(fn);
    sessions.grantUserSessionsQuery(fn);
  };
  const auditedListing = (fn: SessionGuardFunction) => {
    listing(fn);
    audited(fn);
  };
  const inventoryEntries = (fn: SessionGuardFunction) => {
    sessions.grantInventory(fn);
    audited(fn);
  };
  const startsChecker = (fn: SessionGuardFunction) => {
    settings.grantCheckerInvoke(fn);
    audited(fn);
  };
  return {
    'admin-user-sessions': auditedListing,
    'admin-facebook-user-sessions': auditedListing,
    'admin-end-session': (fn) => {
      revoking(fn);
      audited(fn);
    },
    'admin-offboard-user': (fn) => {
      listing(fn);
      revoking(fn);
      audited(fn);
      // Its `credentials` step marks the person's inventory entries revoke_pending.
      sessions.grantInventory(fn);
    },
    // The credential inventory: its own partition of the table; the secrets stay the checker's.
    'admin-inventory-add': inventoryEntries,
    'admin-inventory-list': inventoryEntries,
    'admin-inventory-show': inventoryEntries,
    'admin-inventory-offboard': inventoryEntries,
    'admin-inventory-check': startsChecker,
    'admin-inventory-revoke': startsChecker,
  };
}
