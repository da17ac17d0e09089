/**
 * Login dialog and the OAuth token calls of the Graph emulator: code exchange (single use,
 * redirect_uri byte equality, PKCE all or nothing), fb_exchange_token, fb_attenuate_token,
 * client_credentials, and the metadata (auth_type / auth_nonce) that follows a login through.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '#local/emulators/graph';

const APP = { appId: '1000001', appSecret: 'secret-one' };
const STRICT = { appId: '4000004', appSecret: 'secret-four', redirectUris: ['https://app.example/callback?from=fb'] };
const OTHER = { appId: '2000002', appSecret: 'secret-two' };
const V = 'v21.0';
const REDIRECT = 'http://localhost:3000/auth/facebook/callback';

let fb: GraphEmulator;

/** `Response.json()` is `unknown` in these typings; tests poke at the shapes freely. */
const json = (res: Response): Promise<any> => res.json() as Promise<any>;
const proof = (secret: string, token: string) => createHmac('sha256', secret).update(token).digest('hex');

async function graph(path: string, query: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${fb.url}/${V}/${path}?${new URLSearchParams(query)}`);
  return { status: res.status, body: await json(res) };
}

function debugToken(inputToken: string) {
  const access = `${APP.appId}|${APP.appSecret}`;
  return graph('debug_token', { input_token: inputToken, access_token: access, appsecret_proof: proof(APP.appSecret, access) });
}

function dialogUrl(params: Record<string, string>): string {
  return `${fb.url}/${V}/dialog/oauth?${new URLSearchParams(params)}`;
}

/** Reads the hidden fields of the dialog page, as the browser would submit them. */
function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]!] = m[2]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
  }
  return fields;
}

/** GETs the dialog, then submits its form the way the page does. Answers the redirect Location. */
async function login(params: Record<string, string>, choice: Record<string, string> = {}): Promise<URL> {
  const page = await fetch(dialogUrl(params));
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)" id="login-form"/.exec(html)![1]!;
  const form = new URLSearchParams({ ...hiddenFields(html), action: 'continue', ...choice });
  const res = await fetch(`${fb.url}${action}`, { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

function exchange(query: Record<string, string>) {
  return graph('oauth/access_token', { client_id: APP.appId, client_secret: APP.appSecret, redirect_uri: REDIRECT, ...query });
}

const verifier = 'a'.repeat(20) + '-._~' + 'Z9'.repeat(12);
const challenge = createHash('sha256').update(verifier).digest('base64url');

beforeAll(async () => {
  fb = await startGraphEmulator({ apps: [APP, STRICT, OTHER] });
});
afterAll(async () => {
  await fb.close();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('login dialog page', () => {
  it('is a labeled emulator page listing the app\'s test users with stable ids', async () => {
    const user = fb.createTestUser(APP.appId, { name: 'Dialog <Tester>' });
    const otherAppUser = fb.createTestUser(OTHER.appId, { name: 'Not Listed' });
    const res = await fetch(dialogUrl({ client_id: APP.appId, redirect_uri: REDIRECT, state: 's1', response_type: 'code', scope: 'email' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('Facebook Login emulator');
    for (const id of ['login-form', 'continue', 'cancel', 'user-new', 'new-user-name', `user-${user.id}`]) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('data-testid="continue"');
    expect(html).toContain('Dialog &#60;Tester&#62;');
    expect(html).not.toContain(otherAppUser.id);
    expect(html).toContain('email');
  });

  it('shows an error page, not a redirect, for an unknown client_id', async () => {
    const res = await fetch(dialogUrl({ client_id: '999', redirect_uri: REDIRECT }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const html = await res.text();
    expect(html).toContain('id="dialog-error"');
    expect(html).toContain('Invalid App ID');
  });

  it('only accepts the app\'s registered redirect URIs, byte for byte', async () => {
    const registered = STRICT.redirectUris[0]!;
    expect((await fetch(dialogUrl({ client_id: STRICT.appId, redirect_uri: registered }))).status).toBe(200);
    for (const uri of [`${registered}&x=1`, 'https://app.example/callback?from=FB', 'https://evil.example/callback?from=fb']) {
      const res = await fetch(dialogUrl({ client_id: STRICT.appId, redirect_uri: uri }), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('URL Blocked');
    }
    expect((await fetch(dialogUrl({ client_id: APP.appId, redirect_uri: 'javascript:alert(1)' }))).status).toBe(400);
  });

  it('refuses PKCE other than S256', async () => {
    const res = await fetch(dialogUrl({ client_id: APP.appId, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'plain' }));
    expect(res.status).toBe(400);
  });

  it('redirects with code and state on Continue, appending Facebook\'s #_=_ fragment', async () => {
    const user = fb.createTestUser(APP.appId);
    const location = await login({ client_id: APP.appId, redirect_uri: REDIRECT, state: 'st@te 1' }, { user_id: user.id });
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('code')).toMatch(/^AQ[A-Za-z0-9]+$/);
    expect(location.searchParams.get('state')).toBe('st@te 1');
    expect(location.hash).toBe('#_=_');
  });

  it('keeps the query the redirect_uri already has', async () => {
    const location = await login({ client_id: STRICT.appId, redirect_uri: STRICT.redirectUris[0]!, state: 'x' }, { user_id: '__new__' });
    expect(location.searchParams.get('from')).toBe('fb');
    expect(location.searchParams.get('code')).toBeTruthy();
  });

  it('redirects with access_denied on Cancel', async () => {
    const page = await fetch(dialogUrl({ client_id: APP.appId, redirect_uri: REDIRECT, state: 'abc' }));
    const form = new URLSearchParams({ ...hiddenFields(await page.text()), action: 'cancel' });
    const res = await fetch(`${fb.url}/${V}/dialog/oauth`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${REDIRECT}?error=access_denied&`)).toBe(true);
    expect(location).toContain('error_reason=user_denied');
    expect(location).toContain('error_description=Permissions+error');
    expect(location).toContain('state=abc');
    expect(new URL(location).searchParams.get('code')).toBeNull();
  });

  it('creates a new test user when asked to', async () => {
    const before = (await json(await fetch(`${fb.url}/_emulator/users?appId=${APP.appId}`))).users.length;
    const location = await login({ client_id: APP.appId, redirect_uri: REDIRECT }, { user_id: '__new__', new_user_name: 'Fresh Person' });
    const code = location.searchParams.get('code')!;
    const users = (await json(await fetch(`${fb.url}/_emulator/users?appId=${APP.appId}`))).users;
    expect(users.length).toBe(before + 1);
    expect(users.at(-1).name).toBe('Fresh Person');
    const { body } = await exchange({ code });
    expect((await debugToken(body.access_token)).body.data.user_id).toBe(users.at(-1).id);
  });

  it('refuses a posted user of another app', async () => {
    const stranger = fb.createTestUser(OTHER.appId);
    const res = await fetch(`${fb.url}/${V}/dialog/oauth`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: APP.appId, redirect_uri: REDIRECT, action: 'continue', user_id: stranger.id }),
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
  });
});

