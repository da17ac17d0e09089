import { EmfMetrics, MetricUnit } from './emf.ts';

/**
 * Every CloudWatch metric Session Guard emits, declared once: functions emit them through this
 * module, infra/operations.ts graphs and alarms on them, docs/runbook.md explains them. CloudWatch
 * embedded metric format (EMF), namespace `SessionGuard`, every metric with the `service` dimension,
 * written by emf.ts in the shape Powertools Metrics writes.
 *
 * A name ending in `By<X>` carries one more dimension (`<x>`) and is emitted beside its total, so
 * alarms and graphs can use the total without knowing every value the dimension takes.
 */
export const METRICS_NAMESPACE = 'SessionGuard';
/** The `service` dimension (and log field) every function gets from the stack; infra builds alarms on it. */
export const DEFAULT_SERVICE_NAME = 'session-guard';
export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULT_SERVICE_NAME;

export const MetricName = {
  // Sign-in (POST /v1/sessions, the browser callback).
  /** A session opened; dimension `channel`: `mobile` (session-info token sent) or `web`. */
  SessionsCreated: 'SessionsCreated',
  /** A sign-in refused (any 4xx or 5xx); total. */
  SignInRefused: 'SignInRefused',
  /** The same, dimension `code`: the error code the client got. */
  SignInRefusedByCode: 'SignInRefusedByCode',
  /** A sign-in that failed on our or Facebook's side (5xx); total. The sign-in error rate alarm. */
  SignInErrors: 'SignInErrors',

  // The Graph API (every call, from any function).
  /** Milliseconds per Graph request, answered or not. */
  GraphLatency: 'GraphLatency',
  /** A Graph request that failed (HTTP status over 299, timeout, network); total. */
  GraphErrors: 'GraphErrors',
  /** The same, dimension `code`: Facebook's error code, or `http_<status>`, `timeout`, `network`. */
  GraphErrorsByCode: 'GraphErrorsByCode',
  /** Highest `X-App-Usage` figure (percent of the app's rate limit) seen in an answer. */
  GraphAppUsagePercent: 'GraphAppUsagePercent',

  // Revocations, whoever revokes (the sweep, the deauthorize callback).
  /** Sessions revoked; total. */
  SessionsRevoked: 'SessionsRevoked',
  /** The same, dimension `reason` (password_changed, app_removed, ...). */
  SessionsRevokedByReason: 'SessionsRevokedByReason',

  // The revalidation sweep (per share, from the worker).
  SessionsChecked: 'SessionsChecked',
  SessionsValid: 'SessionsValid',
  SessionsDeferred: 'SessionsDeferred',
  SessionCheckErrors: 'SessionCheckErrors',
  SessionsSkipped: 'SessionsSkipped',
  SweepSharesFailed: 'SweepSharesFailed',
  /** A share checked to its end (no continuation queued, not failed). */
  SweepSharesCompleted: 'SweepSharesCompleted',
  SweepSharesStoppedForAppUsage: 'SweepSharesStoppedForAppUsage',
  SweepDynamoReadUnits: 'SweepDynamoReadUnits',
  SweepDynamoWriteUnits: 'SweepDynamoWriteUnits',
  /**
   * A shard of the sweep index checked to its end: its pass is complete and its cursor wrapped to
   * the head (counted once per pass, by the run whose write ended it). From the worker.
   */
  SweepPassesCompleted: 'SweepPassesCompleted',
  /**
   * How far behind the sweep is: the age in seconds of the oldest shard pass still in progress (a
   * shard at its head counts from the end of its last pass). From the dispatcher, once per sweep;
   * healthy, it stays under one sweep interval.
   */
  SweepLagSeconds: 'SweepLagSeconds',
  /** The sweep stopped revoking because too many sessions were found dead at once. Emitted by the revalidation capability. */
  MassRevocationGuardTripped: 'MassRevocationGuardTripped',

  // Something is set up wrong.
  /** Facebook refuses our app credentials (app id, secret, redirect URI); dimension-free. */
  Misconfigured: 'Misconfigured',
  /** A sweep share stopped because Facebook refused our credentials or app; alarm on any. */
  SweepSharesMisconfigured: 'SweepSharesMisconfigured',
  /** Facebook answered about a session in a shape that is no verdict; the session was deferred. */
  SessionsUnrecognisedAnswer: 'SessionsUnrecognisedAnswer',

  // Facebook's callbacks and re-authentication.
  /** A deauthorize or data-deletion call whose signed_request did not verify; total. */
  SignedRequestsRefused: 'SignedRequestsRefused',
  /** A nonce presented twice (re-authentication). Emitted by the re-authentication capability. */
  NonceReplay: 'NonceReplay',
  /** A re-authentication Facebook reported with our nonce but no `auth_type`; accepted on the nonce alone (docs/reauth.md). */
  ReauthWithoutAuthType: 'ReauthWithoutAuthType',

  // The long-lived credential inventory (the daily check, from the checker). Every run emits each
  // flag's count of entries, zero included, so an alarm on it always has data (docs/inventory.md).
  /** Facebook says the token is not valid. */
  InventoryInvalid: 'InventoryInvalid',
  /** The token expires within INVENTORY_EXPIRING_WITHIN_DAYS. */
  InventoryExpiringSoon: 'InventoryExpiringSoon',
  /** A never-expiring token not rotated for longer than its rotation age. */
  InventoryNeverExpiringTooOld: 'InventoryNeverExpiringTooOld',
  /** The app secret not rotated for longer than APP_SECRET_MAX_AGE_DAYS. */
  InventorySecretTooOld: 'InventorySecretTooOld',
  /** A token reaches scopes its entry does not expect. */
  InventoryScopesBeyondExpected: 'InventoryScopesBeyondExpected',
  /** A token reaches assets (pages, ad accounts, ...) its entry does not expect. */
  InventoryAssetsBeyondExpected: 'InventoryAssetsBeyondExpected',
  /** An entry that names no owner. */
  InventoryNoOwner: 'InventoryNoOwner',
  /** An entry whose owner was offboarded. */
  InventoryOwnerOffboarded: 'InventoryOwnerOffboarded',
  /** An entry that missed two runs (secret unreadable, Facebook unavailable). */
  InventoryNotChecked: 'InventoryNotChecked',
  /** Entries a run checked with Facebook. */
  InventoryChecked: 'InventoryChecked',
  /** Entries a run could not check. */
  InventoryUncheckable: 'InventoryUncheckable',
  /** Pending revocations a run closed because Facebook called the token invalid. */
  InventoryRevocationsClosed: 'InventoryRevocationsClosed',
  /** Entries still waiting for their revocation after a run. */
  InventoryRevokePending: 'InventoryRevokePending',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** The one metrics writer of a function. Never put a token, a user id or anything per person in a dimension or metadata. */
export const metrics = new EmfMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

export type MetricsSink = Pick<EmfMetrics, 'addMetric' | 'addMetadata' | 'publishStoredMetrics' | 'singleMetric' | 'hasStoredMetrics'>;

/** Adds `value` to a total, published with the invocation's other metrics by `flushMetrics`. */
export function count(name: MetricName, value = 1, sink: MetricsSink = metrics): void {
  sink.addMetric(name, MetricUnit.Count, value);
}

/** Adds `value` under one dimension value (`code`, `reason`, `channel`), published at once. */
export function countBy(name: MetricName, dimension: string, dimensionValue: string, value = 1, sink: MetricsSink = metrics): void {
  sink.singleMetric().addDimension(dimension, dimensionValue).addMetric(name, MetricUnit.Count, value);
}

/**
 * Sessions we ended outside the sweep (an app removal, the cap, an operator, offboarding): the total and the
 * count by reason, as the sweep publishes them, so "why are people logged out" sees every reason.
 */
export function countRevoked(reason: string, value: number, sink: MetricsSink = metrics): void {
  if (value <= 0) return;
  count(MetricName.SessionsRevoked, value, sink);
  countBy(MetricName.SessionsRevokedByReason, 'reason', reason, value, sink);
}

/** Records a measure in milliseconds or percent, published with the invocation's other metrics. */
export function measure(name: MetricName, unit: 'Milliseconds' | 'Percent' | 'Seconds', value: number, sink: MetricsSink = metrics): void {
  sink.addMetric(name, MetricUnit[unit], value);
}

/** Publishes what the invocation stored (nothing, and no warning, when it stored nothing). */
export function flushMetrics(sink: MetricsSink = metrics): void {
  if (sink.hasStoredMetrics()) sink.publishStoredMetrics();
}

/** How a session was opened: the `channel` dimension of `SessionsCreated`. */
export const SIGN_IN_CHANNELS = ['mobile', 'web', 'access_token'] as const;
export type SignInChannel = (typeof SIGN_IN_CHANNELS)[number];

/** Runs `check`; when it throws, counts `name` once and rethrows. */
export function countingFailures<T>(name: MetricName, check: () => T, sink: MetricsSink = metrics): T {
  try {
    return check();
  } catch (error) {
    count(name, 1, sink);
    throw error;
  }
}
