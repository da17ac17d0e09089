import { NotFoundError } from '#commons/platform/errors';
import type { SessionContext } from './authorizer-context.ts';
import type { RevocationRepository, SessionListing, SessionRepository } from './ports.ts';
import { revokeSessionsOfUser } from './revoke-sessions.ts';
import { type SessionView, sessionView } from './session-view.ts';
import { isSessionId } from './session-tokens.ts';

/**
 * A person's own sessions ("where am I signed in"): list them, end one, end all. The caller is the
 * session the authorizer admitted. Ending writes a revocation record (`signed_out`,
 * `signed_out_everywhere`) like every other revocation, so the end is visible and audited the same
 * way. Reading writes nothing (no "last seen").
 */
export interface OwnSessionsDeps {
  readonly listing: Pick<SessionListing, 'sessionsOfUser'>;
  readonly sessions: Pick<SessionRepository, 'getSession'>;
  readonly revocations: Pick<RevocationRepository, 'sessionsOfUser' | 'revokeSession'>;
}

export type Caller = Pick<SessionContext, 'userId' | 'sessionId'>;

export type OwnSessionView = Omit<SessionView, 'status' | 'revokedReason' | 'revokedAt' | 'signInMethod'> & { readonly current: boolean };

/** The caller's live sessions, newest first, the one making the request marked `current`. */
export async function listOwnSessions(deps: OwnSessionsDeps, caller: Caller): Promise<OwnSessionView[]> {
  const sessions = await deps.listing.sessionsOfUser(caller.userId);
  return sessions
    .filter((session) => session.status === 'active')
    .map((session) => {
      const { status: _status, revokedReason: _reason, revokedAt: _at, signInMethod: _method, ...view } = sessionView(session);
      return { ...view, current: session.id === caller.sessionId };
    });
}

/**
 * Ends one of the caller's live sessions (reason `signed_out`). Any other id, someone else's
 * session included, is the same 404: the answer never tells whether a session exists.
 */
export async function endOwnSession(deps: OwnSessionsDeps, caller: Caller, sessionId: string): Promise<{ endedCurrent: boolean }> {
  const notFound = () => new NotFoundError('You have no live session by that id.');
  if (!isSessionId(sessionId)) throw notFound();
  const session = await deps.sessions.getSession(sessionId);
  if (!session || session.userId !== caller.userId || session.status !== 'active') throw notFound();
  const outcome = await deps.revocations.revokeSession(sessionId, 'signed_out');
  if (outcome.result !== 'revoked') throw notFound();
  return { endedCurrent: sessionId === caller.sessionId };
}

/** Signs out everywhere (reason `signed_out_everywhere`), or everywhere else with `keepCurrent`. */
export async function signOutEverywhere(
  deps: OwnSessionsDeps,
  caller: Caller,
  options: { keepCurrent: boolean },
): Promise<{ ended: number; endedCurrent: boolean }> {
  const outcome = await revokeSessionsOfUser(deps.revocations, caller.userId, 'signed_out_everywhere', options.keepCurrent ? { keep: caller.sessionId } : {});
  return { ended: outcome.revoked, endedCurrent: !options.keepCurrent };
}
