import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EnvelopeSealer } from '#commons/crypto/vault';
import type { GraphFault } from '#local/emulators/graph';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * Transient trouble never revokes anything: with faults injected into the Graph emulator (and KMS
 * throttling), sessions whose Facebook session really ended are left for the next sweep and the
 * trouble is counted; once the trouble passes, the next sweep revokes them and only them.
 */
const SWEEP_GRAPH_TIMEOUT_MS = 400;
let stack: SweepTestStack;

beforeAll(async () => {
  stack = await startSweepTestStack({ env: { SWEEP_GRAPH_TIMEOUT_MS: String(SWEEP_GRAPH_TIMEOUT_MS) } });
});
afterEach(() => {
  stack?.graphEmulator().clearFaults();
});
afterAll(async () => {
  await stack?.close();
});

type Person = Awaited<ReturnType<SweepTestStack['signInNewPerson']>>;

async function status(person: Person): Promise<number> {
  return (await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${person.sessionToken}` } })).status;
}

/** Three people Facebook still vouches for and two whose Facebook session ended (password change). */
async function population(shard?: string) {
  const valid = await Promise.all([1, 2, 3].map(() => stack.signInNewPerson()));
  const dead = await Promise.all([1, 2].map(() => stack.signInNewPerson()));
  for (const person of dead) stack.graphEmulator().endFacebookSession(person.facebookUserId, 'password_changed');
  if (shard) {
    for (const person of [...valid, ...dead]) await stack.updateItem(`SESSION#${person.sessionId}`, 'SESSION', { sweepShard: shard });
  }
  return { valid, dead };
}

async function expectAllActive(people: Person[]) {
  for (const person of people) {
    expect(await status(person)).toBe(200);
    expect((await stack.getItem(`SESSION#${person.sessionId}`, 'SESSION'))!.status).toBe('active');
  }
}

async function expectRecoveryRevokesOnlyTheDead({ valid, dead }: { valid: Person[]; dead: Person[] }) {
  stack.graphEmulator().clearFaults();
  const summary = await stack.revalidate();
  expect(summary.revoked).toBe(dead.length);
  expect(summary.revokedByReason).toEqual(dead.length > 0 ? { password_changed: dead.length } : {});
  expect(summary.deferred).toBe(0);
  for (const person of dead) expect(await status(person)).toBe(401);
  await expectAllActive(valid);
}

describe('a whole batch failing transiently', () => {
  it.each<[string, GraphFault]>([
    ['HTTP 500', { kind: 'http_status', status: 500 }],
    ['HTTP 503', { kind: 'http_status', status: 503 }],
    ['a timeout', { kind: 'timeout', delayMs: SWEEP_GRAPH_TIMEOUT_MS * 3 }],
    ['code 1 (unknown error)', { kind: 'error_code', code: 1 }],
    ['code 2 (service error)', { kind: 'error_code', code: 2 }],
    ['code 4 (app rate limit)', { kind: 'error_code', code: 4 }],
    ['code 17 (user rate limit)', { kind: 'error_code', code: 17 }],
    ['code 613 (call rate limit)', { kind: 'error_code', code: 613 }],
    ['a malformed answer', { kind: 'malformed' }],
  ])('%s: nothing is revoked, every session is deferred, and the next sweep catches up', async (_label, fault) => {
    const people = await population();
    stack.graphEmulator().injectFault(fault, { path: 'batch' });

    const summary = await stack.revalidate();

    expect(summary.revoked).toBe(0);
    expect(summary.errors).toBe(0);
    expect(summary.deferred).toBe(summary.checked);
    expect(summary.deferredByCause.graph).toBeGreaterThanOrEqual(5);
    await expectAllActive([...people.valid, ...people.dead]);
    await expectRecoveryRevokesOnlyTheDead(people);
  });
});

