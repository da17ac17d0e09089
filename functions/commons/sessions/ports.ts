import type { RevocationReason } from '#commons/platform/errors';
import type { LinkedUser, NewSession, Session, User } from './model.ts';

/**
 * What sign-in, authentication and revocation need from storage. Declared here, by the domain
 * that uses them; `#commons/storage/*` implements them against DynamoDB.
 */

export interface CreateSessionPlan {
  readonly session: NewSession;
  /** Set when the person is new: their user record is written in the same transaction. */
  readonly newUser?: User;
  /**
   * Set when the person exists: the transaction demands their Facebook-id link is still the one
   * read (no app removal or data deletion began since), else `PersonChangedError`.
   */
  readonly knownUser?: LinkedUser;
  /** The session this token already has, replaced by the new one in the same transaction. */
  readonly replacesSessionId?: string;
}

export interface SessionRepository {
  getUserByFacebookId(facebookUserId: string): Promise<LinkedUser | undefined>;
  /** The live session this session-info token currently holds, if any. */
  getSessionIdForSessionInfoToken(tokenHash: string): Promise<string | undefined>;
  /**
   * Writes the session, its token lock and (for a new person) the user all at once. Throws
   * `ConcurrentUpdateError` when a racing sign-in changed the same records first, and its subclass
   * `PersonChangedError` when the person's link changed (an app removal or data deletion began).
   * A replaced session that was revoked meanwhile keeps its revocation record.
   */
  createSession(plan: CreateSessionPlan): Promise<void>;
  /** The session (live, or revoked and still kept), or undefined when gone or expired. */
  getSession(sessionId: string): Promise<Session | undefined>;
  /**
   * Removes a live session and releases its session-info token. A session revoked meanwhile is
   * left as it is: its revocation record stays.
   */
  deleteSession(sessionId: string): Promise<void>;
}

export interface UserSessionRef {
  readonly sessionId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: 'active' | 'revoked';
}

export interface RevocationOutcome {
  /** `revoked`: this call revoked it; `not_active`: already revoked, signed out or gone. */
  readonly result: 'revoked' | 'not_active';
  readonly userId?: string;
}

export interface RevocationRepository {
  /**
   * Turns a live session into its revocation record (the sealed Facebook token goes, the reason
   * stays). Revokes at most once, however often it is called.
   */
  revokeSession(sessionId: string, reason: RevocationReason): Promise<RevocationOutcome>;
  /** Every session (live or revoked) a person has, oldest first. */
  sessionsOfUser(userId: string): AsyncIterable<UserSessionRef>;
  /**
   * Records on the person's link that they removed the app (Facebook's `issued_at`, epoch ms) and
   * bumps its version, so a sign-in that read the link before cannot write; the person, if known.
   */
  markAppRemoved(facebookUserId: string, issuedAt: number): Promise<User | undefined>;
}

export interface SessionListing {
  getUser(userId: string): Promise<User | undefined>;
  /**
   * A person's sessions still to be seen (live, and revocation records within their retention),
   * newest first. One Query on `byUser` per page, no writes.
   */
  sessionsOfUser(userId: string): Promise<Session[]>;
}
