
/** Domain objects: no storage keys, no Facebook wire shapes. Times are epoch milliseconds. */
export interface User {
  readonly id: string;
  readonly facebookUserId: string;
  readonly createdAt: number;
}

/** Why a session was revoked: what Facebook said ended it, or `invalid` when it gave no reason. */
export const REVOCATION_REASONS = ['password_changed', 'app_removed', 'logged_out', 'expired', 'checkpointed', 'invalidated', 'unconfirmed_user', 'invalid'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

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
