
/** Domain objects: no storage keys, no Facebook wire shapes. Times are epoch milliseconds. */
export interface User {
  readonly id: string;
  readonly facebookUserId: string;
  readonly createdAt: number;
}

/**
 * Why a session was revoked: what Facebook said ended it, or `invalid` when it gave no reason;
 * `replaced` when we ended it (the person signed in beyond the cap on live sessions per person); or
 * people ended it: its holder (`signed_out` one session, `signed_out_everywhere`) or an operator
 * (`ended_by_operator` one session, `offboarded` every session of the person).
 */
export const REVOCATION_REASONS = [
  'password_changed',
  'app_removed',
  'logged_out',
  'expired',
  'checkpointed',
  'invalidated',
  'unconfirmed_user',
  'invalid',
  'replaced',
  'signed_out',
  'signed_out_everywhere',
  'ended_by_operator',
  'offboarded',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/**
 * A person as their Facebook-id link shows them, with what a sign-in in flight must check again
 * before it writes: an app removal or a data deletion that started after it read the link.
 */
export interface LinkedUser extends User {
  /** Bumped by every app removal and data deletion, so a write can demand the version it read. */
  readonly linkVersion: number;
  /** Set while a data deletion erases the person (epoch ms). */
  readonly deletingSince?: number;
  /** `issued_at` of the latest app removal Facebook told us of (epoch ms). */
  readonly appRemovedAt?: number;
}

/**
 * Reasons that mean the person ended the session themselves (`DELETE /v1/sessions[/{id}]`): the
 * events report these as `Session Ended`, like a sign-out, and every other reason as `Session Revoked`.
 */
export const SIGN_OUT_REASONS = ['signed_out', 'signed_out_everywhere'] as const satisfies readonly RevocationReason[];

export function isSignOutReason(reason: string): boolean {
  return (SIGN_OUT_REASONS as readonly string[]).includes(reason);
}

export type SessionStatus = 'active' | 'revoked';

/**
 * What the session was opened from: a session-info token made on a phone (`session_info_token`),
 * a user access token sent by a client (`access_token`), or the browser sign-in (`web`).
 * Re-authentication needs Facebook's login dialog, which the iOS and Android SDKs cannot show.
 */
export const SIGN_IN_METHODS = ['session_info_token', 'access_token', 'web'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/**
 * How a session was opened, as the person and the events see it: `web` for the browser sign-in,
 * `mobile` for `POST /v1/sessions` (an app, whichever Facebook token it sent).
 */
export type SessionVia = 'mobile' | 'web';

export function viaOf(signInMethod: SignInMethod): SessionVia {
  return signInMethod === 'web' ? 'web' : 'mobile';
}

/** Where a sign-in came from, kept on the session so the person can tell their sessions apart. */
export interface SignInOrigin {
  readonly signInMethod: SignInMethod;
  /** Short label from the User-Agent at sign-in (`device-label.ts`), never the header itself. */
  readonly device?: string;
}

export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly facebookUserId: string;
  /** SHA-256 of our session token. */
  readonly tokenHash: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** When Facebook last authenticated the person, as far as we know. */
  readonly authTime: number;
  readonly status: SessionStatus;
  /** Absent on sessions written before it was recorded. */
  readonly signInMethod?: SignInMethod;
  readonly revokedReason?: RevocationReason;
  readonly revokedAt?: number;
  /** Short label of the device it was opened on (`device-label.ts`); absent on sessions written before it was recorded. */
  readonly device?: string;
}

/** A new session with everything the store needs to write it. */
export interface NewSession extends Omit<Session, 'status' | 'revokedReason' | 'revokedAt'> {
  /** The Facebook session-info token, sealed by the vault for this session and user. */
  readonly sealedToken: string;
  /** SHA-256 of the session-info token: at most one live session per token. */
  readonly sessionInfoTokenHash: string;
}
