import { describe, expect, it } from 'vitest';
import { revokeSessionsOfRemovedApp } from '#commons/facebook-callbacks/app-removal';
import type { RevocationReason } from '#commons/platform/errors';
import type { RevocationOutcome, UserSessionRef } from '#commons/sessions/ports';

const ISSUED_AT_S = 1_700_000_000;
const BEFORE = ISSUED_AT_S * 1000 - 60_000;

/** In-memory stand-ins for the revocation store: a person's sessions and which of them are live. */
function fakes(options: { user?: boolean; sessions?: Record<string, 'active' | 'revoked' | { status: 'active' | 'revoked'; createdAt: number }> } = {}) {
  const sessions = new Map(
    Object.entries(options.sessions ?? {}).map(([id, value]) => [id, typeof value === 'string' ? { status: value, createdAt: BEFORE } : value]),
  );
  const revoked: [string, RevocationReason][] = [];
  /** The link marks asked for, in order, with how many sessions had been revoked by then. */
  const marks: [string, number][] = [];
  const revokedBeforeMark: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    revoked,
    marks,
    revokedBeforeMark,
    sessions,
    maxInFlight: () => maxInFlight,
    deps: {
      revocations: {
        async markAppRemoved(facebookUserId: string, issuedAt: number) {
          marks.push([facebookUserId, issuedAt]);
          revokedBeforeMark.push(revoked.length);
          return options.user === false ? undefined : { id: `usr_of_${facebookUserId}`, facebookUserId, createdAt: 1 };
        },
        async *sessionsOfUser(userId: string): AsyncGenerator<UserSessionRef> {
          expect(userId).toBe('usr_of_42');
          // The link is marked before anything is listed or revoked.
          expect(marks.length).toBeGreaterThan(0);
          for (const [sessionId, s] of sessions) yield { sessionId, createdAt: s.createdAt, expiresAt: s.createdAt + 86_400_000, status: s.status };
        },
        async revokeSession(sessionId: string, reason: RevocationReason): Promise<RevocationOutcome> {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight--;
          const session = sessions.get(sessionId);
          if (session?.status !== 'active') return { result: 'not_active' };
          session.status = 'revoked';
          revoked.push([sessionId, reason]);
          return { result: 'revoked', userId: 'usr_of_42' };
        },
      },
    },
  };
}

const removal = { facebookUserId: '42', issuedAt: ISSUED_AT_S };

describe('revokeSessionsOfRemovedApp', () => {
  it('records the removal on the person before revoking anything, so a callback that dies half-way has still said it', async () => {
    const f = fakes({ sessions: { ses_1: 'active', ses_2: 'active' } });
    await revokeSessionsOfRemovedApp(f.deps, removal);
    expect(f.marks).toEqual([['42', ISSUED_AT_S * 1000]]);
    expect(f.revokedBeforeMark).toEqual([0]);
    expect(f.revoked).toHaveLength(2);
  });

  it('records nothing for a person we never saw (the mark finds no link) and revokes nothing', async () => {
    const f = fakes({ user: false, sessions: { ses_1: 'active' } });
    await revokeSessionsOfRemovedApp(f.deps, removal);
    expect(f.marks).toHaveLength(1);
    expect(f.revoked).toEqual([]);
  });

  it('revokes every live session of the person with reason app_removed, and leaves revoked ones be', async () => {
    const f = fakes({ sessions: { ses_1: 'active', ses_2: 'revoked', ses_3: 'active' } });
    await expect(revokeSessionsOfRemovedApp(f.deps, removal)).resolves.toEqual({ userFound: true, revoked: 2, notActive: 1, newer: 0 });
    expect(f.revoked).toEqual([
      ['ses_1', 'app_removed'],
      ['ses_3', 'app_removed'],
    ]);
    expect(f.marks).toEqual([['42', ISSUED_AT_S * 1000]]);
  });

  it('leaves sessions begun after Facebook issued the removal (the person came back), and revokes those of the same second', async () => {
    const f = fakes({
      sessions: {
        ses_old: { status: 'active', createdAt: BEFORE },
        ses_same_second: { status: 'active', createdAt: ISSUED_AT_S * 1000 + 999 },
        ses_new: { status: 'active', createdAt: ISSUED_AT_S * 1000 + 1000 },
      },
    });
    await expect(revokeSessionsOfRemovedApp(f.deps, removal)).resolves.toEqual({ userFound: true, revoked: 2, notActive: 0, newer: 1 });
    expect(f.revoked.map(([id]) => id)).toEqual(['ses_old', 'ses_same_second']);
    expect(f.sessions.get('ses_new')!.status).toBe('active');
  });

  it('is idempotent: a repeated callback revokes nothing more', async () => {
    const f = fakes({ sessions: { ses_1: 'active' } });
    await revokeSessionsOfRemovedApp(f.deps, removal);
    await expect(revokeSessionsOfRemovedApp(f.deps, removal)).resolves.toEqual({ userFound: true, revoked: 0, notActive: 1, newer: 0 });
    expect(f.revoked).toHaveLength(1);
  });

  it('has nothing to do for a person we never saw', async () => {
    const f = fakes({ user: false });
    await expect(revokeSessionsOfRemovedApp(f.deps, removal)).resolves.toEqual({ userFound: false, revoked: 0, notActive: 0, newer: 0 });
  });

  it('revokes a person with many sessions, a bounded number at a time', async () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`ses_${i}`, 'active' as const]));
    const f = fakes({ sessions: many });
    await expect(revokeSessionsOfRemovedApp({ ...f.deps, concurrency: 5 }, removal)).resolves.toEqual({ userFound: true, revoked: 100, notActive: 0, newer: 0 });
    expect(f.maxInFlight()).toBe(5);
  });
});