describe('a batch with some items failed', () => {
  it.each([
    ['code 2 on every second item', 2, 2],
    ['code 613 on every third item', 613, 3],
    ['code 1 on every item', 1, 1],
  ])('%s: the failed items are deferred, the others decided, no valid session is revoked', async (_label, code, everyNth) => {
    const people = await population('42');
    stack.graphEmulator().injectFault({ kind: 'batch_item_error', code, everyNth }, { path: 'batch' });

    const summary = await stack.revalidate();

    expect(summary.deferred).toBeGreaterThanOrEqual(1);
    expect(summary.deferredByCause).toEqual({ graph: summary.deferred });
    expect(summary.errors).toBe(0);
    expect(summary.revoked).toBeLessThanOrEqual(people.dead.length);
    await expectAllActive(people.valid);
    const stillActive = [];
    for (const person of people.dead) if ((await status(person)) === 200) stillActive.push(person);
    expect(summary.revoked + stillActive.length).toBe(people.dead.length);
    // The next sweep revokes the dead sessions that were deferred, and no other.
    await expectRecoveryRevokesOnlyTheDead({ valid: people.valid, dead: stillActive });
  });
});

describe('a batch refused for a reason retrying will not fix', () => {
  it('refused as a whole: no fallback to single calls, nobody revoked, the share stops as misconfigured', async () => {
    const people = await population();
    stack.graphEmulator().injectFault({ kind: 'error_code', code: 100, status: 400 }, { path: 'batch' });
    stack.graphEmulator().resetStats();

    const summary = await stack.revalidate();

    expect(summary.revoked).toBe(0);
    expect(summary.sharesMisconfigured).toBeGreaterThan(0);
    expect(stack.graphEmulator().stats().byPath.debug_token ?? 0).toBe(0);
    await expectAllActive([...people.valid, ...people.dead]);

    // Facebook takes our calls again: the next sweep decides every session.
    stack.graphEmulator().clearFaults();
    const next = await stack.revalidate();
    expect(next.revoked).toBe(2);
    for (const person of people.dead) expect(await status(person)).toBe(401);
  });

  it('refused item by item: those items fall back to single debug_token calls and every session is decided', async () => {
    const people = await population();
    stack.graphEmulator().injectFault({ kind: 'batch_item_error', code: 100, everyNth: 1 }, { path: 'batch' });
    stack.graphEmulator().resetStats();

    const summary = await stack.revalidate();

    expect(summary.revoked).toBe(2);
    expect(summary.deferred).toBe(0);
    expect(stack.graphEmulator().stats().byPath.debug_token).toBe(summary.checked);
    for (const person of people.dead) expect(await status(person)).toBe(401);
    await expectAllActive(people.valid);
  });
});

describe('KMS throttling', () => {
  it('defers the sessions whose tokens cannot be opened now, and revokes only what it could check', async () => {
    const people = await population();
    // Reseal two tokens under a fresh data key, which the worker has not cached yet.
    const vault = new EnvelopeSealer(new KMSClient({}), stack.kmsKeyId, { dataKeyMaxUses: 2 });
    for (const person of [people.valid[0]!, people.dead[0]!]) {
      await stack.updateItem(`SESSION#${person.sessionId}`, 'SESSION', {
        sealedToken: await vault.seal(person.sessionInfoToken, { sessionId: person.sessionId, userId: person.userId }),
      });
    }
    const kms = stack.kms!;
    kms.failNext('Decrypt', 'ThrottlingException', 1000);

    const summary = await stack.revalidate();

    expect(summary.deferredByCause.vault).toBe(2);
    expect(summary.revoked).toBe(1);
    expect(await status(people.dead[0]!)).toBe(200);
    expect(await status(people.dead[1]!)).toBe(401);
    await expectAllActive(people.valid);

    // Let KMS recover: replace the remaining faults with one and spend it.
    kms.failNext('Decrypt', 'ThrottlingException', 1);
    await new KMSClient({ maxAttempts: 1 }).send(new DecryptCommand({ CiphertextBlob: Buffer.from('x') })).catch(() => undefined);
    const next = await stack.revalidate();
    expect(next.revoked).toBe(1);
    expect(next.deferred).toBe(0);
    expect(await status(people.dead[0]!)).toBe(401);
    await expectAllActive(people.valid);
  });
});
