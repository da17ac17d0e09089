import * as z from '#commons/platform/zod';
import { isSignOutReason, REVOCATION_REASONS, SIGN_OUT_REASONS } from '#commons/sessions/model';

/**
 * Every event Session Guard publishes, declared once with zod: the stream consumer checks each
 * event against its schema before it leaves, and `docs/events.md` shows the JSON Schemas made
 * from these by `z.toJSONSchema` (a test keeps the two equal). No SDK import: the CDK app reads
 * the names too.
 *
 * No event ever holds a token, a token hash, a cookie or a sealed value: only ids, reasons and
 * times (a test maps every kind of change and scans the result for them).
 */
export const EVENT_SOURCE = 'session-guard';

/** ISO 8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
const timestamp = z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), z.meta({ format: 'date-time' }));

const eventId = z
  .uuid()
  .check(
    z.describe(
      'Stable for the change this event reports: a redelivered event has the same eventId, so drop duplicates on it. Webhooks also get it as the envelope `id`.',
    ),
  );
const nonEmpty = z.string().check(z.minLength(1));
const sessionId = nonEmpty.check(z.describe('Session Guard session id (`ses_…`).'));
const userId = nonEmpty.check(z.describe('Session Guard user id (`usr_…`).'));
const facebookUserId = nonEmpty.check(z.describe("The person's app-scoped Facebook user id."));

export const sessionOpenedDetail = z
  .strictObject({
    eventId,
    sessionId,
    userId,
    facebookUserId,
    via: z.enum(['mobile', 'web']).check(z.describe('`mobile`: POST /v1/sessions (session-info or access token); `web`: the browser sign-in.')),
    createdAt: timestamp,
    expiresAt: timestamp,
  })
  .check(z.describe('A person signed in: a new session exists.'));

export const sessionEndedDetail = z
  .strictObject({ eventId, sessionId, userId, endedAt: timestamp })
  .check(
    z.describe(
      `The person signed out: the session ended at their request (\`DELETE /v1/sessions/current\`, or from their list of sessions: revocation reasons ${SIGN_OUT_REASONS.map((reason) => `\`${reason}\``).join(', ')}).`,
    ),
  );

/** Reasons a `Session Revoked` may carry: every revocation reason but the person's own sign-outs (those are `Session Ended`). */
const REVOKED_EVENT_REASONS = REVOCATION_REASONS.filter((reason) => !isSignOutReason(reason));

export const sessionRevokedDetail = z
  .strictObject({
    eventId,
    sessionId,
    userId,
    facebookUserId,
    reason: nonEmpty.check(
      z.describe(`Why Session Guard ended the session: ${REVOKED_EVENT_REASONS.map((reason) => `\`${reason}\``).join(', ')}, or a reason added later.`),
    ),
    revokedAt: timestamp,
  })
  .check(
    z.describe(
      "Session Guard ended the session: Facebook's session behind it ended, the person removed the app, or an operator ended it (`ended_by_operator`, `offboarded`).",
    ),
  );

export const personRemovedAppDetail = z
  .strictObject({ eventId, userId, facebookUserId, at: timestamp.check(z.describe("When Facebook says it happened (the callback's issued_at).")) })
  .check(z.describe("Facebook's deauthorize callback: the person removed the app. Their sessions are revoked (each a `Session Revoked`, reason `app_removed`)."));

export const personDataDeletionRequestedDetail = z
  .strictObject({
    eventId,
    userId: z.nullable(userId).check(z.describe('Session Guard user id, or null when Session Guard never knew the person.')),
    facebookUserId,
    confirmationCode: z
      .string()
      .check(z.regex(/^[A-Z2-7]{24}$/), z.describe('The code Facebook shows the person; the status page is /v1/facebook/data-deletion/<code>.')),
    at: timestamp.check(z.describe('When the request reached Session Guard.')),
  })
  .check(
    z.describe(
      "Facebook's data-deletion callback: the person asked for their data to be deleted. Session Guard has erased its own copy; the app must now erase everything it holds on them. The only place these ids travel after the erasure.",
    ),
  );

export const personReauthenticatedDetail = z
  .strictObject({ eventId, sessionId, userId, facebookUserId, authTime: timestamp.check(z.describe('When Facebook authenticated the person again.')) })
  .check(z.describe('The person proved again who they are (re-authentication) on this session.'));

export const EVENT_DETAILS = {
  'Session Opened': sessionOpenedDetail,
  'Session Ended': sessionEndedDetail,
  'Session Revoked': sessionRevokedDetail,
  'Person Removed App': personRemovedAppDetail,
  'Person Data Deletion Requested': personDataDeletionRequestedDetail,
  'Person Reauthenticated': personReauthenticatedDetail,
} as const;

export type DetailType = keyof typeof EVENT_DETAILS;
export const DETAIL_TYPES = Object.keys(EVENT_DETAILS) as DetailType[];

export type EventDetail<T extends DetailType> = z.output<(typeof EVENT_DETAILS)[T]>;

/** One event, as it leaves Session Guard: its type, when the change happened, and its detail. */
export type SessionGuardEvent = {
  [T in DetailType]: { readonly detailType: T; readonly time: string; readonly detail: EventDetail<T> };
}[DetailType];

/** The detail's JSON Schema, for the docs and for consumers. */
export function detailJsonSchema(detailType: DetailType): Record<string, unknown> {
  return z.toJSONSchema(EVENT_DETAILS[detailType]) as Record<string, unknown>;
}

/** Epoch milliseconds as the events write times. */
export function eventTime(ms: number): string {
  return new Date(ms).toISOString();
}
