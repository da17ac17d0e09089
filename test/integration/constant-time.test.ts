import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * The two secrets a request proves it knows are checked in constant time: the session token
 * against its stored SHA-256, and a `signed_request`'s HMAC against the one made with the app
 * secret. A plain `===` (or `Buffer.equals`) answers as soon as one byte differs, so how long a
 * refusal takes tells an attacker how much of a guess was right. Every answer here would be the
 * same with `===`; only the comparison would not: so these tests watch `timingSafeEqual` itself,
 * through the HTTP surface of the local stack (handlers imported by it see the same mock).
 */
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});
const compare = vi.mocked(timingSafeEqual);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  compare.mockClear();
});

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();
const bytes = (view: NodeJS.ArrayBufferView) => Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');

/** The pairs `timingSafeEqual` was asked to compare, as hex, and what it answered. */
function comparisons(): Array<{ a: string; b: string; equal: boolean }> {
  return compare.mock.calls.map(([a, b], i) => ({ a: bytes(a), b: bytes(b), equal: compare.mock.results[i]!.value as boolean }));
}

async function signIn(): Promise<{ token: string; storedHash: string }> {
  const graph = stack.graphEmulator();
  const user = graph.createTestUser(stack.appId);
  const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: graph.mintSessionInfoToken(stack.appId, user.id) } });
  expect(response.status).toBe(201);
  const token = response.json.sessionToken as string;
  const item = await stack.getItem(`SESSION#${token.split('.')[1]}`, 'SESSION');
  return { token, storedHash: item!.tokenHash as string };
}

describe('the session token', () => {
  it("is matched to the stored hash in constant time (SHA-256 of the token against the stored bytes)", async () => {
    const { token, storedHash } = await signIn();
    compare.mockClear();
    const response = await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(comparisons()).toContainEqual({ a: bytes(sha256(token)), b: storedHash, equal: true });
  });

  it('with a wrong secret for a real session id, is refused after a constant-time comparison', async () => {
    const { token, storedHash } = await signIn();
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
    compare.mockClear();
    const response = await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${forged}` } });
    expect(response.status).toBe(401);
    expect(comparisons()).toContainEqual({ a: bytes(sha256(forged)), b: storedHash, equal: false });
  });

  it('signing out checks it the same way', async () => {
    const { token, storedHash } = await signIn();
    compare.mockClear();
    const response = await stack.request('DELETE', '/v1/sessions/current', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(204);
    expect(comparisons()).toContainEqual({ a: bytes(sha256(token)), b: storedHash, equal: true });
  });
});

describe("a signed_request's signature", () => {
  function signedRequest(secret: string): { signedRequest: string; signature: string; expected: string } {
    const payload = Buffer.from(JSON.stringify({ algorithm: 'HMAC-SHA256', user_id: '10150000000000777', issued_at: Math.floor(Date.now() / 1000) })).toString('base64url');
    const signature = createHmac('sha256', secret).update(payload).digest();
    const expected = createHmac('sha256', stack.appSecret).update(payload).digest();
    return { signedRequest: `${signature.toString('base64url')}.${payload}`, signature: bytes(signature), expected: bytes(expected) };
  }
  const post = (path: string, signed: string) =>
    stack.request('POST', path, { rawBody: `signed_request=${encodeURIComponent(signed)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  it.each(['/v1/facebook/deauthorize', '/v1/facebook/data-deletion'])('is matched to the app-secret HMAC in constant time on %s', async (path) => {
    const good = signedRequest(stack.appSecret);
    const response = await post(path, good.signedRequest);
    expect(response.status).toBe(200);
    expect(comparisons()).toContainEqual({ a: good.signature, b: good.expected, equal: true });
  });

  it('signed with another secret, is refused after a constant-time comparison', async () => {
    const forged = signedRequest('not-the-app-secret');
    const response = await post('/v1/facebook/deauthorize', forged.signedRequest);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('invalid_signed_request');
    expect(comparisons()).toContainEqual({ a: forged.signature, b: forged.expected, equal: false });
  });
});
