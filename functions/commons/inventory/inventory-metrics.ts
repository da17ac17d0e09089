import type { CredentialFlag } from './model.ts';

/**
 * Metric names of the credential inventory, in one place (namespace `SessionGuard`, like the
 * rest). One metric per flag, emitted by every run with the number of entries carrying it (zero
 * included, so an alarm on it has data), plus the run's own counts.
 */
export const FLAG_METRICS: Readonly<Record<CredentialFlag, string>> = {
  invalid: 'InventoryInvalid',
  expiring_soon: 'InventoryExpiringSoon',
  never_expiring_too_old: 'InventoryNeverExpiringTooOld',
  secret_too_old: 'InventorySecretTooOld',
  scopes_beyond_expected: 'InventoryScopesBeyondExpected',
  assets_beyond_expected: 'InventoryAssetsBeyondExpected',
  no_owner: 'InventoryNoOwner',
  owner_offboarded: 'InventoryOwnerOffboarded',
  not_checked: 'InventoryNotChecked',
};

export const RUN_METRICS = {
  checked: 'InventoryChecked',
  uncheckable: 'InventoryUncheckable',
  closed: 'InventoryRevocationsClosed',
  revokePending: 'InventoryRevokePending',
  graphRequests: 'InventoryGraphRequests',
} as const;

/** Where the counts go: Powertools Metrics in Lambda, a plain recorder in tests. */
export interface InventoryMetrics {
  count(name: string, value: number): void;
}
