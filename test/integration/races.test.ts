import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '#commons/sessions/session-tokens';
import { startTestStack, type TestResponse, type TestStack } from '#test/support/local-stack';
import { continueInDialog } from '#test/support/login-dialog';

/**
 * The guarantees that only hold if DynamoDB's conditional writes hold them, raced for real: many
 * requests at once through the local stack's HTTP API, against DynamoDB Local, then the table read
 * back. A fake store or an expression string cannot show that the conditions actually exclude
 * each other; this can.
 */
const RACERS = 8;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function newPerson(name = 'Racer') {
  const graph = stack.graphEmulator();
  const user = graph.createTestUser(stack.appId, { name });
  return { facebookUserId: user.id, sessionInfoToken: graph.mintSessionInfoToken(stack.appId, user.id) };
}

/**
 * A sign-in that loses every retry of a race answers today with the generic 500 (the store's
 * ConcurrentUpdateError has no HTTP mapping of its own); what matters here is that it wrote
 * nothing and leaked nothing.
 */
function expectCreatedOrLost(answer: TestResponse): void {
  if (answer.status === 201) return;
  expect(answer.status, answer.text).toBe(500);
  expect(answer.json).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side. Try again later.' } });
}

/** Sends `count` copies of a request at once (none waits for another). */
function race(count: number, send: () => Promise<TestResponse>): Promise<TestResponse[]> {
  return Promise.all(Array.from({ length: count }, send));
}

async function itemsOfPerson(facebookUserId: string) {
  const items = await stack.scanTable();
  const sessions = items.filter((i) => i.entity === 'session' && i.facebookUserId === facebookUserId);
  return { items, sessions, users: items.filter((i) => i.entity === 'user' && i.facebookUserId === facebookUserId) };
}

async function liveTokens(tokens: string[]): Promise<string[]> {
  const answers = await Promise.all(tokens.map(async (token) => ({ token, status: (await stack.request('GET', '/v1/sessions/current', { headers: bearer(token) })).status })));
  for (const answer of answers) expect([200, 401]).toContain(answer.status);
  return answers.filter((a) => a.status === 200).map((a) => a.token);
}

describe('one live session per session-info token', () => {
  it(`holds when ${RACERS} sign-ins with the same new person's token race: one person, one session, one lock`, async () => {
    const person = newPerson();
    const answers = await race(RACERS, () => stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: person.sessionInfoToken } }));

    for (const answer of answers) expectCreatedOrLost(answer);
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    // Racing sign-ins of a new person all found or made the same user.
    expect(new Set(created.map((a) => a.json.user.id)).size).toBe(1);

    const { items, sessions, users } = await itemsOfPerson(person.facebookUserId);
    expect(users).toHaveLength(1);
    expect(items.filter((i) => i.entity === 'facebookUser' && i.userId === users[0]!.userId)).toHaveLength(1);
    expect(sessions).toHaveLength(1);
    const lock = await stack.getItem(`SITOKEN#${sha256Hex(person.sessionInfoToken)}`, 'SITOKEN');
    expect(lock?.sessionId).toBe(sessions[0]!.sessionId);

    const live = await liveTokens(created.map((a) => a.json.sessionToken as string));
    expect(live).toHaveLength(1);
    expect(live[0]!.split('.')[1]).toBe(sessions[0]!.sessionId);
  });

  it(`holds when ${RACERS} sign-ins race to replace a token's live session`, async () => {
    const person = newPerson();
    const first = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: person.sessionInfoToken } });
    expect(first.status).toBe(201);

    const answers = await race(RACERS, () => stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: person.sessionInfoToken } }));

    for (const answer of answers) expectCreatedOrLost(answer);
    const { sessions } = await itemsOfPerson(person.facebookUserId);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.sessionId).not.toBe(first.json.sessionToken.split('.')[1]);
    const live = await liveTokens([first.json.sessionToken, ...answers.filter((a) => a.status === 201).map((a) => a.json.sessionToken as string)]);
    expect(live.map((t) => t.split('.')[1])).toEqual([sessions[0]!.sessionId]);
  });

  it(`holds when ${RACERS} sign-ins race to take over a lock that expired but DynamoDB has not deleted yet`, async () => {
    const person = newPerson();
    const first = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: person.sessionInfoToken } });
    expect(first.status).toBe(201);
    const firstId = first.json.sessionToken.split('.')[1] as string;
    // The first session and its lock lived out their time; TTL deletion is lazy, so both remain.
    const past = Date.now() - 60_000;
    await stack.updateItem(`SESSION#${firstId}`, 'SESSION', { expiresAt: past, ttl: Math.floor(past / 1000) });
    const lockKey = `SITOKEN#${sha256Hex(person.sessionInfoToken)}`;
    await stack.updateItem(lockKey, 'SITOKEN', { ttl: Math.floor(past / 1000) });

    const answers = await race(RACERS, () => stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: person.sessionInfoToken } }));

    for (const answer of answers) expectCreatedOrLost(answer);
    const created = answers.filter((a) => a.status === 201).map((a) => a.json.sessionToken as string);
    expect(created.length).toBeGreaterThanOrEqual(1);
    const unexpired = (await itemsOfPerson(person.facebookUserId)).sessions.filter((s) => (s.expiresAt as number) > Date.now());
    expect(unexpired).toHaveLength(1);
    expect((await stack.getItem(lockKey, 'SITOKEN'))?.sessionId).toBe(unexpired[0]!.sessionId);
    const live = await liveTokens([first.json.sessionToken, ...created]);
    expect(live.map((t) => t.split('.')[1])).toEqual([unexpired[0]!.sessionId]);
  });
});

