import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/** The local stack sweeps by itself on its timer (`SWEEP_INTERVAL_SECONDS` for `npm start`). */
let stack: SweepTestStack;
const lines: string[] = [];

beforeAll(async () => {
  stack = await startSweepTestStack({ sweep: { intervalSeconds: 1, log: (line) => lines.push(line) } });
});
afterAll(async () => {
  await stack?.close();
});

describe('the local sweep timer', () => {
  it('revokes a session whose Facebook session ended without anyone calling /_local/revalidate', async () => {
    const person = await stack.signInNewPerson();
    stack.graphEmulator().endFacebookSession(person.facebookUserId, 'app_removed');
    const deadline = Date.now() + 15_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${person.sessionToken}` } })).status;
    }
    expect(status).toBe(401);
    // The revocation bites mid-sweep; the sweep's line comes when all its shares are done.
    const logged = () => lines.some((line) => /^\[sweep\] sweep-\S+: checked \d+, valid \d+, revoked 1 \(app_removed 1\)/.test(line));
    while (!logged() && Date.now() < deadline + 5_000) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logged()).toBe(true);
  });

  it('runs a requested sweep after the one in progress, never two at once', async () => {
    // Enough sessions that a sweep takes a while.
    for (let i = 0; i < 5; i++) await stack.signInNewPerson(`Sweeper ${i}`);
    const started = Date.now();
    const [a, b] = await Promise.all([stack.revalidate(), stack.revalidate()]);
    const elapsed = Date.now() - started;
    expect(a.sweepId).not.toBe(b.sweepId);
    // One after the other, the two sweeps fit inside the time both requests took, end to end. Run
    // at once, each would drain the shared queue until both were done, and each would last about
    // as long as the pair.
    expect(a.durationMs).toBeGreaterThan(0);
    expect(b.durationMs).toBeGreaterThan(0);
    expect(a.durationMs + b.durationMs).toBeLessThanOrEqual(elapsed);
    expect(a.shareRuns).toBe(1);
    expect(b.shareRuns).toBe(1);
    expect(a.passesCompleted + b.passesCompleted).toBe(128);
  });
});
