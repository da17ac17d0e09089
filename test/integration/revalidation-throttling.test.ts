import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * Facebook's `X-App-Usage` steers the sweep: in the slow-down band it pauses before each Graph
 * batch; at the stop threshold it stops and leaves the rest for the next run, counting what it
 * read but did not check as deferred; the next sweep resumes after the last session checked
 * (the shard's cursor). One Graph batch at a time per share here, so the order of batches (and so
 * what is left over) is certain.
 */
const PAUSE_MS = 150;
let stack: SweepTestStack;
/** Dead sessions the stopped sweep still revoked (Facebook's answers in its one batch are real). */
let revokedBeforeStop = 0;

beforeAll(async () => {
  stack = await startSweepTestStack({
    env: { SWEEP_BATCH_CONCURRENCY: '1', APP_USAGE_SLOWDOWN_PERCENT: '60', APP_USAGE_STOP_PERCENT: '80', APP_USAGE_SLOWDOWN_PAUSE_MS: String(PAUSE_MS) },
  });
  // 120 people in one shard: three Graph batches (50, 50, 20) in one page; 10 of them signed out of Facebook.
  const people = [];
  for (let i = 0; i < 120; i++) people.push(await stack.signInNewPerson());
  for (const person of people) await stack.updateItem(`SESSION#${person.sessionId}`, 'SESSION', { sweepShard: '21' });
  for (const person of people.slice(110)) stack.graphEmulator().endFacebookSession(person.facebookUserId, 'password_changed');
}, 120_000);
afterEach(() => {
  stack?.graphEmulator().setAppUsage(0);
});
afterAll(async () => {
  await stack?.close();
});

// One story in three steps (the stop leaves sessions the later sweeps count), so never shuffled.
describe('Facebook app usage', { shuffle: false }, () => {
  it('at the stop threshold: the sweep stops after the batch that reported it, the rest is deferred for the next run', async () => {
    stack.graphEmulator().setAppUsage(85);
    stack.graphEmulator().resetStats();

    const summary = await stack.revalidate();

    expect(stack.graphEmulator().stats().batchRequests).toBe(1);
    expect(summary).toMatchObject({ checked: 120, deferred: 70, deferredByCause: { app_usage: 70 }, errors: 0, continuations: 0 });
    expect(summary.valid + summary.revoked).toBe(50);
    revokedBeforeStop = summary.revoked;
    expect(summary.sharesStoppedForAppUsage).toBeGreaterThanOrEqual(1);
    // Nothing is queued to carry on: the next scheduled sweep resumes from the shard's cursor.
    expect(stack.sweep.sqs.depth(stack.sweep.queueUrl)).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('in the slow-down band: the next sweep checks the 70 left, with a pause before each batch after the first', async () => {
    stack.graphEmulator().setAppUsage(70);
    stack.graphEmulator().resetStats();
    const summary = await stack.revalidate();
    expect(summary).toMatchObject({ checked: 70, valid: 60 + revokedBeforeStop, revoked: 10 - revokedBeforeStop, deferred: 0 });
    expect(stack.graphEmulator().stats().batchRequests).toBe(2);
    expect(summary.durationMs).toBeGreaterThanOrEqual(PAUSE_MS);
  });

  it('below the slow-down band: a new sweep checks everything at full speed', async () => {
    const summary = await stack.revalidate();
    expect(summary).toMatchObject({ checked: 110, valid: 110, deferred: 0, sharesStoppedForAppUsage: 0 });
  });
});