describe('a sign-in state is spent once', () => {
  /** Login and the emulator's dialog, up to the callback URL a browser would open (with its cookie). */
  async function callbackFor(facebookUserId: string): Promise<{ path: string; cookie: string; state: string }> {
    const login = await fetch(`${stack.url}/v1/auth/facebook/login?returnTo=%2Fapp`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sg_login='))!.split(';')[0]!;
    const dialog = new URL(login.headers.get('location')!);
    const callback = await continueInDialog(dialog, facebookUserId);
    return { path: `${callback.pathname}${callback.search}`, cookie, state: dialog.searchParams.get('state')! };
  }
  const openCallback = (callback: { path: string; cookie: string }) =>
    stack.request('GET', callback.path, { headers: { cookie: callback.cookie, accept: 'application/json' } });
  const graphCalls = () => stack.graphEmulator().stats().requests;

  it(`when the same callback URL is opened ${RACERS} times at once, exactly one opens a session and only it reaches Facebook`, async () => {
    // What one sign-in asks of Facebook (code exchange, long-lived exchange, attenuation, check).
    const alone = await callbackFor(newPerson('Alone').facebookUserId);
    stack.graphEmulator().resetStats();
    expect((await openCallback(alone)).status).toBe(302);
    const callsForOneSignIn = graphCalls();
    expect(callsForOneSignIn).toBeGreaterThan(0);

    const person = newPerson('Callback Racer');
    const callback = await callbackFor(person.facebookUserId);
    stack.graphEmulator().resetStats();
    const answers = await race(RACERS, () => openCallback(callback));

    const winners = answers.filter((a) => a.status === 302);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.headers.getSetCookie().some((c) => c.startsWith('sg_session=sg1.'))).toBe(true);
    for (const loser of answers.filter((a) => a.status !== 302)) {
      expect(loser.status).toBe(400);
      expect(loser.json.error.code).toBe('login_state_invalid');
      expect(loser.headers.getSetCookie().some((c) => c.startsWith('sg_session='))).toBe(false);
    }
    // The state is spent before the code is used: the losers never took the code to Facebook.
    expect(graphCalls()).toBe(callsForOneSignIn);
    expect(await stack.getItem(`OAUTHSTATE#${sha256Hex(callback.state)}`, 'OAUTHSTATE')).toBeUndefined();
    expect((await itemsOfPerson(person.facebookUserId)).sessions).toHaveLength(1);
  });
});
