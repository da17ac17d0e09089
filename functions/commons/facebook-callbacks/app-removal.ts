import type { RevocationRepository, SessionRepository } from '#commons/sessions/ports';
import type { AppRemovalLog } from './ports.ts';

/**
 * What happens when a person removes the app on Facebook (the deauthorize callback): every live
 * session of theirs is revoked with reason `app_removed`, its sealed token deleted and a
 * revocation record kept for audit. Idempotent: sessions already revoked or ended are left as
 * they are, and a person we never saw has nothing to revoke.
 *
 * The removal itself is recorded on the person's user record first (that change is the `Person
 * Removed App` event), so a callback that dies half-way has still told the app.
 */
export interface AppRemovalDeps {
  readonly sessions: Pick<SessionRepository, 'getUserByFacebookId'>;
  readonly revocations: Pick<RevocationRepository, 'sessionIdsOfUser' | 'revokeSession'>;
  readonly removals: AppRemovalLog;
  /** Revocations in flight at once, for a person with many sessions. @default 8 */
  readonly concurrency?: number;
}

export interface AppRemovalOutcome {
  readonly userFound: boolean;
  /** Sessions this call revoked. */
  readonly revoked: number;
  /** Sessions that were already revoked, signed out or gone. */
  readonly notActive: number;
}

/** `removedAt`: when Facebook says it happened (the signed request's `issued_at`), epoch ms. */
export async function revokeSessionsOfRemovedApp(deps: AppRemovalDeps, facebookUserId: string, removedAt: number): Promise<AppRemovalOutcome> {
  const user = await deps.sessions.getUserByFacebookId(facebookUserId);
  if (!user) return { userFound: false, revoked: 0, notActive: 0 };
  await deps.removals.recordAppRemoval(user.id, removedAt);
  const concurrency = deps.concurrency ?? 8;
  let revoked = 0;
  let notActive = 0;
  let batch: string[] = [];
  const flush = async () => {
    const outcomes = await Promise.all(batch.map((sessionId) => deps.revocations.revokeSession(sessionId, 'app_removed')));
    for (const outcome of outcomes) {
      if (outcome.result === 'revoked') revoked++;
      else notActive++;
    }
    batch = [];
  };
  for await (const sessionId of deps.revocations.sessionIdsOfUser(user.id)) {
    batch.push(sessionId);
    if (batch.length >= concurrency) await flush();
  }
  await flush();
  return { userFound: true, revoked, notActive };
}
