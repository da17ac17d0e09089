import { describe, expect, it } from 'vitest';
import { NotFoundError, type RevocationReason } from '#commons/platform/errors';
import type { Session } from '#commons/sessions/model';
import { endOwnSession, listOwnSessions, type OwnSessionsDeps, signOutEverywhere } from '#commons/sessions/own-sessions';

const ME = 'usr_me';
const session = (id: string, overrides: Partial<Session> = {}): Session => ({
  id,
  userId: ME,
  facebookUserId: 'fb1',
  tokenHash: 'h',
  createdAt: 1_000,
  expiresAt: 9_000_000_000_000,
  authTime: 500,
  status: 'active',
  signInMethod: 'web',
  device: 'Chrome on macOS',
  ...overrides,
});
const id = (n: number) => `ses_${String(n).padStart(22, 'A')}`;

function fakeDeps(sessions: Session[]) {
  const revoked: [string, RevocationReason][] = [];
  const deps: OwnSessionsDeps = {
    listing: { sessionsOfUser: async (userId) => sessions.filter((s) => s.userId === userId) },
    sessions: { getSession: async (sessionId) => sessions.find((s) => s.id === sessionId) },
    revocations: {
      async *sessionsOfUser(userId) {
        for (const s of sessions) if (s.userId === userId) yield { sessionId: s.id, createdAt: s.createdAt, expiresAt: s.expiresAt, status: s.status };
      },
      async revokeSession(sessionId, reason) {
        const found = sessions.find((s) => s.id === sessionId);
        if (!found || found.status !== 'active' || revoked.some(([revokedId]) => revokedId === sessionId)) return { result: 'not_active' };
        revoked.push([sessionId, reason]);
        return { result: 'revoked', userId: found.userId };
      },
    },
  };
  return { deps, revoked };
}

describe('listOwnSessions', () => {
  it('shows live sessions only, marks the current one, and hides hashes and revocation fields', async () => {
    const { deps } = fakeDeps([session(id(2)), session(id(1), { status: 'revoked', revokedReason: 'signed_out' }), session(id(3), { signInMethod: undefined, device: undefined }), session(id(4), { signInMethod: 'access_token' })]);
    const listed = await listOwnSessions(deps, { userId: ME, sessionId: id(3) });
    // `via` is how it was opened, from the stored signInMethod: a user token sent by an app is `mobile`.
    expect(listed.map((s) => [s.id, s.current, s.via, s.device])).toEqual([
      [id(2), false, 'web', 'Chrome on macOS'],
      [id(3), true, 'unknown', 'Unknown device'],
      [id(4), false, 'mobile', 'Chrome on macOS'],
    ]);
    expect(listed[0]).not.toHaveProperty('signInMethod');
    expect(listed[0]).not.toHaveProperty('status');
    expect(JSON.stringify(listed)).not.toContain('tokenHash');
  });
});

describe('endOwnSession', () => {
  it.each([
    ['someone else’s session', id(9)],
    ['an already ended session', id(2)],
    ['an unknown id', id(7)],
    ['a malformed id', 'not-an-id'],
  ])('answers the same 404 for %s and revokes nothing', async (_label, target) => {
    const { deps, revoked } = fakeDeps([session(id(1)), session(id(2), { status: 'revoked' }), session(id(9), { userId: 'usr_other' })]);
    await expect(endOwnSession(deps, { userId: ME, sessionId: id(1) }, target)).rejects.toThrow(NotFoundError);
    expect(revoked).toEqual([]);
  });

  it('revokes my session with reason signed_out and says whether it was the current one', async () => {
    const { deps, revoked } = fakeDeps([session(id(1)), session(id(2))]);
    expect(await endOwnSession(deps, { userId: ME, sessionId: id(1) }, id(2))).toEqual({ endedCurrent: false });
    expect(await endOwnSession(deps, { userId: ME, sessionId: id(1) }, id(1))).toEqual({ endedCurrent: true });
    expect(revoked).toEqual([
      [id(2), 'signed_out'],
      [id(1), 'signed_out'],
    ]);
  });
});

describe('signOutEverywhere', () => {
  it('keeps the current session when asked, and revokes the rest with signed_out_everywhere', async () => {
    const { deps, revoked } = fakeDeps([session(id(1)), session(id(2)), session(id(3)), session(id(9), { userId: 'usr_other' })]);
    expect(await signOutEverywhere(deps, { userId: ME, sessionId: id(2) }, { keepCurrent: true })).toEqual({ ended: 2, endedCurrent: false });
    expect(revoked).toEqual([
      [id(1), 'signed_out_everywhere'],
      [id(3), 'signed_out_everywhere'],
    ]);
  });
});
