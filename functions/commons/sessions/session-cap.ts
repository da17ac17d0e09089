import { logger } from '#commons/platform/logger';
import { countRevoked, type MetricsSink, metrics } from '#commons/platform/metrics';
import type { RevocationRepository } from './ports.ts';

/**
 * The cap on live sessions per person. One Facebook account can mint any number of session-info
 * tokens and open a session with each, and every live session costs a Graph check per sweep, so
 * one account could otherwise flood the sweep. Signing in beyond the cap ends the person's oldest
 * live sessions, recorded as revoked with reason `replaced` (the person learns why on their next
 * request there).
 *
 * Best effort by design: the person's sessions are listed from the eventually consistent `byUser`
 * index, so racing sign-ins may overshoot for a moment; the next sign-in trims again. A failure here
 * never fails the sign-in that already succeeded: it is logged and left to the next one.
 */
export interface SessionCapDeps {
  readonly maxLiveSessions: number;
  readonly revocations: Pick<RevocationRepository, 'sessionsOfUser' | 'revokeSession'>;
}

export async function endSessionsBeyondCap(
  deps: SessionCapDeps,
  userId: string,
  newSessionId: string,
  nowMs: number,
  sink: MetricsSink = metrics,
): Promise<number> {
  try {
    const others: string[] = [];
    for await (const session of deps.revocations.sessionsOfUser(userId)) {
      if (session.status === 'active' && session.expiresAt > nowMs && session.sessionId !== newSessionId) others.push(session.sessionId);
    }
    // Oldest first (the index orders by creation time); the new session always stays.
    const excess = others.slice(0, Math.max(0, others.length + 1 - deps.maxLiveSessions));
    let ended = 0;
    for (const sessionId of excess) {
      if ((await deps.revocations.revokeSession(sessionId, 'replaced')).result === 'revoked') ended++;
    }
    if (ended > 0) logger.info('oldest sessions ended: cap on live sessions per person', { userId, ended, cap: deps.maxLiveSessions });
    countRevoked('replaced', ended, sink);
    return ended;
  } catch (error) {
    logger.warn('could not apply the cap on live sessions per person', { userId, errorName: (error as Error).name });
    return 0;
  }
}
