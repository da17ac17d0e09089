import { describe, expect, it } from 'vitest';
import type { RevocationReason } from '#commons/platform/errors';
import type { RevocationOutcome, UserSessionRef } from '#commons/sessions/ports';
import { endSessionsBeyondCap } from '#commons/sessions/session-cap';
import { fakeSink } from '#test/support/metrics-sink';

const NOW = Date.UTC(2025, 0, 15, 12);

function person(sessions: Partial<UserSessionRef>[], options: { failList?: boolean } = {}) {
  const refs = sessions.map((s, i) => ({ sessionId: `ses_${i}`, createdAt: NOW - (100 - i) * 1000, expiresAt: NOW + 86_400_000, status: 'active' as const, ...s }));
  const ended: [string, RevocationReason][] = [];
  return {
    ended,
    revocations: {
      async *sessionsOfUser(): AsyncGenerator<UserSessionRef> {
        if (options.failList) throw new Error('ProvisionedThroughputExceededException');
        yield* refs;
      },
      async revokeSession(sessionId: string, reason: RevocationReason): Promise<RevocationOutcome> {
        ended.push([sessionId, reason]);
        return { result: 'revoked' };
      },
    },
  };
}

describe('endSessionsBeyondCap', () => {
  it('ends the oldest live sessions beyond the cap with reason replaced, keeping the new one', async () => {
    const p = person([{}, {}, {}, { sessionId: 'ses_new' }]);
    const { sink, single } = fakeSink();
    await expect(endSessionsBeyondCap({ maxLiveSessions: 2, revocations: p.revocations }, 'usr_1', 'ses_new', NOW, sink)).resolves.toBe(2);
    expect(p.ended).toEqual([
      ['ses_0', 'replaced'],
      ['ses_1', 'replaced'],
    ]);
    // Counted like every other revocation, so "why are people logged out" shows the cap too.
    expect(sink.addMetric).toHaveBeenCalledWith('SessionsRevoked', 'Count', 2);
    expect(single.addDimension).toHaveBeenCalledWith('reason', 'replaced');
    expect(single.addMetric).toHaveBeenCalledWith('SessionsRevokedByReason', 'Count', 2);
  });

  it('counts the new session even when the index does not show it yet', async () => {
    const p = person([{}, {}]);
    await endSessionsBeyondCap({ maxLiveSessions: 2, revocations: p.revocations }, 'usr_1', 'ses_new', NOW);
    expect(p.ended).toEqual([['ses_0', 'replaced']]);
  });

  it('does not count revoked or expired sessions against the cap', async () => {
    const p = person([{ status: 'revoked' }, { expiresAt: NOW - 1 }, {}, { sessionId: 'ses_new' }]);
    const { sink } = fakeSink();
    await expect(endSessionsBeyondCap({ maxLiveSessions: 2, revocations: p.revocations }, 'usr_1', 'ses_new', NOW, sink)).resolves.toBe(0);
    expect(p.ended).toEqual([]);
    expect(sink.addMetric).not.toHaveBeenCalled();
  });

  it('never fails the sign-in: a store failure is logged and left to the next sign-in', async () => {
    const p = person([{}, {}, {}], { failList: true });
    await expect(endSessionsBeyondCap({ maxLiveSessions: 1, revocations: p.revocations }, 'usr_1', 'ses_new', NOW)).resolves.toBe(0);
  });
});