describe('re-authentication in the dialog', () => {
  it('asks for the password again with auth_type=reauthenticate and will not continue without one', async () => {
    const user = fb.createTestUser(APP.appId);
    const params = { client_id: APP.appId, redirect_uri: REDIRECT, auth_type: 'reauthenticate', auth_nonce: 'abc123', state: 's1' };
    const page = await (await fetch(dialogUrl(params))).text();
    expect(page).toContain('id="password"');
    const action = /<form method="post" action="([^"]+)" id="login-form"/.exec(page)![1]!;
    const res = await fetch(`${fb.url}${action}`, {
      method: 'POST',
      body: new URLSearchParams({ ...hiddenFields(page), action: 'continue', user_id: user.id }),
      redirect: 'manual',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('id="password-error"');
    const location = await login(params, { user_id: user.id, password: 'anything' });
    expect(location.searchParams.get('state')).toBe('s1');
    expect(location.searchParams.get('code')).toMatch(/^AQ/);
  });

  it('shows no password field for an ordinary login', async () => {
    const page = await (await fetch(dialogUrl({ client_id: APP.appId, redirect_uri: REDIRECT }))).text();
    expect(page).not.toContain('id="password"');
  });
});

describe('code exchange', () => {
  it('gives a short-lived bearer token for the chosen user, with the login\'s metadata and scopes', async () => {
    const user = fb.createTestUser(APP.appId);
    const location = await login({ client_id: APP.appId, redirect_uri: REDIRECT, scope: 'email,user_friends', auth_type: 'reauthenticate', auth_nonce: 'nonce123' }, { user_id: user.id, password: 'secret' });
    const { status, body } = await exchange({ code: location.searchParams.get('code')! });
    expect(status).toBe(200);
    expect(body).toEqual({ access_token: expect.stringMatching(/^EAA/), token_type: 'bearer', expires_in: expect.any(Number) });
    expect(body.expires_in).toBeLessThanOrEqual(2 * 3600);
    const data = (await debugToken(body.access_token)).body.data;
    expect(data).toMatchObject({ is_valid: true, user_id: user.id, metadata: { auth_type: 'reauthenticate', auth_nonce: 'nonce123' } });
    expect(data.scopes).toEqual(['public_profile', 'email', 'user_friends']);
  });

  it('works once: a second use fails with code 100 "This authorization code has been used."', async () => {
    const code = (await login({ client_id: APP.appId, redirect_uri: REDIRECT })).searchParams.get('code')!;
    expect((await exchange({ code })).status).toBe(200);
    const again = await exchange({ code });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 100, type: 'OAuthException', message: 'This authorization code has been used.' });
    expect(again.body.error.fbtrace_id).toBeTruthy();
  });

  it('needs redirect_uri identical to the dialog\'s, byte for byte', async () => {
    const code = (await login({ client_id: APP.appId, redirect_uri: REDIRECT })).searchParams.get('code')!;
    for (const redirect of [`${REDIRECT}/`, REDIRECT.toUpperCase(), `${REDIRECT}?x=1`]) {
      const { status, body } = await exchange({ code, redirect_uri: redirect });
      expect(status).toBe(400);
      expect(body.error.code).toBe(100);
      expect(body.error.message).toMatch(/redirect_uri is identical/);
    }
    expect((await exchange({ code })).status).toBe(200);
  });

  it('expires after 10 minutes', async () => {
    const code = (await login({ client_id: APP.appId, redirect_uri: REDIRECT })).searchParams.get('code')!;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 601_000);
    const { status, body } = await exchange({ code });
    expect(status).toBe(400);
    expect(body.error.code).toBe(100);
    expect(body.error.message).toMatch(/expired/);
  });

  it('checks client_id and client_secret', async () => {
    const code = (await login({ client_id: APP.appId, redirect_uri: REDIRECT })).searchParams.get('code')!;
    expect((await exchange({ code, client_secret: 'wrong' })).body.error).toMatchObject({ code: 1, message: 'Error validating client secret.' });
    expect((await graph('oauth/access_token', { client_id: APP.appId, redirect_uri: REDIRECT, code })).status).toBe(400);
    expect((await exchange({ code, client_id: '999' })).body.error.code).toBe(101);
    // Another app cannot spend this app's code.
    const stolen = await graph('oauth/access_token', { client_id: OTHER.appId, client_secret: OTHER.appSecret, redirect_uri: REDIRECT, code });
    expect(stolen.status).toBe(400);
    expect((await exchange({ code })).status).toBe(200);
  });

  it('rejects garbage codes', async () => {
    const { status, body } = await exchange({ code: 'AQnotacode' });
    expect(status).toBe(400);
    expect(body.error.code).toBe(100);
  });
});

