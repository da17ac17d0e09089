import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '#test/support/local-stack';
import { continueInDialog } from '#test/support/login-dialog';

/**
 * The browser sign-in as every deployed stage runs it: PUBLIC_BASE_URL is https, so both cookies
 * carry the `__Host-` prefix and `Secure` (functions/commons/sessions/cookies.ts says why). The
 * local server itself speaks plain http; only the public address the handlers are configured with
 * is https, exactly as behind API Gateway. Driven with plain HTTP, reading Set-Cookie as sent.
 */
const PUBLIC_BASE_URL = 'https://sessions.example.com';
const SESSION_COOKIE = /^__Host-sg_session=(sg1\.ses_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}); Max-Age=(\d+); Path=\/; HttpOnly; SameSite=Lax; Secure$/;
const CLEARED = (name: string) => `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Secure`;
const INHERITED = {
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9/not-this-dynamodb',
  AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9/not-this-kms',
  GRAPH_API_URL: 'http://127.0.0.1:9/not-this-graph',
};
let stack: TestStack;

beforeAll(async () => {
  // A shell that points at other services must not send the tests there (test/support/local-stack.ts).
  Object.assign(process.env, INHERITED);
  stack = await startTestStack({ env: { PUBLIC_BASE_URL } });
});
afterAll(async () => {
  await stack?.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${stack.url}${path}`, { headers, redirect: 'manual' });
}

/** Login → the emulator's dialog → the callback, as a browser on the https address would go. */
async function signIn() {
  const person = stack.graphEmulator().createTestUser(stack.appId, { name: 'Hedy' });
  const login = await get('/v1/auth/facebook/login?returnTo=%2Fapp');
  expect(login.status).toBe(302);
  const [loginCookie, ...otherLoginCookies] = login.headers.getSetCookie();
  expect(otherLoginCookies).toEqual([]);
  const nonce = /^__Host-sg_login=([A-Za-z0-9_-]{43}); Max-Age=600; Path=\/; HttpOnly; SameSite=Lax; Secure$/.exec(loginCookie ?? '')?.[1];
  expect(nonce, `login cookie ${loginCookie}`).toBeDefined();

  const dialog = new URL(login.headers.get('location')!);
  expect(dialog.searchParams.get('redirect_uri')).toBe(`${PUBLIC_BASE_URL}/v1/auth/facebook/callback`);
  const callback = await continueInDialog(dialog, person.id);
  // The dialog sends the browser to the public https address; the same path and query reach us.
  expect(callback.origin).toBe(PUBLIC_BASE_URL);
  return { person, nonce: nonce!, callbackPath: `${callback.pathname}${callback.search}` };
}

describe('with an https PUBLIC_BASE_URL', () => {
  it('starts its own DynamoDB Local, KMS and Graph emulators even when the shell points elsewhere', () => {
    expect(stack.dynamo).toBeDefined();
    expect(stack.kms).toBeDefined();
    expect(stack.graph).toBeDefined();
    for (const [name, value] of Object.entries(INHERITED)) expect(process.env[name], name).not.toBe(value);
  });

  it('login sets a __Host- login cookie that is Secure, host-only and Path=/', async () => {
    await signIn();
  });

  it('the callback sets a __Host- Secure session cookie and clears the __Host- login cookie', async () => {
    const { nonce, callbackPath } = await signIn();
    const response = await get(callbackPath, { cookie: `__Host-sg_login=${nonce}` });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/app');
    const [session, cleared, ...rest] = response.headers.getSetCookie();
    expect(rest).toEqual([]);
    const match = SESSION_COOKIE.exec(session ?? '');
    expect(match, `session cookie ${session}`).not.toBeNull();
    expect(Number(match![2])).toBeGreaterThan(29 * 86400);
    expect(Number(match![2])).toBeLessThanOrEqual(30 * 86400);
    expect(cleared).toBe(CLEARED('__Host-sg_login'));

    const current = await get('/v1/sessions/current', { cookie: `__Host-sg_session=${match![1]}` });
    expect(current.status).toBe(200);
  });

  it('sign-out clears the __Host- session cookie, Secure', async () => {
    const { nonce, callbackPath } = await signIn();
    const token = SESSION_COOKIE.exec((await get(callbackPath, { cookie: `__Host-sg_login=${nonce}` })).headers.getSetCookie()[0] ?? '')![1]!;
    const response = await fetch(`${stack.url}/v1/sessions/current`, {
      method: 'DELETE',
      headers: { cookie: `__Host-sg_session=${token}`, origin: PUBLIC_BASE_URL },
    });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()).toEqual([CLEARED('__Host-sg_session')]);
    expect((await get('/v1/sessions/current', { cookie: `__Host-sg_session=${token}` })).status).toBe(401);
  });

  it('ignores a planted plain sg_session cookie, even one holding a live session token', async () => {
    const { nonce, callbackPath } = await signIn();
    const token = SESSION_COOKIE.exec((await get(callbackPath, { cookie: `__Host-sg_login=${nonce}` })).headers.getSetCookie()[0] ?? '')![1]!;

    // A sibling subdomain can set a plain `sg_session` for this host; only `__Host-` is ours.
    const planted = await get('/v1/sessions/current', { cookie: `sg_session=${token}` });
    expect(planted.status).toBe(401);
    expect(planted.headers.getSetCookie()).toEqual([]);
    const signOut = await fetch(`${stack.url}/v1/sessions/current`, { method: 'DELETE', headers: { cookie: `sg_session=${token}`, origin: PUBLIC_BASE_URL } });
    expect(signOut.status).toBe(401);
    // Nothing touched the session: the real cookie still works.
    expect((await get('/v1/sessions/current', { cookie: `__Host-sg_session=${token}` })).status).toBe(200);
  });

  it('ignores a planted plain sg_login cookie: the callback is refused, no session cookie set', async () => {
    const { nonce, callbackPath } = await signIn();
    const response = await get(callbackPath, { cookie: `sg_login=${nonce}`, accept: 'application/json' });
    expect(response.status).toBe(400);
    expect(response.headers.getSetCookie()).toEqual([CLEARED('__Host-sg_login')]);
  });
});
