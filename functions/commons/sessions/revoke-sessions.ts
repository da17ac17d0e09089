import type { RevocationReason } from '#commons/platform/errors';
import type { RevocationRepository, UserSessionRef } from './ports.ts';

export interface RevokeSessionsOptions {
  /** A session to leave live (sign out everywhere but here). */
  readonly keep?: string;
  /** Live sessions to leave alone and count as `left` (app removal: those begun after it). */
  readonly leave?: (session: UserSessionRef) => boolean;
  /** Revocations in flight at once, for a person with many sessions. @default 8 */
  readonly concurrency?: number;
}

export interface RevokeSessionsOutcome {
  /** Sessions this call revoked. */
  readonly revoked: number;
  /** Sessions that were already revoked, signed out or gone. */
  readonly notActive: number;
  /** Live sessions `leave` kept out. */
  readonly left: number;
}

/**
 * Turns every live session of a person into a revocation record with `reason`, a few at a time.
 * Idempotent: sessions already revoked or ended are counted and left as they are. Shared by
 * everything that ends all of a person's sessions (app removal, sign out everywhere, offboarding).
 */
export async function revokeSessionsOfUser(
  revocations: Pick<RevocationRepository, 'sessionsOfUser' | 'revokeSession'>,
  userId: string,
  reason: RevocationReason,
  options: RevokeSessionsOptions = {},
): Promise<RevokeSessionsOutcome> {
  const concurrency = options.concurrency ?? 8;
  let revoked = 0;
  let notActive = 0;
  let left = 0;
  let batch: string[] = [];
  const flush = async () => {
    const outcomes = await Promise.all(batch.map((sessionId) => revocations.revokeSession(sessionId, reason)));
    for (const outcome of outcomes) {
      if (outcome.result === 'revoked') revoked++;
      else notActive++;
    }
    batch = [];
  };
  for await (const session of revocations.sessionsOfUser(userId)) {
    if (session.sessionId === options.keep) continue;
    if (session.status !== 'active') {
      notActive++;
      continue;
    }
    if (options.leave?.(session)) {
      left++;
      continue;
    }
    batch.push(session.sessionId);
    if (batch.length >= concurrency) await flush();
  }
  await flush();
  return { revoked, notActive, left };
}
