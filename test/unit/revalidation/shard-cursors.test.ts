import { describe, expect, it, vi } from 'vitest';
import { AppUsageGate } from '#commons/revalidation/app-usage-gate';
import type { BatchTokenChecker, TokenCheckOutcome } from '#commons/facebook/graph-batch';
import type { DebugTokenAnswer } from '#commons/facebook/debug-token';
import type { SweepEntry } from '#commons/revalidation/ports';
import { checkShare, type RevalidationDeps, type SweepOptions } from '#commons/revalidation/revalidation';
import { dispatchSweep, planSweep, type ShardCursor, type ShardCursorRepository } from '#commons/revalidation/shard-cursors';
import type { SweepShare } from '#commons/revalidation/sweep-queue';
import { sweepShards } from '#commons/storage/schema';
import { FakeIndex } from '#test/support/fake-sweep-index';

/**
 * The sweep's per-shard cursors: where a pass stands is kept between sweeps, so a sweep that stops
 * early (app usage, time) does not send the next one back to the head, and a share spanning shards
 * keeps each shard's position right.
 */
const NOW = Date.UTC(2025, 0, 15, 12);
const MINUTE = 60_000;
const SWEEP = 'sweep-cursors';

/** An in-memory ShardCursorRepository with the store's conditions. */
class FakeCursors implements ShardCursorRepository {
  readonly items = new Map<string, ShardCursor>();
  readonly writes: string[] = [];
  async readAll() {
    return [...this.items.values()];
  }
  async advance(shard: string, pass: number, cursor?: string) {
    this.writes.push(`advance ${shard} ${cursor ?? 'head'}`);
    const item = this.items.get(shard);
    if (item && item.passStartedAt !== pass) return false;
    this.items.set(shard, { shard, passStartedAt: pass, ...(cursor ? { cursor } : {}) });
    return true;
  }
  async completePass(shard: string, pass: number) {
    this.writes.push(`complete ${shard}`);
    if (this.items.get(shard)?.passStartedAt !== pass) return false;
    this.items.delete(shard);
    return true;
  }
}

const entry = (shard: string, n: number): SweepEntry => ({
  sessionId: `ses_${shard}_${String(n).padStart(4, '0')}`,
  userId: `usr_${shard}_${n}`,
  facebookUserId: '2',
  sealedToken: `sealed-${shard}-${n}`,
  expiresAt: NOW + 86_400_000,
  status: 'active',
});
const shardOf = (shard: string, count: number) => Array.from({ length: count }, (_, n) => entry(shard, n));
const VALID: DebugTokenAnswer = { kind: 'described', token: { appId: '1', userId: '2', type: 'USER', scopes: [], metadata: {}, isValid: true, expiresAt: 0 } };

class CountingChecker implements BatchTokenChecker {
  appUsagePercent: number | undefined;
  batches: string[][] = [];
  usage = 0;
  async debugTokens(tokens: readonly string[]): Promise<TokenCheckOutcome[]> {
    this.batches.push([...tokens]);
    this.appUsagePercent = this.usage;
    return tokens.map(() => VALID);
  }
  /** Every session id sent to Facebook so far. */
  checkedSessions(): Set<string> {
    return new Set(this.batches.flat().map((token) => token.replace('token-of-', '')));
  }
}

function setup(byShard: Record<string, SweepEntry[]>, options: Partial<SweepOptions> = {}) {
  const index = new FakeIndex([], byShard);
  const cursors = new FakeCursors();
  const checker = new CountingChecker();
  const sent: SweepShare[] = [];
  let clock = NOW;
  const deps: RevalidationDeps = {
    index,
    cursors,
    appId: '1',
    revocations: { revokeSession: vi.fn(async () => ({ result: 'revoked' as const })) },
    vault: { open: async (_sealed: string, binding: { sessionId: string }) => `token-of-${binding.sessionId}` },
    checker,
    queue: { send: async (shares) => void sent.push(...shares) },
    usage: new AppUsageGate({ slowdownPercent: 60, stopPercent: 80 }),
    options: { pageSize: 100, maxPagesPerRun: 40, batchConcurrency: 1, slowdownPauseMs: 0, timeReserveMs: 30_000, ...options },
    now: () => clock,
  };
  const plenty = { remainingMs: () => 600_000 };
  /** One sweep as AWS runs it: the dispatcher's share, then every share it leads to, in order. */
  async function sweep(n: number) {
    const sweepId = `${SWEEP}-${n}`;
    clock += 15 * MINUTE;
    const queued: SweepShare[] = [];
    const dispatched = await dispatchSweep({ send: async (shares) => void queued.push(...shares) }, cursors, sweepId, Object.keys(byShard).sort(), clock);
    const results = [];
    while (queued.length > 0) {
      sent.length = 0;
      results.push(await checkShare(deps, queued.shift()!, plenty));
      queued.push(...sent);
    }
    return { dispatched, results };
  }
  return { deps, index, cursors, checker, sent, sweep, plenty, advanceClock: (ms: number) => (clock += ms) };
}

