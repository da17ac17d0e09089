import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSignedRequest } from '#local/signed-request-signer';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * Issue 8's callback rules and sign-in races on the local stack (real handlers, DynamoDB Local):
 * only callbacks are accepted, one request is one deletion whatever its encoding, an app removal
 * spares the sessions begun after it, a sign-in never overwrites a person being erased, losing a
 * race is a 503 and never a 500, and one person's live sessions are capped.
 */
let stack: TestStack;

const MAX_AGE_SECONDS = 3600;
const CAP = 3;

beforeAll(async () => {
  stack = await startTestStack({ env: { SIGNED_REQUEST_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS), MAX_LIVE_SESSIONS_PER_PERSON: String(CAP) } });
});
afterAll(async () => {
  await stack?.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

function newPerson() {
  return stack.graphEmulator().createTestUser(stack.appId).id;
}

async function signIn(facebookUserId: string, sessionInfoToken = stack.graphEmulator().mintSessionInfoToken(stack.appId, facebookUserId)) {
  const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken } });
  expect(response.status).toBe(201);
  return { sessionToken: response.json.sessionToken as string, userId: response.json.user.id as string };
}

function callback(path: string, signedRequest: string) {
  return stack.request('POST', path, {
    rawBody: `signed_request=${encodeURIComponent(signedRequest)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

async function current(sessionToken: string) {
  return stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${sessionToken}` } });
}

describe('callbacks accept only callbacks', () => {
  it.each([
    ['/v1/facebook/deauthorize', { code: 'AQD-login-cookie-code' }],
    ['/v1/facebook/deauthorize', { oauth_token: 'EAAB-canvas-token' }],
    ['/v1/facebook/data-deletion', { code: 'AQD-login-cookie-code' }],
    ['/v1/facebook/data-deletion', { oauth_token: 'EAAB-canvas-token' }],
  ])('%s refuses a signed request carrying %o (a login cookie or canvas request), touching nothing', async (path, extra) => {
    const facebookUserId = newPerson();
    const { sessionToken } = await signIn(facebookUserId);
    const response = await callback(path, signSignedRequest({ user_id: facebookUserId, ...extra }, stack.appSecret));
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('invalid_signed_request');
    expect((await current(sessionToken)).status).toBe(200);
  });

  it('applies SIGNED_REQUEST_MAX_AGE_SECONDS: a request older than it is refused, a younger one served', async () => {
    const facebookUserId = newPerson();
    const tooOld = signSignedRequest({ user_id: facebookUserId }, stack.appSecret, (nowSeconds() - MAX_AGE_SECONDS - 60) * 1000);
    expect((await callback('/v1/facebook/deauthorize', tooOld)).status).toBe(400);
    const fresh = signSignedRequest({ user_id: facebookUserId }, stack.appSecret, (nowSeconds() - MAX_AGE_SECONDS + 60) * 1000);
    expect((await callback('/v1/facebook/deauthorize', fresh)).status).toBe(200);
  });

  it('gives one request one confirmation code and one deletion, whatever its encoding', async () => {
    const facebookUserId = newPerson();
    await signIn(facebookUserId);
    const request = signSignedRequest({ user_id: facebookUserId }, stack.appSecret);
    const first = await callback('/v1/facebook/data-deletion', request);
    expect(first.status).toBe(200);
    expect(first.json.url).toContain(first.json.confirmation_code);
    // The person signs in again after the deletion; replays of the old request must not erase them.
    const { sessionToken } = await signIn(facebookUserId);
    const [signature, payload] = request.split('.') as [string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spareBits = `${signature.slice(0, -1)}${alphabet[alphabet.indexOf(signature.at(-1)!) ^ 0b11]}`;
    for (const variant of [`${signature}=.${payload}`, `${spareBits}.${payload}`, request]) {
      const again = await callback('/v1/facebook/data-deletion', variant);
      expect(again.status).toBe(200);
      expect(again.json.confirmation_code).toBe(first.json.confirmation_code);
    }
    expect((await current(sessionToken)).status).toBe(200);
  });

  it('deauthorize revokes the sessions begun before its issued_at and spares those begun after', async () => {
    const facebookUserId = newPerson();
    const before = await signIn(facebookUserId);
    const issuedAt = nowSeconds();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await signIn(facebookUserId);
    const response = await callback('/v1/facebook/deauthorize', signSignedRequest({ user_id: facebookUserId, issued_at: issuedAt }, stack.appSecret));
    expect(response.status).toBe(200);
    expect((await current(before.sessionToken)).json.error).toMatchObject({ code: 'session_revoked', reason: 'app_removed' });
    expect((await current(after.sessionToken)).status).toBe(200);
  });
});

describe('sign-in races', () => {
  it('ten concurrent sign-ins with one token: exactly one live session, never a 500', async () => {
    const facebookUserId = newPerson();
    const token = stack.graphEmulator().mintSessionInfoToken(stack.appId, facebookUserId);
    const responses = await Promise.all(Array.from({ length: 10 }, () => stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: token } })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 503), statuses.join(',')).toBe(true);
    expect(statuses).toContain(201);
    for (const lost of responses.filter((r) => r.status === 503)) {
      expect(lost.json.error.code).toBe('sign_in_contention');
      expect(Number(lost.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const live = (await stack.scanTable()).filter((item) => item.entity === 'session' && item.status === 'active' && item.facebookUserId === facebookUserId);
    expect(live).toHaveLength(1);
    expect(stack.capturedOutput()).not.toContain('ConcurrentUpdateError');
  });

  it('does not open a session for a person being erased: 503 with Retry-After, nothing written', async () => {
    const facebookUserId = newPerson();
    await signIn(facebookUserId);
    // A deletion under way (its link marked, not yet removed).
    await stack.updateItem(`FBUSER#${facebookUserId}`, 'FBUSER', { deletingSince: Date.now(), linkVersion: 1 });
    const before = (await stack.scanTable()).length;
    const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: stack.graphEmulator().mintSessionInfoToken(stack.appId, facebookUserId) } });
    expect(response.status).toBe(503);
    expect(response.json.error.code).toBe('sign_in_contention');
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await stack.scanTable()).length).toBe(before);
  });

  it(`caps live sessions per person at ${CAP}: signing in beyond it ends the oldest with reason replaced`, async () => {
    const facebookUserId = newPerson();
    const sessions = [];
    for (let i = 0; i < CAP + 2; i++) sessions.push(await signIn(facebookUserId));
    for (const ended of sessions.slice(0, 2)) {
      expect((await current(ended.sessionToken)).json.error).toMatchObject({ code: 'session_revoked', reason: 'replaced' });
    }
    for (const kept of sessions.slice(2)) expect((await current(kept.sessionToken)).status).toBe(200);
  });
});
