import { describe, expect, it } from 'vitest';
import { revokeSessionsOfRemovedApp } from '#commons/facebook-callbacks/app-removal';
import type { RevocationReason } from '#commons/platform/errors';
import type { RevocationOutcome } from '#commons/sessions/ports';

/** In-memory stand-ins for the two stores: a person's sessions and which of them are live. */
function fakes(options: { user?: boolean; sessions?: Record<string, 'active' | 'revoked'> } = {}) {
  const sessions = new Map(Object.entries(options.sessions ?? {}));
  const revoked: [string, RevocationReason][] = [];
  /** What was recorded, in order, with what had been revoked by then. */
  const removals: { userId: string; at: number; revokedBefore: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    revoked,
    removals,
    sessions,
    maxInFlight: () => maxInFlight,
    deps: {
      sessions: {
        getUserByFacebookId: async (facebookUserId: string) =>
          options.user === false ? undefined : { id: `usr_of_${facebookUserId}`, facebookUserId, createdAt: 1 },
      },
      revocations: {
        async *sessionIdsOfUser(userId: string) {
          expect(userId).toBe('usr_of_42');
          yield* sessions.keys();
        },
        async revokeSession(sessionId: string, reason: RevocationReason): Promise<RevocationOutcome> {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight--;
          if (sessions.get(sessionId) !== 'active') return { result: 'not_active' };
          sessions.set(sessionId, 'revoked');
          revoked.push([sessionId, reason]);
          return { result: 'revoked', userId: 'usr_of_42' };
        },
      },
      removals: {
        async recordAppRemoval(userId: string, at: number) {
          removals.push({ userId, at, revokedBefore: revoked.length });
        },
      },
    },
  };
}

const REMOVED_AT = 1_780_000_000_000;

describe('revokeSessionsOfRemovedApp', () => {
  it('records the removal on the person before revoking anything, so a callback that dies half-way has still said it', async () => {
    const f = fakes({ sessions: { ses_1: 'active', ses_2: 'active' } });
    await revokeSessionsOfRemovedApp(f.deps, '42', REMOVED_AT);
    expect(f.removals).toEqual([{ userId: 'usr_of_42', at: REMOVED_AT, revokedBefore: 0 }]);
    expect(f.revoked).toHaveLength(2);
  });

  it('records nothing for a person we never saw', async () => {
    const f = fakes({ user: false });
    await revokeSessionsOfRemovedApp(f.deps, '42', REMOVED_AT);
    expect(f.removals).toEqual([]);
  });

  it("revokes every live session of the person with reason app_removed, and leaves revoked ones be", async () => {
    const f = fakes({ sessions: { ses_1: 'active', ses_2: 'revoked', ses_3: 'active' } });
    await expect(revokeSessionsOfRemovedApp(f.deps, '42', REMOVED_AT)).resolves.toEqual({ userFound: true, revoked: 2, notActive: 1 });
    expect(f.revoked).toEqual([
      ['ses_1', 'app_removed'],
      ['ses_3', 'app_removed'],
    ]);
  });

  it('is idempotent: a repeated callback revokes nothing more', async () => {
    const f = fakes({ sessions: { ses_1: 'active' } });
    await revokeSessionsOfRemovedApp(f.deps, '42', REMOVED_AT);
    await expect(revokeSessionsOfRemovedApp(f.deps, '42', REMOVED_AT)).resolves.toEqual({ userFound: true, revoked: 0, notActive: 1 });
    expect(f.revoked).toHaveLength(1);
  });

  it('has nothing to do for a person we never saw', async () => {
    const f = fakes({ user: false });
    await expect(revokeSessionsOfRemovedApp(f.deps, '42', REMOVED_AT)).resolves.toEqual({ userFound: false, revoked: 0, notActive: 0 });
  });

  it('revokes a person with many sessions, a bounded number at a time', async () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`ses_${i}`, 'active' as const]));
    const f = fakes({ sessions: many });
    await expect(revokeSessionsOfRemovedApp({ ...f.deps, concurrency: 5 }, '42', REMOVED_AT)).resolves.toEqual({ userFound: true, revoked: 100, notActive: 0 });
    expect(f.maxInFlight()).toBe(5);
  });
});