describe('planning a sweep from the shard cursors', () => {
  it('with no pass in progress: every shard in one share at part 0, from its head, and a lag of 0, without a write', async () => {
    const cursors = new FakeCursors();
    const sent: SweepShare[] = [];
    const result = await dispatchSweep({ send: async (shares) => void sent.push(...shares) }, cursors, SWEEP, sweepShards(), NOW);
    expect(result).toEqual({ sweepId: SWEEP, shares: 1, lagSeconds: 0 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.part).toBe(0);
    expect(sent[0]!.shards).toEqual(sweepShards().map((shard) => ({ shard, pass: NOW })));
    expect(cursors.writes).toEqual([]);
  });

  it('puts the passes in progress first, oldest first, then the others from just after the newest, and reports the oldest as the lag', async () => {
    const cursors = new FakeCursors();
    cursors.items.set('01', { shard: '01', passStartedAt: NOW - 45 * MINUTE, cursor: 'c-01' });
    cursors.items.set('02', { shard: '02', passStartedAt: NOW - 20 * MINUTE, cursor: 'c-02' });
    const plan = await planSweep(cursors, ['00', '01', '02', '03'], NOW);
    expect(plan.slots).toEqual([
      { shard: '01', cursor: 'c-01', pass: NOW - 45 * MINUTE, stored: true },
      { shard: '02', cursor: 'c-02', pass: NOW - 20 * MINUTE, stored: true },
      { shard: '03', pass: NOW },
      { shard: '00', pass: NOW },
    ]);
    expect(plan.lagSeconds).toBe(45 * 60);
  });
});

describe('a share keeps its shards\' cursors', () => {
  it('ends every pass it checks to the end: a stored cursor is deleted, a pass begun and ended in the run writes nothing', async () => {
    const { deps, cursors } = setup({ '00': shardOf('00', 3), '01': shardOf('01', 2) });
    cursors.items.set('00', { shard: '00', passStartedAt: NOW - MINUTE, cursor: '1' });
    const result = await checkShare(deps, { sweepId: SWEEP, shards: [{ shard: '00', cursor: '1', pass: NOW - MINUTE, stored: true }, { shard: '01', pass: NOW }], part: 0 }, { remainingMs: () => 600_000 });
    expect(result).toMatchObject({ checked: 4, passesCompleted: 2, stoppedForAppUsage: false });
    expect(cursors.items.size).toBe(0);
    expect(cursors.writes).toEqual(['complete 00']);
  });

  it('pools small shards into full Graph batches: 400 sessions over 64 shards in 8 requests, and no write', async () => {
    const byShard = Object.fromEntries(sweepShards().map((shard, i) => [shard, shardOf(shard, i < 16 ? 7 : 6)]));
    const { checker, cursors, sweep } = setup(byShard, { pageSize: 500, batchConcurrency: 4 });
    const { results } = await sweep(1);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ checked: 400, valid: 400, passesCompleted: 64, handedOn: 0 });
    expect(checker.batches.map((batch) => batch.length)).toEqual([50, 50, 50, 50, 50, 50, 50, 50]);
    expect(cursors.writes).toEqual([]);
  });

  it('hands the shards it has not started to shares of their own once it has read enough, sized by what it read', async () => {
    const shards = ['00', '01', '02', '03', '04', '05', '06', '07'];
    const byShard = Object.fromEntries(shards.map((shard) => [shard, shardOf(shard, 40)]));
    const { checker, sweep } = setup(byShard, { pageSize: 50, shareTargetSessions: 100 });
    const { results } = await sweep(1);
    // The first share reads 00..02 (120 sessions, 40 a shard), then gives 03..07 away two shards a share.
    expect(results[0]).toMatchObject({ checked: 120, handedOn: 3, passesCompleted: 3 });
    expect(results.slice(1).map((r) => r.shard)).toEqual(['03,04', '05,06', '07']);
    expect(results.reduce((sum, r) => sum + r.passesCompleted, 0)).toBe(8);
    expect(checker.checkedSessions().size).toBe(320);
  });

  it('stopped for app usage mid-chunk: stores the last session checked, and the next sweep resumes there', async () => {
    const { checker, cursors, sweep } = setup({ '00': shardOf('00', 30), '01': shardOf('01', 30) }, { pageSize: 100, batchSize: 20 } as Partial<SweepOptions>);
    checker.usage = 90;
    const first = await sweep(1);
    // One batch of 20 went out before Facebook said stop: 20 of shard 00 checked, the rest left.
    expect(first.results[0]).toMatchObject({ stoppedForAppUsage: true, valid: 20, deferred: 40, passesCompleted: 0 });
    expect([...cursors.items.values()]).toEqual([{ shard: '00', passStartedAt: expect.any(Number), cursor: '20' }]);
    const second = await sweep(2);
    // Shard 00 resumes after its 20th session: the next batch is 00's last 10 and 01's first 10.
    expect(checker.batches[1]).toEqual([...shardOf('00', 30).slice(20), ...shardOf('01', 10)].map((e) => `token-of-${e.sessionId}`));
    expect(second.results[0]).toMatchObject({ passesCompleted: 1 });
    expect([...cursors.items.values()]).toEqual([{ shard: '01', passStartedAt: expect.any(Number), cursor: '10' }]);
  });

  it('stopped at a shard boundary: the untouched shard it stopped before is marked in progress, so the next sweep starts there', async () => {
    const { checker, cursors, sweep } = setup({ '00': shardOf('00', 20), '01': shardOf('01', 20), '02': shardOf('02', 20) }, { pageSize: 100, batchSize: 20 } as Partial<SweepOptions>);
    checker.usage = 90;
    await sweep(1);
    expect([...cursors.items.values()]).toEqual([{ shard: '01', passStartedAt: expect.any(Number) }]);
    await sweep(2);
    await sweep(3);
    // 00, then 01, then 02: never 00 again before 02 had its turn.
    expect(checker.batches.map((batch) => batch[0]!.slice(13, 15))).toEqual(['00', '01', '02']);
  });

  it('under sustained app usage every session is still checked, one batch a sweep, and the lag says how old the oldest pass in progress is', async () => {
    const byShard = { '00': shardOf('00', 45), '01': shardOf('01', 25), '02': shardOf('02', 30) };
    const { checker, sweep } = setup(byShard, { pageSize: 100, batchSize: 20 } as Partial<SweepOptions>);
    checker.usage = 95;
    const lags: number[] = [];
    for (let n = 1; n <= 5; n++) lags.push((await sweep(n)).dispatched.lagSeconds);
    expect(checker.batches).toHaveLength(5);
    expect(checker.checkedSessions().size).toBe(100);
    // Shard 00's pass took three sweeps (the lag grew a sweep interval at a time), the others one or two.
    expect(lags).toEqual([0, 15 * 60, 30 * 60, 15 * 60, 15 * 60]);
    checker.usage = 0;
    await sweep(6);
    // With the pressure gone every pass ends within its sweep: nothing is in progress.
    expect((await sweep(7)).dispatched.lagSeconds).toBe(0);
  });

  it('a share out of time stores where it got to and queues the rest from there', async () => {
    const { deps, cursors, sent } = setup({ '00': shardOf('00', 30), '01': shardOf('01', 10) }, { pageSize: 10 });
    let remaining = 100_000;
    const result = await checkShare(deps, { sweepId: SWEEP, shards: [{ shard: '00', pass: NOW }, { shard: '01', pass: NOW }], part: 0 }, { remainingMs: () => (remaining -= 30_000) });
    expect(result).toMatchObject({ checked: 20, continued: true });
    expect(sent).toEqual([{ sweepId: SWEEP, shards: [{ shard: '00', cursor: '20', pass: NOW, stored: true }, { shard: '01', pass: NOW }], part: 1 }]);
    expect([...cursors.items.values()]).toEqual([{ shard: '00', passStartedAt: NOW, cursor: '20' }]);
  });

  it('a stale run (an earlier sweep\'s continuation) neither moves nor ends a pass that is not its own', async () => {
    const { deps, cursors } = setup({ '00': shardOf('00', 5) });
    cursors.items.set('00', { shard: '00', passStartedAt: NOW, cursor: '2' });
    const result = await checkShare(deps, { sweepId: SWEEP, shards: [{ shard: '00', pass: NOW - 15 * MINUTE, stored: true }], part: 3 }, { remainingMs: () => 600_000 });
    expect(result).toMatchObject({ checked: 5, passesCompleted: 0 });
    expect(cursors.items.get('00')).toEqual({ shard: '00', passStartedAt: NOW, cursor: '2' });
  });

  it('misconfigured: nothing is stored, the next sweep starts where the last good one left', async () => {
    const { deps, cursors, checker } = setup({ '00': shardOf('00', 5), '01': shardOf('01', 5) });
    checker.debugTokens = async (tokens) => tokens.map((): TokenCheckOutcome => ({ kind: 'wrong_app' }));
    const result = await checkShare(deps, { sweepId: SWEEP, shards: [{ shard: '00', pass: NOW }, { shard: '01', pass: NOW }], part: 0 }, { remainingMs: () => 600_000 });
    expect(result.misconfigured).toBeDefined();
    expect(cursors.writes).toEqual([]);
  });
});
