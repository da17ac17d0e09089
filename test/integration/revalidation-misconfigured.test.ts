import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '#local/dynamodb-local';
import { type GraphEmulator, startGraphEmulator } from '#local/emulators/graph';
import { type KmsEmulator, startKmsEmulator } from '#local/emulators/kms';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * Our own misconfiguration never revokes and is never blamed on the person. People sign in on a
 * stack with the right credentials; the stack is then restarted, on the same table, key and
 * Facebook, with another app's credentials and with a wrong secret. A sweep revokes nobody (the
 * shares stop as `misconfigured`), and a sign-in answers 500 `internal_error`, never a 401 or 503.
 */
const OURS = { appId: '1234567890123456', appSecret: 'the-right-secret' };
const STAGING = { appId: '6543210987654321', appSecret: 'the-staging-secret' };

let dynamo: DynamoDbLocal;
let kms: KmsEmulator;
let graph: GraphEmulator;
let stack: SweepTestStack | undefined;
const people: { sessionToken: string; sessionId: string; facebookUserId: string }[] = [];

/** A stack on the shared parts, with `credentials`; handlers are imported afresh so they read them. */
async function restartWith(credentials: { appId: string; appSecret: string }): Promise<SweepTestStack> {
  await stack?.close();
  vi.resetModules();
  delete process.env.PUBLIC_BASE_URL;
  stack = await startSweepTestStack({
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_KMS: kms.url,
      GRAPH_API_URL: graph.url,
      FACEBOOK_DIALOG_URL: graph.url,
      FACEBOOK_APP_ID: credentials.appId,
      FACEBOOK_APP_SECRET: credentials.appSecret,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
  });
  return stack;
}

async function signIn(s: SweepTestStack, sessionInfoToken: string) {
  return s.request('POST', '/v1/sessions', { body: { sessionInfoToken } });
}

/** A new person of our app signs in: 500 internal_error (never 401 or 503), and nobody is touched. */
async function expectSignInRefusedAs500(s: SweepTestStack, name: string) {
  const user = graph.createTestUser(OURS.appId, { name });
  const response = await signIn(s, graph.mintSessionInfoToken(OURS.appId, user.id));
  expect(response.status).toBe(500);
  expect(response.json.error.code).toBe('internal_error');
  await expectNobodyRevoked(s);
}

async function expectNobodyRevoked(s: SweepTestStack) {
  const sessions = (await s.scanTable()).filter((item) => item.entity === 'session');
  expect(sessions).toHaveLength(people.length);
  expect(sessions.every((item) => item.status === 'active' && typeof item.sealedToken === 'string')).toBe(true);
}

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  kms = await startKmsEmulator();
  graph = await startGraphEmulator({ apps: [OURS, STAGING] });
  const s = await restartWith(OURS);
  for (const name of ['Ada', 'Grace', 'Hedy']) {
    const user = graph.createTestUser(OURS.appId, { name });
    const response = await signIn(s, graph.mintSessionInfoToken(OURS.appId, user.id));
    expect(response.status).toBe(201);
    people.push({ sessionToken: response.json.sessionToken, sessionId: response.json.sessionToken.split('.')[1], facebookUserId: user.id });
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await graph?.close();
  await kms?.close();
  await dynamo?.close();
});

describe('restarted with another app\'s id and secret (a staging config in production)', () => {
  it('a sweep revokes nobody: Facebook says the tokens are another app\'s, so the shares stop as misconfigured', async () => {
    const s = await restartWith(STAGING);
    graph.resetStats();
    const summary = await s.revalidate();
    expect(summary.revoked).toBe(0);
    expect(summary.errors).toBe(people.length);
    expect(summary.sharesMisconfigured).toBeGreaterThan(0);
    expect(summary.misconfigured).toMatch(/another app/);
    // Refused items are not retried one by one: one batch request per share that had sessions.
    expect(graph.stats().byPath['debug_token'] ?? 0).toBe(0);
    await expectNobodyRevoked(s);
    expect(s.capturedOutput()).toContain('"message":"misconfigured"');
  });

  it('sessions stay usable', async () => {
    const current = await stack!.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${people[0]!.sessionToken}` } });
    expect(current.status).toBe(200);
  });

  it('a sign-in answers 500 internal_error, never 401 wrong_app, and stores nothing', async () => {
    await expectSignInRefusedAs500(stack!, 'Joan');
    expect((await stack!.scanTable()).filter((item) => item.entity === 'user')).toHaveLength(people.length);
  });
});

describe('restarted with our app id and another app\'s secret', () => {
  it('a sweep revokes nobody: the whole batch is refused for our app token, without falling back to single calls', async () => {
    const s = await restartWith({ appId: OURS.appId, appSecret: STAGING.appSecret });
    graph.resetStats();
    const summary = await s.revalidate();
    expect(summary.revoked).toBe(0);
    expect(summary.errors).toBe(people.length);
    expect(summary.sharesMisconfigured).toBeGreaterThan(0);
    expect(graph.stats().byPath['debug_token'] ?? 0).toBe(0);
    await expectNobodyRevoked(s);
  });

  it('a sign-in answers 500 internal_error, never 401 or 503, and stores nothing', async () => {
    await expectSignInRefusedAs500(stack!, 'Katherine');
  });
});

describe('restarted with a wrong secret', () => {
  it('a sweep revokes nobody and a sign-in answers 500', async () => {
    const s = await restartWith({ appId: OURS.appId, appSecret: 'not-the-secret' });
    const summary = await s.revalidate();
    expect(summary).toMatchObject({ revoked: 0, errors: people.length });
    expect(summary.sharesMisconfigured).toBeGreaterThan(0);
    await expectSignInRefusedAs500(s, 'Mary');
    expect(s.capturedOutput()).not.toContain('not-the-secret');
  });

  it('the same stack with the right secret again still finds every session valid', async () => {
    const s = await restartWith(OURS);
    const summary = await s.revalidate();
    expect(summary).toMatchObject({ revoked: 0, valid: people.length, errors: 0 });
  });
});
