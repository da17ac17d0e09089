import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvelopeSealer } from '#commons/crypto/vault';
import type { SessionEndReason } from '#local/emulators/graph';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * The scheduled revalidation end to end on the local stack: the Facebook session ends in the Graph
 * emulator, `POST /_local/revalidate` runs dispatcher → SQS emulator → worker, and the session is
 * refused with the reason, its record kept for audit without the token.
 */
let stack: SweepTestStack;
let authorize: (event: APIGatewayRequestAuthorizerEventV2) => Promise<{ isAuthorized: boolean }>;
const DAY = 86_400_000;

beforeAll(async () => {
  stack = await startSweepTestStack({ otherGraphApps: [{ appId: '999000111222333', appSecret: 'other-app-secret' }] });
  authorize = ((await import('#functions/authorizer')) as { handler: typeof authorize }).handler;
});
afterAll(async () => {
  await stack?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sessionItem = (sessionId: string) => stack.getItem(`SESSION#${sessionId}`, 'SESSION');
const authorizerEvent = (sessionToken: string) =>
  ({ headers: { authorization: `Bearer ${sessionToken}` }, requestContext: { requestId: 'r' } }) as unknown as APIGatewayRequestAuthorizerEventV2;

async function expectRevoked(person: { sessionToken: string; sessionId: string; userId: string }, reason: string, sweptAt: number) {
  const current = await stack.request('GET', '/v1/sessions/current', { headers: bearer(person.sessionToken) });
  expect(current.status).toBe(401);
  expect(current.json).toEqual({ error: { code: 'session_revoked', message: expect.stringContaining(reason), reason } });
  expect((await authorize(authorizerEvent(person.sessionToken))).isAuthorized).toBe(false);

  const item = (await sessionItem(person.sessionId))!;
  expect(item).toMatchObject({ status: 'revoked', revokedReason: reason, userId: person.userId, sessionId: person.sessionId });
  expect(item.revokedAt).toBeGreaterThanOrEqual(sweptAt);
  expect(item.revokedAt).toBeLessThanOrEqual(Date.now());
  // The Facebook token is gone and the session has left the sweep index; the record expires in 90 days.
  expect(item).not.toHaveProperty('sealedToken');
  expect(item).not.toHaveProperty('sweepShard');
  expect(item).not.toHaveProperty('sweepKey');
  expect((item.ttl as number) * 1000).toBeGreaterThanOrEqual((item.revokedAt as number) + 90 * DAY);
  expect((item.ttl as number) * 1000).toBeLessThanOrEqual((item.revokedAt as number) + 90 * DAY + 1000);
  // The session-info token's lock is released.
  expect(await stack.getItem(`SITOKEN#${item.sessionInfoTokenHash as string}`, 'SITOKEN')).toBeUndefined();
}

describe('revocation for each reason Facebook gives', () => {
  it.each([
    ['password_changed'],
    ['app_removed'],
    ['logged_out'],
    ['expired'],
    ['checkpointed'],
    ['invalidated'],
    ['unconfirmed_user'],
  ] as const)('revokes the session when the Facebook session ended with %s', async (reason: SessionEndReason) => {
    const person = await stack.signInNewPerson();
    const bystander = await stack.signInNewPerson();
    expect((await stack.request('GET', '/v1/sessions/current', { headers: bearer(person.sessionToken) })).status).toBe(200);
    stack.graphEmulator().endFacebookSession(person.facebookUserId, reason);

    const sweptAt = Date.now();
    const summary = await stack.revalidate();

    expect(summary.revoked).toBe(1);
    expect(summary.revokedByReason).toEqual({ [reason]: 1 });
    expect(summary.errors).toBe(0);
    expect(summary.deferred).toBe(0);
    await expectRevoked(person, reason, sweptAt);
    expect((await stack.request('GET', '/v1/sessions/current', { headers: bearer(bystander.sessionToken) })).status).toBe(200);
  });

  it('does not revoke when Facebook answers 190 about a token it cannot parse: the answer names no app or user, so it is no verdict about this session', async () => {
    const person = await stack.signInNewPerson();
    const item = (await sessionItem(person.sessionId))!;
    const vault = new EnvelopeSealer(new KMSClient({}), stack.kmsKeyId);
    await stack.updateItem(item.pk as string, 'SESSION', {
      sealedToken: await vault.seal('EAAgarbageThatFacebookCannotParse', { sessionId: person.sessionId, userId: person.userId }),
    });
    const summary = await stack.revalidate();
    expect(summary.revokedByReason).toEqual({});
    expect(summary.deferredByCause).toMatchObject({ unrecognised_answer: 1 });
    expect((await sessionItem(person.sessionId))!.status).toBe('active');
  });

  it('does not revoke when Facebook says the stored token belongs to another app: that is our configuration, the share stops as misconfigured', async () => {
    const person = await stack.signInNewPerson();
    const graph = stack.graphEmulator();
    const stranger = graph.createTestUser('999000111222333');
    const otherAppToken = graph.mintSessionInfoToken('999000111222333', stranger.id);
    const vault = new EnvelopeSealer(new KMSClient({}), stack.kmsKeyId);
    await stack.updateItem(`SESSION#${person.sessionId}`, 'SESSION', {
      sealedToken: await vault.seal(otherAppToken, { sessionId: person.sessionId, userId: person.userId }),
    });
    const summary = await stack.revalidate();
    expect(summary.revokedByReason).toEqual({});
    expect(summary.sharesMisconfigured).toBe(1);
    expect(summary.errors).toBeGreaterThanOrEqual(1);
    expect((await sessionItem(person.sessionId))!.status).toBe('active');
    // Put the right token back, so the stopped shard does not hold back the sweeps of later tests.
    await stack.updateItem(`SESSION#${person.sessionId}`, 'SESSION', {
      sealedToken: await vault.seal(person.sessionInfoToken, { sessionId: person.sessionId, userId: person.userId }),
    });
  });

});

describe('sessions Facebook still vouches for', () => {
  it('are left exactly as they were: no write of any kind', async () => {
    const people = await Promise.all(Array.from({ length: 5 }, () => stack.signInNewPerson()));
    const before = await Promise.all(people.map((p) => sessionItem(p.sessionId)));
    const summary = await stack.revalidate();
    expect(summary.revoked).toBe(0);
    expect(summary.valid).toBeGreaterThanOrEqual(5);
    expect(summary.dynamo.writeUnits).toBe(0);
    const after = await Promise.all(people.map((p) => sessionItem(p.sessionId)));
    expect(after).toEqual(before);
    for (const person of people) {
      expect((await stack.request('GET', '/v1/sessions/current', { headers: bearer(person.sessionToken) })).status).toBe(200);
    }
  });
});

describe('what the sweep does not do', () => {
  it('does not check or touch a revoked session again: the revocation record stays as first written', async () => {
    const person = await stack.signInNewPerson();
    stack.graphEmulator().endFacebookSession(person.facebookUserId, 'logged_out');
    await stack.revalidate();
    const first = await sessionItem(person.sessionId);
    const again = await stack.revalidate();
    expect(again.revoked).toBe(0);
    expect(await sessionItem(person.sessionId)).toEqual(first);
  });

  it('skips a session that has already expired, without asking Facebook, and leaves it to TTL', async () => {
    const person = await stack.signInNewPerson();
    stack.graphEmulator().endFacebookSession(person.facebookUserId, 'password_changed');
    await stack.updateItem(`SESSION#${person.sessionId}`, 'SESSION', { expiresAt: Date.now() - 1000 });
    const live = (await stack.scanTable()).filter((i) => i.entity === 'session' && i.status === 'active' && (i.expiresAt as number) > Date.now()).length;
    stack.graphEmulator().resetStats();
    const summary = await stack.revalidate();
    expect(summary.skipped).toBeGreaterThanOrEqual(1);
    expect(summary.revoked).toBe(0);
    expect(summary.checked).toBe(live);
    expect(stack.graphEmulator().stats().debugTokenChecks).toBe(live);
    expect((await sessionItem(person.sessionId))!.status).toBe('active');
  });

  it('never logs a Facebook token or a session token', async () => {
    const person = await stack.signInNewPerson();
    stack.graphEmulator().endFacebookSession(person.facebookUserId, 'checkpointed');
    await stack.revalidate();
    const output = stack.capturedOutput();
    expect(output).toContain('session revoked');
    expect(output).toContain(person.sessionId);
    expect(output).not.toContain(person.sessionToken);
    expect(output).not.toContain(person.sessionInfoToken);
    expect(output).not.toMatch(/EAA[A-Za-z0-9]{20,}/);
    expect(output).not.toContain('"sealedToken"');
  });
});

describe('POST /_local/revalidate', () => {
  it('answers the sweep summary once every share is done', async () => {
    const response = await stack.request('POST', '/_local/revalidate');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      sweepId: expect.stringMatching(/^sweep-/),
      checked: expect.any(Number),
      valid: expect.any(Number),
      revoked: expect.any(Number),
      deferred: expect.any(Number),
      errors: expect.any(Number),
    });
    const { checked, valid, revoked, deferred, errors } = response.json;
    expect(checked).toBe(valid + revoked + deferred + errors);
    // A handful of sessions: one share pools every shard, and every shard's pass completes.
    expect(response.json.shareRuns).toBe(1);
    expect(response.json.passesCompleted).toBe(64);
    // Nothing is left on the queue.
    expect(stack.sweep.sqs.depth(stack.sweep.queueUrl)).toMatchObject({ visible: 0, inFlight: 0 });
  });
});
