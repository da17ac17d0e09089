import type { RevocationRepository } from '#commons/sessions/ports';
import { revokeSessionsOfUser } from '#commons/sessions/revoke-sessions';

/**
 * What happens when a person removes the app on Facebook (the deauthorize callback): every live
 * session of theirs that began before the removal is revoked with reason `app_removed`, its sealed
 * token deleted and a revocation record kept for audit. A session that began after Facebook issued
 * the removal is the person coming back and signing in again: it stays.
 *
 * The person's link is marked first (`appRemovedAt`, a new `linkVersion`): that change is the
 * `Person Removed App` event, so a callback that dies half-way has still told the app, and a
 * sign-in racing this callback either wrote its session before (and it is found and revoked here)
 * or fails its own transaction and asks Facebook again.
 * Idempotent: sessions already revoked or ended are left as they are, and a person we never saw has
 * nothing to revoke.
 */
export interface AppRemovalDeps {
  readonly revocations: Pick<RevocationRepository, 'markAppRemoved' | 'sessionsOfUser' | 'revokeSession'>;
  /** Revocations in flight at once, for a person with many sessions. @default 8 */
  readonly concurrency?: number;
}

export interface AppRemoval {
  readonly facebookUserId: string;
  /** Facebook's `issued_at`, epoch seconds. */
  readonly issuedAt: number;
}

export interface AppRemovalOutcome {
  readonly userFound: boolean;
  /** Sessions this call revoked. */
  readonly revoked: number;
  /** Sessions that were already revoked, signed out or gone. */
  readonly notActive: number;
  /** Live sessions that began after the removal was issued, left alone. */
  readonly newer: number;
}

export async function revokeSessionsOfRemovedApp(deps: AppRemovalDeps, removal: AppRemoval): Promise<AppRemovalOutcome> {
  const user = await deps.revocations.markAppRemoved(removal.facebookUserId, removal.issuedAt * 1000);
  if (!user) return { userFound: false, revoked: 0, notActive: 0, newer: 0 };
  // issued_at has whole seconds: a session begun within that second counts as before it.
  const removedBefore = (removal.issuedAt + 1) * 1000;
  const { revoked, notActive, left } = await revokeSessionsOfUser(deps.revocations, user.id, 'app_removed', {
    leave: (session) => session.createdAt >= removedBefore,
    ...(deps.concurrency !== undefined ? { concurrency: deps.concurrency } : {}),
  });
  return { userFound: true, revoked, notActive, newer: left };
}