describe('PKCE (all or nothing, S256)', () => {
  const pkceLogin = async () =>
    (await login({ client_id: APP.appId, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code')!;

  it('accepts the right verifier', async () => {
    const { status, body } = await exchange({ code: await pkceLogin(), code_verifier: verifier });
    expect(status).toBe(200);
    expect(body.access_token).toMatch(/^EAA/);
  });

  it('fails a challenge without a verifier', async () => {
    const { status, body } = await exchange({ code: await pkceLogin() });
    expect(status).toBe(400);
    expect(body.error.code).toBe(100);
  });

  it('fails a wrong verifier and a malformed one', async () => {
    const code = await pkceLogin();
    expect((await exchange({ code, code_verifier: 'b'.repeat(43) })).status).toBe(400);
    expect((await exchange({ code, code_verifier: 'short' })).status).toBe(400);
    expect((await exchange({ code, code_verifier: verifier })).status).toBe(200);
  });

  it('fails a verifier without a challenge', async () => {
    const code = (await login({ client_id: APP.appId, redirect_uri: REDIRECT })).searchParams.get('code')!;
    const { status, body } = await exchange({ code, code_verifier: verifier });
    expect(status).toBe(400);
    expect(body.error.code).toBe(100);
  });
});

describe('fb_exchange_token and fb_attenuate_token', () => {
  const longLived = (token: string, query: Record<string, string> = {}) =>
    graph('oauth/access_token', { grant_type: 'fb_exchange_token', client_id: APP.appId, client_secret: APP.appSecret, fb_exchange_token: token, ...query });
  const attenuate = (token: string) => graph('oauth/access_token', { grant_type: 'fb_attenuate_token', client_id: APP.appId, fb_exchange_token: token });

  it('follows a login from code to long-lived to session-info token, leaving auth_type and auth_nonce on the login\'s own token', async () => {
    const user = fb.createTestUser(APP.appId);
    const code = (await login({ client_id: APP.appId, redirect_uri: REDIRECT, auth_type: 'rerequest', auth_nonce: 'n1' }, { user_id: user.id })).searchParams.get('code')!;
    const short = (await exchange({ code })).body.access_token;

    const long = await longLived(short);
    expect(long.status).toBe(200);
    expect(long.body).toEqual({ access_token: expect.stringMatching(/^EAA/), token_type: 'bearer', expires_in: expect.any(Number) });
    expect(Math.abs(long.body.expires_in - 5_184_000)).toBeLessThan(10);

    const sessionInfo = await attenuate(long.body.access_token);
    expect(sessionInfo.status).toBe(200);
    expect(sessionInfo.body).toEqual({ access_token: expect.stringMatching(/^EAA/), token_type: 'bearer', expires_in: expect.any(Number) });

    const data = (await debugToken(sessionInfo.body.access_token)).body.data;
    expect(data).toMatchObject({ is_valid: true, user_id: user.id });
    expect(data.granular_scopes).toBeUndefined();
    // No public sample shows metadata on long-lived or session-info tokens: only the login's token has it.
    expect(data.metadata).toBeUndefined();
    expect((await debugToken(long.body.access_token)).body.data.metadata).toBeUndefined();
    expect((await debugToken(short)).body.data).toMatchObject({ metadata: { auth_type: 'rerequest', auth_nonce: 'n1' } });

    const info = await graph('oauth/access_token_info', { client_id: APP.appId, access_token: long.body.access_token, appsecret_proof: proof(APP.appSecret, long.body.access_token) });
    expect(info.body).toEqual({ access_token: long.body.access_token, token_type: 'bearer', expires_in: expect.any(Number) });
    const shortInfo = await graph('oauth/access_token_info', { client_id: APP.appId, access_token: short, appsecret_proof: proof(APP.appSecret, short) });
    expect(shortInfo.body).toMatchObject({ token_type: 'bearer', auth_type: 'rerequest', auth_nonce: 'n1' });
  });

  it('needs the app secret for fb_exchange_token', async () => {
    const user = fb.createTestUser(APP.appId);
    const short = fb.mintUserToken(APP.appId, user.id);
    const { status } = await graph('oauth/access_token', { grant_type: 'fb_exchange_token', client_id: APP.appId, fb_exchange_token: short });
    expect(status).toBe(400);
    expect((await longLived(short, { client_secret: 'wrong' })).status).toBe(400);
  });

  it('cannot exchange an expired or dead token', async () => {
    const user = fb.createTestUser(APP.appId);
    const expired = fb.mintUserToken(APP.appId, user.id, { expiresInSeconds: -1 });
    const res = await longLived(expired);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 190, error_subcode: 463 });
    const dead = fb.mintUserToken(APP.appId, user.id);
    fb.endFacebookSession(user.id, 'password_changed');
    expect((await longLived(dead)).body.error).toMatchObject({ code: 190, error_subcode: 460 });
  });

  it('attenuates without a secret, but only from a long-lived token', async () => {
    const user = fb.createTestUser(APP.appId);
    const short = await attenuate(fb.mintUserToken(APP.appId, user.id, { lifetime: 'short' }));
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe(100);
    expect(short.body.error.fbtrace_id).toBeTruthy();

    const expired = await attenuate(fb.mintUserToken(APP.appId, user.id, { lifetime: 'long', expiresInSeconds: -5 }));
    expect(expired.status).toBe(400);
    expect(expired.body.error).toMatchObject({ code: 190, error_subcode: 463 });

    const ok = await attenuate(fb.mintUserToken(APP.appId, user.id, { lifetime: 'long' }));
    expect(ok.status).toBe(200);
    expect((await debugToken(ok.body.access_token)).body.data.is_valid).toBe(true);
  });

  it('refuses garbage, another app\'s token and a session-info token', async () => {
    expect((await attenuate('EAAgarbage')).body.error.code).toBe(190);
    const stranger = fb.createTestUser(OTHER.appId);
    expect((await attenuate(fb.mintUserToken(OTHER.appId, stranger.id, { lifetime: 'long' }))).status).toBe(400);
    const user = fb.createTestUser(APP.appId);
    const sessionInfo = await attenuate(fb.mintSessionInfoToken(APP.appId, user.id));
    expect(sessionInfo.body.error).toMatchObject({ code: 190, message: 'Invalid OAuth access token - Debug only access token' });
  });

  it('issues app tokens for client_credentials that work for debug_token', async () => {
    const { status, body } = await graph('oauth/access_token', { grant_type: 'client_credentials', client_id: APP.appId, client_secret: APP.appSecret });
    expect(status).toBe(200);
    expect(body.access_token.startsWith(`${APP.appId}|`)).toBe(true);
    const user = fb.createTestUser(APP.appId);
    const described = await graph('debug_token', {
      input_token: fb.mintSessionInfoToken(APP.appId, user.id),
      access_token: body.access_token,
      appsecret_proof: proof(APP.appSecret, body.access_token),
    });
    expect(described.body.data.is_valid).toBe(true);
  });
});
