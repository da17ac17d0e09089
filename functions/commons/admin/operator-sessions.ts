import { NotFoundError } from '#commons/platform/errors';
import type { User } from '#commons/sessions/model';
import type { RevocationRepository, SessionListing, SessionRepository } from '#commons/sessions/ports';
import { type SessionView, sessionView } from '#commons/sessions/session-view';

/**
 * What an operator sees and does to a person's sessions. An operator sees revocation records too
 * (with their reason), not only live sessions: that is what they are asked about.
 */
export interface UserSessions {
  readonly user: { readonly id: string; readonly facebookUserId: string };
  readonly sessions: readonly SessionView[];
}

export async function sessionsOfUser(listing: SessionListing, userId: string): Promise<UserSessions> {
  return sessionsOf(listing, await listing.getUser(userId));
}

export async function sessionsOfFacebookUser(
  deps: { listing: SessionListing; sessions: Pick<SessionRepository, 'getUserByFacebookId'> },
  facebookUserId: string,
): Promise<UserSessions> {
  return sessionsOf(deps.listing, await deps.sessions.getUserByFacebookId(facebookUserId));
}

async function sessionsOf(listing: SessionListing, user: User | undefined): Promise<UserSessions> {
  if (!user) throw new NotFoundError('No such user.');
  const sessions = await listing.sessionsOfUser(user.id);
  return { user: { id: user.id, facebookUserId: user.facebookUserId }, sessions: sessions.map(sessionView) };
}

/** Ends one live session (reason `ended_by_operator`); 404 when there is no live session by that id. */
export async function endSessionAsOperator(
  revocations: Pick<RevocationRepository, 'revokeSession'>,
  sessionId: string,
): Promise<{ sessionId: string; userId: string }> {
  const outcome = await revocations.revokeSession(sessionId, 'ended_by_operator');
  if (outcome.result !== 'revoked') throw new NotFoundError('No live session by that id.');
  return { sessionId, userId: outcome.userId ?? '' };
}
