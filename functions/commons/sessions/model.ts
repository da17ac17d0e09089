
/** Domain objects: no storage keys, no Facebook wire shapes. Times are epoch milliseconds. */
export interface User {
  readonly id: string;
  readonly facebookUserId: string;
  readonly createdAt: number;
}

/**
 * Why a session was revoked: what Facebook said ended it, `invalid` when it gave no reason, or
 * `replaced` when we ended it (the person signed in beyond the cap on live sessions per person).
 */
export const REVOCATION_REASONS = ['password_changed', 'app_removed', 'logged_out', 'expired', 'checkpointed', 'invalidated', 'unconfirmed_user', 'invalid', 'replaced'] as const;
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

export type SessionStatus = 'active' | 'revoked';

/**
 * What the session was opened from: a session-info token made on a phone (`session_info_token`),
 * a user access token sent by a client (`access_token`), or the browser sign-in (`web`).
 * Re-authentication needs Facebook's login dialog, which the iOS and Android SDKs cannot show.
 */
export type SignInMethod = 'session_info_token' | 'access_token' | 'web';

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
}

/** A new session with everything the store needs to write it. */
export interface NewSession extends Omit<Session, 'status' | 'revokedReason' | 'revokedAt'> {
  /** The Facebook session-info token, sealed by the vault for this session and user. */
  readonly sealedToken: string;
  /** SHA-256 of the session-info token: at most one live session per token. */
  readonly sessionInfoTokenHash: string;
}
