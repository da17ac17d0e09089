import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '#commons/sessions/session-tokens';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * The browser sign-in, every branch, against the real handlers, DynamoDB Local and the Graph
 * emulator's login dialog, driven with plain HTTP (the form posts a browser would make). The
 * browser itself is exercised in test/e2e.
 */
const ALLOWED_ORIGIN = 'https://app.example.com';
const OTHER_APP = { appId: '999000111222333', appSecret: 'other-app-secret' };
let stack: TestStack;
const secrets: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ env: { RETURN_TO_ALLOWED_ORIGINS: ALLOWED_ORIGIN }, otherGraphApps: [OTHER_APP] });
});
afterAll(async () => {
  await stack?.close();
});

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

function setCookies(response: Response): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) cookies.set(line.slice(0, line.indexOf('=')), line);
  return cookies;
}
const valueOf = (setCookie: string | undefined) => setCookie?.slice(setCookie.indexOf('=') + 1).split(';')[0];

async function get(url: string, headers: Record<string, string> = {}) {
  return fetch(url, { headers, redirect: 'manual' });
}

/** GET /v1/auth/facebook/login: the dialog URL it redirects to and the login cookie it sets. */
async function startLogin(returnTo = '/app') {
  const response = await get(`${stack.url}/v1/auth/facebook/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(response.status).toBe(302);
  const dialog = new URL(response.headers.get('location')!);
  const loginCookie = setCookies(response).get('sg_login')!;
  const state = dialog.searchParams.get('state')!;
  secrets.push(state, valueOf(loginCookie)!);
  return { response, dialog, loginCookie, cookieHeader: `sg_login=${valueOf(loginCookie)}`, state };
}

/** Submits the emulator's login dialog as its form would; returns the callback URL it redirects to. */
async function submitDialog(dialog: URL, action: 'continue' | 'cancel', userId?: string): Promise<URL> {
  const form = new URLSearchParams(dialog.searchParams);
  form.set('action', action);
  if (userId) form.set('user_id', userId);
  const response = await fetch(`${dialog.origin}${dialog.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  const callback = new URL(response.headers.get('location')!);
  const code = callback.searchParams.get('code');
  if (code) secrets.push(code);
  return callback;
}

function newPerson(name = 'Grace') {
  return stack.graphEmulator().createTestUser(stack.appId, { name });
}

async function signedInThroughDialog(returnTo = '/app') {
  const person = newPerson();
  const login = await startLogin(returnTo);
  const callback = await submitDialog(login.dialog, 'continue', person.id);
  const response = await get(callback.toString(), { cookie: login.cookieHeader });
  return { person, login, callback, response };
}

describe('GET /v1/auth/facebook/login', () => {
  it('redirects to the login dialog with client_id, the exact callback URI, state, S256 PKCE and scope', async () => {
    const { dialog, response } = await startLogin();
    expect(dialog.origin).toBe(stack.graphEmulator().url);
    expect(dialog.pathname).toBe('/v21.0/dialog/oauth');
    expect(Object.fromEntries(dialog.searchParams)).toEqual({
      client_id: stack.appId,
      redirect_uri: `${stack.url}/v1/auth/facebook/callback`,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      response_type: 'code',
      scope: 'public_profile',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('binds the attempt to the browser with a 10-minute HttpOnly SameSite=Lax cookie (no Secure over local http)', async () => {
    const { loginCookie } = await startLogin();
    expect(loginCookie).toMatch(/^sg_login=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('stores the state by hash only, with a TTL of 10 minutes', async () => {
    const before = Date.now();
    const { state, loginCookie } = await startLogin('/app?x=1');
    const item = await stack.getItem(`OAUTHSTATE#${sha256Hex(state)}`, 'OAUTHSTATE');
    expect(item).toMatchObject({ entity: 'loginState', returnTo: '/app?x=1', nonceHash: sha256Hex(valueOf(loginCookie)!) });
    expect(item!.ttl as number).toBeGreaterThanOrEqual(Math.floor((before + 600_000) / 1000));
    expect(item!.ttl as number).toBeLessThanOrEqual(Math.ceil((Date.now() + 600_000) / 1000));
    const everything = JSON.stringify(await stack.scanTable());
    expect(everything).not.toContain(state);
    expect(everything).not.toContain(valueOf(loginCookie));
  });

  it('accepts a returnTo on an allowed origin', async () => {
    const response = await get(`${stack.url}/v1/auth/facebook/login?returnTo=${encodeURIComponent(`${ALLOWED_ORIGIN}/done`)}`);
    expect(response.status).toBe(302);
  });

  it.each(['//evil.com', '/\\evil.com', 'https://evil.com', 'http:/evil', '/%2F%2Fevil.com', 'javascript:alert(1)', ' /x', `${ALLOWED_ORIGIN}.evil.com/`])(
    'refuses returnTo %j (no open redirect) and writes nothing',
    async (returnTo) => {
      const before = await stack.scanTable();
      const response = await get(`${stack.url}/v1/auth/facebook/login?returnTo=${encodeURIComponent(returnTo)}`, { accept: 'application/json' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.getSetCookie()).toEqual([]);
      const body = (await response.json()) as { error: { code: string; issues: { field: string }[] } };
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.issues.map((i) => i.field)).toEqual(['returnTo']);
      expect(await stack.scanTable()).toEqual(before);
    },
  );

  it('explains a refused returnTo on a page when a browser asks', async () => {
    const response = await get(`${stack.url}/v1/auth/facebook/login?returnTo=//evil.com`, { accept: HTML });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('returnTo must be a path on this site');
  });
});

describe('GET /v1/auth/facebook/callback: success', () => {
  it('signs the person in, sets the session cookie and returns to returnTo', async () => {
    const before = Date.now();
    const { response, person } = await signedInThroughDialog('/app?tab=2');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/app?tab=2');
    const cookies = setCookies(response);
    const session = cookies.get('sg_session')!;
    expect(session).toMatch(/^sg_session=sg1\.ses_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    // Max-Age matches the session's expiry (30 days by default).
    const maxAge = Number(/Max-Age=(\d+)/.exec(session)![1]);
    expect(maxAge).toBeGreaterThan(30 * 86400 - 10);
    expect(maxAge).toBeLessThanOrEqual(30 * 86400);
    // The login cookie is cleared.
    expect(cookies.get('sg_login')).toMatch(/^sg_login=; Max-Age=0; /);

    const token = valueOf(session)!;
    secrets.push(token);
    const current = await get(`${stack.url}/v1/sessions/current`, { cookie: `sg_session=${token}` });
    expect(current.status).toBe(200);
    const body = (await current.json()) as { user: { facebookUserId: string }; session: { expiresAt: string } };
    expect(body.user.facebookUserId).toBe(person.id);
    expect(Date.parse(body.session.expiresAt)).toBeGreaterThanOrEqual(before + 30 * 86400_000 - 1000);
  });

  it('keeps only the sealed session-info token, spends the state, and logs no secret', async () => {
    const { response, login, callback } = await signedInThroughDialog();
    const token = valueOf(setCookies(response).get('sg_session'))!;
    secrets.push(token);
    const sessionId = token.split('.')[1];
    const item = await stack.getItem(`SESSION#${sessionId}`, 'SESSION');
    expect(item).toMatchObject({ status: 'active', sealedToken: expect.stringMatching(/^v1\./) });
    expect(await stack.getItem(`OAUTHSTATE#${sha256Hex(login.state)}`, 'OAUTHSTATE')).toBeUndefined();
    const everything = JSON.stringify(await stack.scanTable());
    for (const secret of [token, callback.searchParams.get('code')!, login.state]) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/EAA[A-Za-z0-9]{20,}/);
    const output = stack.capturedOutput();
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/EAA[A-Za-z0-9]{20,}/);
  });

  it('finds the same user on a second browser sign-in', async () => {
    const person = newPerson();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const login = await startLogin('/');
      const response = await get((await submitDialog(login.dialog, 'continue', person.id)).toString(), { cookie: login.cookieHeader });
      const token = valueOf(setCookies(response).get('sg_session'))!;
      const current = (await (await get(`${stack.url}/v1/sessions/current`, { cookie: `sg_session=${token}` })).json()) as { user: { id: string } };
      ids.push(current.user.id);
    }
    expect(ids[0]).toBe(ids[1]);
  });

  it('returns to an allowed absolute returnTo', async () => {
    const { response } = await signedInThroughDialog(`${ALLOWED_ORIGIN}/welcome`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${ALLOWED_ORIGIN}/welcome`);
  });
});

describe('GET /v1/auth/facebook/callback: refusals', () => {
  async function expectRefusal(response: Response, status: number, code: string, words: RegExp) {
    expect(response.status).toBe(status);
    expect(response.headers.get('location')).toBeNull();
    const cookies = setCookies(response);
    expect(cookies.has('sg_session')).toBe(false);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(words);
  }

  it('sends a cancelled dialog back to returnTo with login_error=cancelled and no session', async () => {
    const sessionsBefore = (await stack.scanTable()).filter((i) => i.entity === 'session').length;
    const login = await startLogin('/app?tab=1#top');
    const callback = await submitDialog(login.dialog, 'cancel');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const response = await get(callback.toString(), { cookie: login.cookieHeader });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/app?tab=1&login_error=cancelled#top');
    expect(setCookies(response).has('sg_session')).toBe(false);
    expect(setCookies(response).get('sg_login')).toMatch(/Max-Age=0/);
    expect((await stack.scanTable()).filter((i) => i.entity === 'session').length).toBe(sessionsBefore);
  });

  it('treats error_code/error_message without error as a cancel too', async () => {
    const login = await startLogin('/');
    const response = await get(`${stack.url}/v1/auth/facebook/callback?error_code=200&error_message=Permissions+error&state=${login.state}`, {
      cookie: login.cookieHeader,
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/?login_error=cancelled');
  });

  it('refuses a callback without state', async () => {
    await expectRefusal(await get(`${stack.url}/v1/auth/facebook/callback?code=abc`, { accept: 'application/json' }), 400, 'login_state_invalid', /no state/);
  });

  it('refuses an unknown or tampered state', async () => {
    const login = await startLogin();
    const callback = await submitDialog(login.dialog, 'continue', newPerson().id);
    const tampered = new URL(callback);
    const state = login.state;
    tampered.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    await expectRefusal(await get(tampered.toString(), { cookie: login.cookieHeader }), 400, 'login_state_invalid', /not one we issued/);
    tampered.searchParams.set('state', '<script>');
    await expectRefusal(await get(tampered.toString(), { cookie: login.cookieHeader }), 400, 'login_state_invalid', /altered/);
  });

  it('refuses a replayed callback URL: the state works once', async () => {
    const { response, callback, login } = await signedInThroughDialog();
    expect(response.status).toBe(302);
    const replay = await get(callback.toString(), { cookie: login.cookieHeader, accept: 'application/json' });
    await expectRefusal(replay, 400, 'login_state_invalid', /already used/);
  });

  it('refuses an expired state', async () => {
    const login = await startLogin();
    const callback = await submitDialog(login.dialog, 'continue', newPerson().id);
    await stack.updateItem(`OAUTHSTATE#${sha256Hex(login.state)}`, 'OAUTHSTATE', { expiresAt: Date.now() - 1 });
    await expectRefusal(await get(callback.toString(), { cookie: login.cookieHeader }), 400, 'login_state_expired', /10 minutes/);
  });

  it('refuses a callback in a browser without the login cookie, or with another one, and keeps the state for the right browser', async () => {
    const login = await startLogin();
    const callback = await submitDialog(login.dialog, 'continue', newPerson().id);
    await expectRefusal(await get(callback.toString()), 400, 'login_browser_mismatch', /another browser/);
    const other = await startLogin();
    await expectRefusal(await get(callback.toString(), { cookie: other.cookieHeader }), 400, 'login_browser_mismatch', /another browser/);
    const rightBrowser = await get(callback.toString(), { cookie: login.cookieHeader });
    expect(rightBrowser.status).toBe(302);
    expect(setCookies(rightBrowser).has('sg_session')).toBe(true);
  });

  it('refuses a code Facebook says was already used', async () => {
    const { callback } = await signedInThroughDialog();
    // A fresh, valid state with the spent code.
    const second = await startLogin();
    const reused = new URL(callback);
    reused.searchParams.set('state', second.state);
    await expectRefusal(await get(reused.toString(), { cookie: second.cookieHeader }), 400, 'authorization_code_used', /already completed/);
  });

  it('refuses a code from another sign-in attempt (PKCE does not match)', async () => {
    const first = await startLogin();
    const firstCallback = await submitDialog(first.dialog, 'continue', newPerson().id);
    const second = await startLogin();
    const swapped = new URL(firstCallback);
    swapped.searchParams.set('state', second.state);
    await expectRefusal(await get(swapped.toString(), { cookie: second.cookieHeader }), 400, 'authorization_code_rejected', /did not accept/);
  });

  it('refuses a made-up code', async () => {
    const login = await startLogin();
    await expectRefusal(
      await get(`${stack.url}/v1/auth/facebook/callback?code=AQmadeup&state=${login.state}`, { cookie: login.cookieHeader }),
      400,
      'authorization_code_rejected',
      /did not accept/,
    );
  });

  it('answers 503 with Retry-After when Facebook is unavailable', async () => {
    const login = await startLogin();
    const callback = await submitDialog(login.dialog, 'continue', newPerson().id);
    stack.graphEmulator().injectFault({ kind: 'http_status', status: 503 }, { count: 1, path: 'oauth' });
    const response = await get(callback.toString(), { cookie: login.cookieHeader });
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    await expectRefusal(response, 503, 'facebook_unavailable', /Try again/);
  });

  it('explains a refusal on a page, in words, when a browser asks', async () => {
    const { callback, login } = await signedInThroughDialog();
    const response = await get(callback.toString(), { cookie: login.cookieHeader, accept: HTML });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await response.text();
    expect(page).toContain('Sign-in did not work');
    expect(page).toContain('This sign-in link was already used');
  });

  it('writes nothing on a refusal', async () => {
    const before = (await stack.scanTable()).filter((i) => i.entity !== 'loginState');
    const login = await startLogin();
    await get(`${stack.url}/v1/auth/facebook/callback?code=AQmadeup&state=${login.state}`, { cookie: login.cookieHeader });
    expect((await stack.scanTable()).filter((i) => i.entity !== 'loginState')).toEqual(before);
  });
});

describe('the session cookie on /v1/sessions/current', () => {
  async function cookieSession() {
    const { response, person } = await signedInThroughDialog();
    const token = valueOf(setCookies(response).get('sg_session'))!;
    secrets.push(token);
    return { token, cookie: `sg_session=${token}`, person };
  }

  it('prefers the Bearer token when both are sent', async () => {
    const a = await cookieSession();
    const b = await cookieSession();
    const response = await get(`${stack.url}/v1/sessions/current`, { cookie: a.cookie, authorization: `Bearer ${b.token}` });
    expect(((await response.json()) as { user: { facebookUserId: string } }).user.facebookUserId).toBe(b.person.id);
  });

  it.each([
    ['no Origin', {}],
    ['another site', { origin: 'https://evil.com' }],
  ])('refuses a cookie sign-out from %s (CSRF) and keeps the session', async (_label, headers) => {
    const { cookie } = await cookieSession();
    const response = await fetch(`${stack.url}/v1/sessions/current`, { method: 'DELETE', headers: { cookie, ...headers } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await get(`${stack.url}/v1/sessions/current`, { cookie })).status).toBe(200);
  });

  it.each([
    ['its own origin', () => new URL(stack.url).origin],
    ['an allowed origin', () => ALLOWED_ORIGIN],
  ])('signs out by cookie from %s, ends the session and clears the cookie', async (_label, origin) => {
    const { cookie } = await cookieSession();
    const response = await fetch(`${stack.url}/v1/sessions/current`, { method: 'DELETE', headers: { cookie, origin: origin() } });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()).toEqual(['sg_session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax']);
    const after = await get(`${stack.url}/v1/sessions/current`, { cookie });
    expect(after.status).toBe(401);
  });

  it('clears a cookie whose session is already gone', async () => {
    const response = await fetch(`${stack.url}/v1/sessions/current`, {
      method: 'DELETE',
      headers: { cookie: 'sg_session=sg1.ses_AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', origin: new URL(stack.url).origin },
    });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()[0]).toMatch(/^sg_session=; Max-Age=0/);
  });

  it('does not touch the cookie when signing out with a Bearer token', async () => {
    const { token } = await cookieSession();
    const response = await fetch(`${stack.url}/v1/sessions/current`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('CORS for web apps on the allowed origins', () => {
  async function cookieSession() {
    const { response } = await signedInThroughDialog();
    const token = valueOf(setCookies(response).get('sg_session'))!;
    secrets.push(token);
    return `sg_session=${token}`;
  }
  const preflight = (origin: string, method: string) =>
    fetch(`${stack.url}/v1/sessions/current`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
    });

  it('answers the preflight of an allowed origin with credentials allowed, as API Gateway does', async () => {
    const response = await preflight(ALLOWED_ORIGIN, 'DELETE');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(response.headers.get('access-control-max-age')).toBe('3600');
  });

  it('gives any other origin no CORS headers, so its page cannot read an answer', async () => {
    const response = await preflight('https://evil.com', 'DELETE');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const cookie = await cookieSession();
    const read = await get(`${stack.url}/v1/sessions/current`, { cookie, origin: 'https://evil.com' });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the allowed web app read the session and sign out with the cookie', async () => {
    const cookie = await cookieSession();
    const read = await get(`${stack.url}/v1/sessions/current`, { cookie, origin: ALLOWED_ORIGIN });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(read.headers.get('access-control-allow-credentials')).toBe('true');
    // So a page can back off on 503 as Retry-After says.
    expect(read.headers.get('access-control-expose-headers')).toBe('retry-after');
    expect(read.headers.get('vary')).toMatch(/origin/i);
    const signOut = await fetch(`${stack.url}/v1/sessions/current`, { method: 'DELETE', headers: { cookie, origin: ALLOWED_ORIGIN } });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
  });
});

describe('POST /v1/sessions with a user access token', () => {
  const signIn = (body: unknown) => stack.request('POST', '/v1/sessions', { body });

  it.each(['long', 'short'] as const)('accepts a %s-lived user token, keeping only the session-info token', async (lifetime) => {
    const person = newPerson();
    const accessToken = stack.graphEmulator().mintUserToken(stack.appId, person.id, { lifetime });
    secrets.push(accessToken);
    const response = await signIn({ accessToken });
    expect(response.status).toBe(201);
    expect(response.json.user).toMatchObject({ facebookUserId: person.id, created: true });
    secrets.push(response.json.sessionToken);
    const sessionId = response.json.sessionToken.split('.')[1];
    expect(await stack.getItem(`SESSION#${sessionId}`, 'SESSION')).toMatchObject({ sealedToken: expect.stringMatching(/^v1\./) });
    expect(JSON.stringify(await stack.scanTable())).not.toContain(accessToken);
    expect(stack.capturedOutput()).not.toContain(accessToken);
  });

  it('wants exactly one of sessionInfoToken and accessToken, naming the field', async () => {
    const both = await signIn({ sessionInfoToken: 'EAAa', accessToken: 'EAAb' });
    expect(both.status).toBe(400);
    expect(both.json.error.issues).toEqual([{ field: 'accessToken', message: 'send either sessionInfoToken or accessToken, not both' }]);
    const neither = await signIn({});
    expect(neither.status).toBe(400);
    expect(neither.json.error.issues).toEqual([{ field: 'sessionInfoToken', message: 'required (or send accessToken instead)' }]);
  });

  it('refuses a session-info token sent as accessToken, saying where it belongs', async () => {
    const person = newPerson();
    const response = await signIn({ accessToken: stack.graphEmulator().mintSessionInfoToken(stack.appId, person.id) });
    expect(response.status).toBe(401);
    expect(response.json.error).toMatchObject({ code: 'invalid_token', message: expect.stringContaining('sessionInfoToken') });
  });

  it('answers another app’s user token 500 internal_error, never 401 (it looks like our running with another app’s credentials)', async () => {
    const other = stack.graphEmulator().createTestUser(OTHER_APP.appId);
    const response = await signIn({ accessToken: stack.graphEmulator().mintUserToken(OTHER_APP.appId, other.id, { lifetime: 'long' }) });
    expect(response.status).toBe(500);
    expect(response.json.error.code).toBe('internal_error');
  });

  it('refuses a user token whose Facebook session ended', async () => {
    const person = newPerson();
    const accessToken = stack.graphEmulator().mintUserToken(stack.appId, person.id, { lifetime: 'long' });
    stack.graphEmulator().endFacebookSession(person.id, 'expired');
    const response = await signIn({ accessToken });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('token_expired');
  });

  it('refuses a token Facebook cannot parse, and answers 503 when Facebook is down', async () => {
    expect((await signIn({ accessToken: 'EAAgarbage' })).json.error.code).toBe('invalid_token');
    stack.graphEmulator().injectFault({ kind: 'http_status', status: 500 }, { count: 1, path: 'oauth' });
    const person = newPerson();
    const response = await signIn({ accessToken: stack.graphEmulator().mintUserToken(stack.appId, person.id, { lifetime: 'long' }) });
    expect(response.status).toBe(503);
    expect(response.json.error.code).toBe('facebook_unavailable');
  });
});

describe('the session cookie at the authorizer', () => {
  type Authorizer = (event: unknown) => Promise<{ isAuthorized: boolean; context: Record<string, unknown> }>;
  const event = (method: string, headers: Record<string, string>, cookies?: string[]) => ({
    version: '2.0',
    type: 'REQUEST',
    routeKey: `${method} /orders`,
    rawPath: '/orders',
    headers,
    ...(cookies ? { cookies } : {}),
    requestContext: { requestId: 'r', http: { method, path: '/orders' } },
  });

  it('admits the cookie on reads, and on writes only from an allowed Origin', async () => {
    const authorizer = ((await import('#functions/authorizer')) as { handler: Authorizer }).handler;
    const { response, person } = await signedInThroughDialog();
    const cookies = [`sg_session=${valueOf(setCookies(response).get('sg_session'))}`];
    const read = await authorizer(event('GET', {}, cookies));
    expect(read).toMatchObject({ isAuthorized: true, context: { facebookUserId: person.id } });
    expect((await authorizer(event('POST', {}, cookies))).isAuthorized).toBe(false);
    expect((await authorizer(event('POST', { origin: 'https://evil.com' }, cookies))).isAuthorized).toBe(false);
    expect((await authorizer(event('POST', { origin: ALLOWED_ORIGIN }, cookies))).isAuthorized).toBe(true);
    expect((await authorizer(event('GET', {}, ['sg_session=sg1.forged']))).isAuthorized).toBe(false);
  });
});
