import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RevocationReason } from '#commons/platform/errors';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SweepIndex } from '#commons/storage/sweep-index';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * Shares that outgrow one run, a worker that dies part way through a share, and a share that keeps
 * failing. Pages of 5 sessions and 2 pages per run make a share of a dozen sessions need several
 * runs, chained by continuation messages.
 */
let stack: SweepTestStack;

beforeAll(async () => {
  stack = await startSweepTestStack({ env: { SWEEP_PAGE_SIZE: '5', SWEEP_MAX_PAGES_PER_RUN: '2' } });
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await stack?.close();
});

type Person = Awaited<ReturnType<SweepTestStack['signInNewPerson']>>;

/** People signed in and moved into one shard, so that shard spans several pages. */
async function crowd(shard: string, validCount: number, deadCount: number) {
  const valid: Person[] = [];
  const dead: Person[] = [];
  for (let i = 0; i < validCount; i++) valid.push(await stack.signInNewPerson());
  for (let i = 0; i < deadCount; i++) dead.push(await stack.signInNewPerson());
  for (const person of dead) stack.graphEmulator().endFacebookSession(person.facebookUserId, 'logged_out');
  for (const person of [...valid, ...dead]) await stack.updateItem(`SESSION#${person.sessionId}`, 'SESSION', { sweepShard: shard });
  return { valid, dead };
}

const item = (person: Person) => stack.getItem(`SESSION#${person.sessionId}`, 'SESSION');

describe('a share too big for one run', () => {
  it('queues continuations with its cursor until the shard is done, checking every session exactly once', async () => {
    const { valid, dead } = await crowd('11', 20, 3);
    const live = (await stack.scanTable()).filter((i) => i.entity === 'session' && i.status === 'active').length;
    stack.graphEmulator().resetStats();

    const summary = await stack.revalidate();

    // 23 sessions = 5 pages of 5; 2 pages' worth per run = 3 runs, chained by 2 continuations.
    expect(summary.continuations).toBeGreaterThanOrEqual(2);
    expect(summary.shareRuns).toBe(1 + summary.continuations + summary.sharesHandedOn);
    expect(summary.passesCompleted).toBe(64);
    expect(summary.checked).toBe(live);
    expect(stack.graphEmulator().stats().debugTokenChecks).toBe(live);
    expect(summary.revoked).toBe(3);
    for (const person of dead) expect((await item(person))!.status).toBe('revoked');
    for (const person of valid) expect((await item(person))!.status).toBe('active');
  });
});

describe('a worker that dies part way through a share', () => {
  it('is picked up again from each shard\'s cursor: every dead session is revoked exactly once, none is skipped', async () => {
    const { valid, dead } = await crowd('12', 4, 7);
    const original = RevocationStore.prototype.revokeSession;
    const outcomes: { sessionId: string; result: string }[] = [];
    let calls = 0;
    vi.spyOn(RevocationStore.prototype, 'revokeSession').mockImplementation(async function (this: RevocationStore, sessionId: string, reason: RevocationReason) {
      const outcome = await original.call(this, sessionId, reason);
      outcomes.push({ sessionId, result: outcome.result });
      // The revocation is written, then the worker dies before it can record or go on.
      if (++calls === 3) throw new Error('worker died');
      return outcome;
    });

    const summary = await stack.revalidate();

    // The run that failed held several shards: it handed each on as a share of its own instead of failing.
    expect(summary.failedShareRuns).toBe(0);
    expect(summary.sharesHandedOn).toBeGreaterThan(1);
    expect(summary.deadLettered).toBe(0);
    const revokedIds = outcomes.filter((o) => o.result === 'revoked').map((o) => o.sessionId).sort();
    expect(revokedIds).toEqual(dead.map((p) => p.sessionId).sort());
    for (const person of dead) expect((await item(person))!).toMatchObject({ status: 'revoked', revokedReason: 'logged_out' });
    for (const person of valid) expect((await item(person))!.status).toBe('active');
    // The retry did not even see the sessions revoked before the crash: they left the sweep index.
    expect(outcomes.filter((o) => o.result === 'not_active')).toEqual([]);
  });

  it('keeps the first revocation record as it was when a racing revocation comes second', async () => {
    const { dead } = await crowd('13', 0, 1);
    await stack.revalidate();
    const first = await item(dead[0]!);
    const store = new RevocationStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), stack.tableName, { retentionMs: 90 * 86_400_000 });
    await expect(store.revokeSession(dead[0]!.sessionId, 'invalid')).resolves.toEqual({ result: 'not_active' });
    expect(await item(dead[0]!)).toEqual(first);
  });
});

describe('a share that keeps failing', () => {
  it('splits from the shards it shared with, is retried with backoff and then moved to the dead-letter queue, while the other shards finish', async () => {
    const { dead } = await crowd('14', 1, 1);
    const other = await stack.signInNewPerson();
    stack.graphEmulator().endFacebookSession(other.facebookUserId, 'expired');
    const original = SweepIndex.prototype.readPage;
    vi.spyOn(SweepIndex.prototype, 'readPage').mockImplementation(async function (this: SweepIndex, shard, options) {
      if (shard === '14') throw Object.assign(new Error('User: worker is not authorized to perform: dynamodb:Query'), { name: 'AccessDeniedException' });
      return original.call(this, shard, options);
    });
    if ((await item(other))!.sweepShard === '14') await stack.updateItem(`SESSION#${other.sessionId}`, 'SESSION', { sweepShard: '15' });

    const summary = await stack.revalidate();

    expect(summary.deadLettered).toBe(1);
    expect(summary.failedShareRuns).toBe(5);
    const deadLettered = stack.sweep.sqs.messages(stack.sweep.deadLetterQueueUrl).map((m) => JSON.parse(m.body) as { shards: { shard: string }[] });
    expect(deadLettered.map((m) => m.shards.map((s) => s.shard))).toContainEqual(['14']);
    // Every other shard completed its pass; 14 stays behind, its cursor where it was.
    expect(summary.passesCompleted).toBe(63);
    expect((await item(dead[0]!))!.status).toBe('active');
    expect((await item(other))!).toMatchObject({ status: 'revoked', revokedReason: 'expired' });
    expect(stack.capturedOutput()).toContain('AccessDeniedException');

    vi.restoreAllMocks();
    const next = await stack.revalidate();
    expect(next.deadLettered).toBe(0);
    expect((await item(dead[0]!))!.status).toBe('revoked');
  });
});
