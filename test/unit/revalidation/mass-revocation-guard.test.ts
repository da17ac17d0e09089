import { describe, expect, it } from 'vitest';
import { type GuardOverride, MassRevocationGuard, NO_OVERRIDE, type SweepTally } from '#commons/revalidation/mass-revocation-guard';
import { parseUntil } from '#commons/revalidation/guard-override-parameter';

function memoryTally(): SweepTally & { adds: number } {
  const sweeps = new Map<string, { checked: number; revoked: number; tripped: boolean }>();
  const tally = {
    adds: 0,
    async add(sweepId: string, checked: number, revoked: number) {
      tally.adds++;
      const s = sweeps.get(sweepId) ?? { checked: 0, revoked: 0, tripped: false };
      s.checked += checked;
      s.revoked += revoked;
      sweeps.set(sweepId, s);
      return { ...s };
    },
    async markTripped(sweepId: string) {
      const s = sweeps.get(sweepId)!;
      if (s.tripped) return false;
      s.tripped = true;
      return true;
    },
  };
  return tally;
}

const options = { maxSharePercent: 20, minRevocations: 100 };

describe('MassRevocationGuard', () => {
  it('lets a sweep revoke up to its share of what it checked', async () => {
    const guard = new MassRevocationGuard(memoryTally(), NO_OVERRIDE, options);
    // 200 of 1000 checked: exactly 20%, not more.
    await expect(guard.admit('s', 1000, 200)).resolves.toBe('revoke');
  });

  it('never holds below the floor, whatever the share', async () => {
    const guard = new MassRevocationGuard(memoryTally(), NO_OVERRIDE, options);
    await expect(guard.admit('s', 99, 99)).resolves.toBe('revoke');
  });

  it('holds once the sweep would revoke more than its share and at least the floor, for the rest of that sweep only, tripping once', async () => {
    const tripped: string[] = [];
    const tally = memoryTally();
    const guard = new MassRevocationGuard(tally, NO_OVERRIDE, { ...options, onTripped: (id) => tripped.push(id) });
    await expect(guard.admit('s', 400, 80)).resolves.toBe('revoke');
    await expect(guard.admit('s', 50, 50)).resolves.toBe('hold');
    await expect(guard.admit('s', 1000, 1)).resolves.toBe('hold');
    expect(tripped).toEqual(['s']);
    // Held without asking the shared tally again; another sweep starts fresh.
    expect(tally.adds).toBe(2);
    await expect(guard.admit('next', 10, 1)).resolves.toBe('revoke');
  });

  it('holds on an instance that sees the sweep tripped by another, without logging again', async () => {
    const tally = memoryTally();
    const tripped: string[] = [];
    await new MassRevocationGuard(tally, NO_OVERRIDE, { ...options, onTripped: (id) => tripped.push(id) }).admit('s', 100, 100);
    const other = new MassRevocationGuard(tally, NO_OVERRIDE, { ...options, onTripped: (id) => tripped.push(id) });
    await expect(other.admit('s', 1000, 1)).resolves.toBe('hold');
    expect(tripped).toEqual(['s']);
  });

  it("lets everything through while the operator's override allows the sweep", async () => {
    let allowed = true;
    const override: GuardOverride = { allows: async () => allowed };
    const guard = new MassRevocationGuard(memoryTally(), override, options);
    await expect(guard.admit('s', 100, 100)).resolves.toBe('revoke');
    allowed = false;
    await expect(guard.admit('s', 0, 1)).resolves.toBe('hold');
  });
});

describe('the override parameter', () => {
  it('is an ISO time until which the guard is lifted; anything else is off', () => {
    expect(parseUntil('2026-11-28T18:00:00Z')).toBe(Date.UTC(2026, 10, 28, 18));
    for (const value of [undefined, 'off', '', 'true', '2026-13-45T99:00:00Z']) expect(parseUntil(value)).toBe(0);
  });
});
