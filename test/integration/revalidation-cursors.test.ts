import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '#local/sweep';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * Facebook's app usage held above the stop threshold for sweep after sweep: each sweep gets one
 * Graph batch out (one batch in flight, 50 tokens) before it must stop. Without the shard cursors
 * every sweep would start again from the head of the index and check the same 50 sessions; with
 * them each sweep resumes where the last one stopped, so every live session is checked in turn.
 */
const PEOPLE = 130;
let stack: SweepTestStack;
let people: Awaited<ReturnType<SweepTestStack['signInNewPerson']>>[] = [];

beforeAll(async () => {
  stack = await startSweepTestStack({ env: { SWEEP_BATCH_CONCURRENCY: '1', APP_USAGE_SLOWDOWN_PERCENT: '60', APP_USAGE_STOP_PERCENT: '80' } });
  people = [];
  for (let i = 0; i < PEOPLE; i++) people.push(await stack.signInNewPerson());
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

describe('sustained app usage above the stop threshold', { shuffle: false }, () => {
  it('every session is still checked, a batch a sweep, each sweep resuming where the last stopped', async () => {
    const graph = stack.graphEmulator();
    graph.setAppUsage(95);
    graph.resetStats();
    const summaries: SweepSummary[] = [];
    for (let sweep = 1; sweep <= 3; sweep++) {
      summaries.push(await stack.revalidate());
      // One batch of 50 went out, then Facebook's usage stopped the sweep.
      expect(graph.stats().batchRequests).toBe(sweep);
      expect(summaries.at(-1)).toMatchObject({ sharesStoppedForAppUsage: 1, valid: 50, revoked: 0, errors: 0 });
    }
    // 130 sessions in three sweeps of one batch each: none was left out.
    const unchecked = people.filter((person) => !graph.wasChecked(person.sessionInfoToken));
    expect(unchecked).toEqual([]);
    // Every shard got to its end at least once; nothing was queued to carry on between sweeps.
    expect(summaries.reduce((sum, s) => sum + s.passesCompleted, 0)).toBeGreaterThanOrEqual(64);
    expect(stack.sweep.sqs.depth(stack.sweep.queueUrl)).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('the cursor of the pass in progress is in the table, and the dispatcher reports its age as the lag', async () => {
    const cursors = (await stack.scanTable()).filter((item) => item.entity === 'shardCursor');
    expect(cursors.length).toBeGreaterThanOrEqual(1);
    expect(cursors.every((item) => item.pk === 'SWEEPCURSOR#sweep' && /^SHARD#\d{2}$/.test(item.sk as string) && typeof item.passStartedAt === 'number')).toBe(true);
    const oldestPass = Math.min(...cursors.map((item) => item.passStartedAt as number));
    const before = Date.now();
    const summary = await stack.revalidate();
    expect(summary.lagSeconds).toBeGreaterThanOrEqual(Math.floor((before - oldestPass) / 1000));
    expect(summary.lagSeconds).toBeLessThan(600);
  });

  it('once the pressure is gone, a sweep checks everyone and completes every shard\'s pass', async () => {
    stack.graphEmulator().setAppUsage(0);
    await stack.revalidate();
    const summary = await stack.revalidate();
    expect(summary).toMatchObject({ checked: PEOPLE, valid: PEOPLE, deferred: 0, passesCompleted: 64, sharesStoppedForAppUsage: 0, lagSeconds: 0 });
    // Every pass ended: no cursor is left, and a healthy sweep wrote nothing at all.
    expect((await stack.scanTable()).filter((item) => item.entity === 'shardCursor')).toEqual([]);
    expect(summary.dynamo.writeUnits).toBe(0);
  });
});
