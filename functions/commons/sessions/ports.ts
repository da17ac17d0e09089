import type { RevocationReason } from '#commons/platform/errors';
import type { NewSession, Session, User } from './model.ts';

/**
 * What sign-in, authentication and revocation need from storage. Declared here, by the domain
 * that uses them; `#commons/storage/*` implements them against DynamoDB.
 */

export interface CreateSessionPlan {
  readonly session: NewSession;
  /** Set when the person is new: their user record is written in the same transaction. */
  readonly newUser?: User;
  /** The session this token already has, replaced by the new one in the same transaction. */
  readonly replacesSessionId?: string;
}

export interface SessionRepository {
  getUserByFacebookId(facebookUserId: string): Promise<User | undefined>;
  /** The live session this session-info token currently holds, if any. */
  getSessionIdForSessionInfoToken(tokenHash: string): Promise<string | undefined>;
  /**
   * Writes the session, its token lock and (for a new person) the user all at once. Throws
   * `ConcurrentUpdateError` when a racing sign-in changed the same records first.
   */
  createSession(plan: CreateSessionPlan): Promise<void>;
  /** The session (live, or revoked and still kept), or undefined when gone or expired. */
  getSession(sessionId: string): Promise<Session | undefined>;
  /** Removes a session and releases its session-info token. */
  deleteSession(sessionId: string): Promise<void>;
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
  /** Ids of every session (live or revoked) a person has. */
  sessionIdsOfUser(userId: string): AsyncIterable<string>;
}
