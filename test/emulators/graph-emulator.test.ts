/**
 * The Graph emulator answers debug_token, access_token_info and its admin surface the way
 * docs/facebook-graph.md says Facebook does. Plain fetch only: these tests pin the wire, not a client.
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGraphEmulator, type GraphEmulator, type SessionEndReason } from '#local/emulators/graph';

const APP = { appId: '1000001', appSecret: 'secret-one' };
const OTHER = { appId: '2000002', appSecret: 'secret-two' };
const LAX = { appId: '3000003', appSecret: 'secret-three', requireAppSecretProof: false };
const V = 'v21.0';

let fb: GraphEmulator;

/** `Response.json()` is `unknown` in these typings; tests poke at the shapes freely. */
const json = (res: Response): Promise<any> => res.json() as Promise<any>;
const proof = (secret: string, token: string) => createHmac('sha256', secret).update(token).digest('hex');
const appToken = (app: { appId: string; appSecret: string }) => `${app.appId}|${app.appSecret}`;

async function get(path: string, query: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${fb.url}/${V}/${path}?${new URLSearchParams(query)}`);
  return { status: res.status, headers: res.headers, body: await json(res) };
}

/** debug_token as app `app`, with a correct appsecret_proof. */
function debugToken(inputToken: string, app: { appId: string; appSecret: string } = APP) {
  const access = appToken(app);
  return get('debug_token', { input_token: inputToken, access_token: access, appsecret_proof: proof(app.appSecret, access) });
}

function expectEnvelope(body: any, code: number, type = 'OAuthException') {
  expect(body.error).toMatchObject({ code, type });
  expect(typeof body.error.message).toBe('string');
  expect(body.error.fbtrace_id).toMatch(/^[A-Za-z0-9]{11}$/);
}

beforeAll(async () => {
  fb = await startGraphEmulator({ apps: [APP, OTHER, LAX] });
});
afterAll(async () => {
  await fb.close();
});
afterEach(() => {
  vi.useRealTimers();
  fb.clearFaults();
  fb.setAppUsage(0);
});

describe('debug_token', () => {
  it('describes a valid session-info token without granular_scopes, with metadata', async () => {
    const user = fb.createTestUser(APP.appId, { name: 'Ada Lovelace' });
    expect(user.id).toMatch(/^\d{15,}$/);
    const token = fb.mintSessionInfoToken(APP.appId, user.id, { metadata: { auth_type: 'reauthenticate', auth_nonce: 'n0nce', sso: 'ios' }, scopes: ['public_profile', 'email'] });
    expect(token).toMatch(/^EAA[A-Za-z0-9]+$/);

    const { status, headers, body } = await debugToken(token);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('application/json');
    const now = Math.floor(Date.now() / 1000);
    expect(body.data).toEqual({
      app_id: APP.appId,
      type: 'USER',
      application: expect.any(String),
      data_access_expires_at: expect.any(Number),
      expires_at: expect.any(Number),
      is_valid: true,
      issued_at: expect.any(Number),
      metadata: { auth_type: 'reauthenticate', auth_nonce: 'n0nce', sso: 'ios' },
      scopes: ['public_profile', 'email'],
      user_id: user.id,
    });
    expect(body.data.granular_scopes).toBeUndefined();
    expect(body.data.expires_at - now).toBeGreaterThan(59 * 86400);
    expect(body.data.expires_at - now).toBeLessThanOrEqual(60 * 86400 + 5);
    expect(Math.abs(body.data.issued_at - now)).toBeLessThan(5);
  });

  it('describes a public_profile/email user token without granular_scopes, as Facebook does, and omits metadata when there is none', async () => {
    const user = fb.createTestUser(APP.appId);
    const { body } = await debugToken(fb.mintUserToken(APP.appId, user.id, { lifetime: 'long', scopes: ['public_profile', 'email'] }));
    expect(body.data.is_valid).toBe(true);
    expect(body.data.scopes).toEqual(['public_profile', 'email']);
    expect(body.data.granular_scopes).toBeUndefined();
    expect(body.data.metadata).toBeUndefined();
  });

  it('lists granular_scopes for permissions beyond public_profile and email only', async () => {
    const user = fb.createTestUser(APP.appId);
    const { body } = await debugToken(fb.mintUserToken(APP.appId, user.id, { scopes: ['public_profile', 'email', 'user_friends'] }));
    expect(body.data.granular_scopes).toEqual([{ scope: 'user_friends' }]);
  });

  it('answers GET /me for a user token, and "Debug only access token" (HTTP 400, code 190) for a session-info token', async () => {
    const user = fb.createTestUser(APP.appId);
    const me = async (token: string) => {
      const proof = createHmac('sha256', APP.appSecret).update(token).digest('hex');
      const response = await fetch(`${fb.url}/v21.0/me?fields=id&access_token=${encodeURIComponent(token)}&appsecret_proof=${proof}`);
      return { status: response.status, body: (await response.json()) as any };
    };
    const asUser = await me(fb.mintUserToken(APP.appId, user.id));
    expect(asUser).toMatchObject({ status: 200, body: { id: user.id } });
    const asSessionInfo = await me(fb.mintSessionInfoToken(APP.appId, user.id));
    expect(asSessionInfo.status).toBe(400);
    expect(asSessionInfo.body.error).toMatchObject({ code: 190, type: 'OAuthException', message: 'Invalid OAuth access token - Debug only access token' });
  });

  it('reports expires_at 0 for a token that never expires', async () => {
    const user = fb.createTestUser(APP.appId);
    const { body } = await debugToken(fb.mintSessionInfoToken(APP.appId, user.id, { expiresInSeconds: 0 }));
    expect(body.data).toMatchObject({ is_valid: true, expires_at: 0 });
  });

  it('answers HTTP 200, is_valid false and error.subcode 463 for an expired token', async () => {
    const user = fb.createTestUser(APP.appId);
    const token = fb.mintSessionInfoToken(APP.appId, user.id, { expiresInSeconds: -60 });
    const { status, body } = await debugToken(token);
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ app_id: APP.appId, user_id: user.id, is_valid: false, error: { code: 190, subcode: 463 } });
    expect(body.data.error.message).toMatch(/Session has expired on/);
    expect(body.data.error.error_subcode).toBeUndefined();
  });

  it('lets a token expire with the clock', async () => {
    const user = fb.createTestUser(APP.appId);
    const token = fb.mintSessionInfoToken(APP.appId, user.id, { expiresInSeconds: 30 });
    expect((await debugToken(token)).body.data.is_valid).toBe(true);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    expect((await debugToken(token)).body.data).toMatchObject({ is_valid: false, error: { subcode: 463 } });
  });

  const reasons: [SessionEndReason, number][] = [
    ['password_changed', 460],
    ['app_removed', 458],
    ['logged_out', 467],
    ['expired', 463],
    ['checkpointed', 459],
    ['invalidated', 466],
    ['unconfirmed_user', 464],
  ];
  it.each(reasons)('kills the tokens when the Facebook session ends (%s → subcode %i)', async (reason, subcode) => {
    const user = fb.createTestUser(APP.appId);
    const sessionInfo = fb.mintSessionInfoToken(APP.appId, user.id);
    const long = fb.mintUserToken(APP.appId, user.id, { lifetime: 'long' });
    fb.endFacebookSession(user.id, reason);
    for (const token of [sessionInfo, long]) {
      const { status, body } = await debugToken(token);
      expect(status).toBe(200);
      expect(body.data).toMatchObject({ is_valid: false, app_id: APP.appId, user_id: user.id, error: { code: 190, subcode } });
      expect(body.data.error.message).toMatch(/^Error validating access token/);
    }
    // A new login after the session ended works again.
    expect((await debugToken(fb.mintSessionInfoToken(APP.appId, user.id))).body.data.is_valid).toBe(true);
  });

  it('describes garbage as invalid with no app_id or user_id', async () => {
    const { status, body } = await debugToken('EAAnotarealtoken123');
    expect(status).toBe(200);
    expect(body.data.is_valid).toBe(false);
    expect(body.data.error.code).toBe(190);
    expect(body.data.error.subcode).toBeUndefined();
    expect(body.data).not.toHaveProperty('app_id');
    expect(body.data).not.toHaveProperty('user_id');
  });

  it("refuses to describe another app's token: HTTP 400, code 100", async () => {
    const user = fb.createTestUser(OTHER.appId);
    const { status, body } = await debugToken(fb.mintSessionInfoToken(OTHER.appId, user.id));
    expect(status).toBe(400);
    expectEnvelope(body, 100);
    expect(body.error.message).toBe('(#100) The App_id in the input_token did not match the Viewing App');
  });

  it('refuses a session-info token as access_token: HTTP 400, code 190 "Debug only access token"', async () => {
    const user = fb.createTestUser(APP.appId);
    const token = fb.mintSessionInfoToken(APP.appId, user.id);
    const { status, body } = await get('debug_token', { input_token: token, access_token: token, appsecret_proof: proof(APP.appSecret, token) });
    expect(status).toBe(400);
    expectEnvelope(body, 190);
    expect(body.error.message).toBe('Invalid OAuth access token - Debug only access token');
  });

  it('accepts a live user token of the same app as access_token', async () => {
    const user = fb.createTestUser(APP.appId);
    const caller = fb.mintUserToken(APP.appId, user.id);
    const input = fb.mintSessionInfoToken(APP.appId, user.id);
    const { status, body } = await get('debug_token', { input_token: input, access_token: caller, appsecret_proof: proof(APP.appSecret, caller) });
    expect(status).toBe(200);
    expect(body.data.is_valid).toBe(true);
  });

  it('describes an app token as type APP', async () => {
    const { body } = await debugToken(appToken(APP));
    expect(body.data).toMatchObject({ app_id: APP.appId, type: 'APP', is_valid: true });
  });

  it('needs input_token and access_token', async () => {
    const missingInput = await get('debug_token', { access_token: appToken(APP), appsecret_proof: proof(APP.appSecret, appToken(APP)) });
    expect(missingInput.status).toBe(400);
    expectEnvelope(missingInput.body, 100);
    const missingAccess = await get('debug_token', { input_token: 'EAAx' });
    expect(missingAccess.status).toBe(400);
    expectEnvelope(missingAccess.body, 104);
  });

  it('accepts any vNN.N version and versionless paths', async () => {
    const access = appToken(APP);
    for (const prefix of ['/v2.12', '/v99.0', '']) {
      const res = await fetch(`${fb.url}${prefix}/debug_token?${new URLSearchParams({ input_token: access, access_token: access, appsecret_proof: proof(APP.appSecret, access) })}`);
      expect(res.status).toBe(200);
    }
    const res = await fetch(`${fb.url}/v2.12/debug_token`);
    expect(res.headers.get('facebook-api-version')).toBe('v2.12');
  });
});

describe('appsecret_proof', () => {
  it('is required when "Require App Secret" is on: code 100', async () => {
    const { status, body } = await get('debug_token', { input_token: 'EAAx', access_token: appToken(APP) });
    expect(status).toBe(400);
    expectEnvelope(body, 100, 'GraphMethodException');
    expect(body.error.message).toMatch(/appsecret_proof/);
  });

  it('must be the HMAC of the access token under the app secret', async () => {
    const wrongKey = await get('debug_token', { input_token: 'EAAx', access_token: appToken(APP), appsecret_proof: proof('not-the-secret', appToken(APP)) });
    expect(wrongKey.status).toBe(400);
    expectEnvelope(wrongKey.body, 100, 'GraphMethodException');
    const wrongMessage = await get('debug_token', { input_token: 'EAAx', access_token: appToken(APP), appsecret_proof: proof(APP.appSecret, 'other token') });
    expect(wrongMessage.status).toBe(400);
    expect(wrongMessage.body.error.message).toMatch(/Invalid appsecret_proof/);
  });

  it('may be left out when the app does not require it, but a wrong one still fails', async () => {
    expect((await get('debug_token', { input_token: 'EAAx', access_token: appToken(LAX) })).status).toBe(200);
    const wrong = await get('debug_token', { input_token: 'EAAx', access_token: appToken(LAX), appsecret_proof: 'ab'.repeat(32) });
    expect(wrong.status).toBe(400);
    expectEnvelope(wrong.body, 100, 'GraphMethodException');
  });

  it('rejects a wrong app secret in the app token with code 190', async () => {
    const bad = `${APP.appId}|nope`;
    const { status, body } = await get('debug_token', { input_token: 'EAAx', access_token: bad, appsecret_proof: proof(APP.appSecret, bad) });
    expect(status).toBe(400);
    expectEnvelope(body, 190);
  });
});

describe('dead access tokens as callers', () => {
  it('fail with HTTP 400, code 190 and error_subcode in the envelope', async () => {
    const user = fb.createTestUser(APP.appId);
    const caller = fb.mintUserToken(APP.appId, user.id, { lifetime: 'long' });
    fb.endFacebookSession(user.id, 'logged_out');
    const { status, body, headers } = await get('me', { access_token: caller, appsecret_proof: proof(APP.appSecret, caller) });
    expect(status).toBe(400);
    expectEnvelope(body, 190);
    expect(body.error.error_subcode).toBe(467);
    expect(headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('/me answers id and name for a live user token', async () => {
    const user = fb.createTestUser(APP.appId, { name: 'Grace Hopper' });
    const caller = fb.mintUserToken(APP.appId, user.id);
    const { status, body } = await get('me', { access_token: caller, appsecret_proof: proof(APP.appSecret, caller) });
    expect(status).toBe(200);
    expect(body).toEqual({ id: user.id, name: 'Grace Hopper' });
  });
});

describe("'app_removed' ends only that app's tokens", () => {
  it('leaves the other reasons killing every token of the person', async () => {
    const user = fb.createTestUser(APP.appId);
    const token = fb.mintSessionInfoToken(APP.appId, user.id);
    fb.endFacebookSession(user.id, 'app_removed', OTHER.appId);
    expect((await debugToken(token)).body.data.is_valid).toBe(true);
    fb.endFacebookSession(user.id, 'app_removed');
    expect((await debugToken(token)).body.data.error.subcode).toBe(458);
  });

  it('does not touch other people', async () => {
    const a = fb.createTestUser(APP.appId);
    const b = fb.createTestUser(APP.appId);
    const tokenB = fb.mintSessionInfoToken(APP.appId, b.id);
    fb.endFacebookSession(a.id, 'password_changed');
    expect((await debugToken(tokenB)).body.data.is_valid).toBe(true);
  });
});

describe('oauth/access_token_info', () => {
  it('answers the token lifetime and its auth_type / auth_nonce', async () => {
    const user = fb.createTestUser(APP.appId);
    const long = fb.mintUserToken(APP.appId, user.id, { lifetime: 'long' });
    const { status, body } = await get('oauth/access_token_info', { client_id: APP.appId, access_token: long, appsecret_proof: proof(APP.appSecret, long) });
    expect(status).toBe(200);
    expect(body).toEqual({ access_token: long, token_type: 'bearer', expires_in: expect.any(Number) });
    expect(body.expires_in).toBeGreaterThan(5_000_000);
    // Sixty days at most, like a long-lived token.
    expect(body.expires_in).toBeLessThanOrEqual(5_184_000);
  });

  it('refuses a session-info token like any other call but debug_token', async () => {
    const user = fb.createTestUser(APP.appId);
    const token = fb.mintSessionInfoToken(APP.appId, user.id);
    const { status, body } = await get('oauth/access_token_info', { client_id: APP.appId, access_token: token, appsecret_proof: proof(APP.appSecret, token) });
    expect(status).toBe(400);
    expect(body.error.message).toBe('Invalid OAuth access token - Debug only access token');
  });
});

describe('headers and stats', () => {
  it('sends X-App-Usage on every Graph answer and lets tests raise it', async () => {
    const first = await debugToken('EAAx');
    expect(JSON.parse(first.headers.get('x-app-usage')!)).toEqual({ call_count: 0, total_time: 0, total_cputime: 0 });
    fb.setAppUsage(85);
    const second = await debugToken('EAAx');
    expect(second.status).toBe(200);
    expect(JSON.parse(second.headers.get('x-app-usage')!)).toEqual({ call_count: 85, total_time: 85, total_cputime: 85 });
    expect(second.headers.get('x-fb-trace-id')).toBeTruthy();
  });

  it('throttles every call with code 4 once usage reaches 100', async () => {
    fb.setAppUsage(100);
    const { status, body } = await debugToken('EAAx');
    expect(status).toBe(400);
    expectEnvelope(body, 4);
    expect(body.error.is_transient).toBe(true);
  });

  it('counts requests, debug_token checks and paths', async () => {
    fb.resetStats();
    await debugToken('EAAx');
    await debugToken('EAAy');
    await get('me', {});
    const stats = fb.stats();
    expect(stats).toEqual({ requests: 3, debugTokenChecks: 2, batchRequests: 0, byPath: { debug_token: 2, me: 1 } });
    fb.resetStats();
    expect(fb.stats().requests).toBe(0);
  });

  it('answers unknown paths with Graph errors', async () => {
    const numeric = await get('123456', {});
    expect(numeric.status).toBe(400);
    expectEnvelope(numeric.body, 100, 'GraphMethodException');
    expect(numeric.body.error.error_subcode).toBe(33);
    const nested = await get('foo/bar', {});
    expectEnvelope(nested.body, 2500);
  });
});

describe('programmatic API misuse', () => {
  it('throws for unknown apps and users, and for another app\'s user (ids are app-scoped)', () => {
    const user = fb.createTestUser(APP.appId);
    expect(() => fb.createTestUser('999')).toThrow(/unknown app/);
    expect(() => fb.mintUserToken(APP.appId, '42')).toThrow(/unknown test user/);
    expect(() => fb.mintSessionInfoToken(OTHER.appId, user.id)).toThrow(/app-scoped/);
    expect(() => fb.endFacebookSession('42', 'logged_out')).toThrow(/unknown test user/);
  });
});

describe('admin surface /_emulator/', () => {
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${fb.url}/_emulator${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });

  it('creates users, mints tokens, ends sessions and lists users', async () => {
    const created = await admin('POST', '/users', { name: 'Curl User' });
    expect(created.status).toBe(201);
    const user = await json(created);
    expect(user).toEqual({ id: expect.stringMatching(/^\d+$/), name: 'Curl User', appId: APP.appId });

    const inOther = await json(await admin('POST', '/users', { appId: OTHER.appId }));
    expect(inOther.appId).toBe(OTHER.appId);

    const minted = await admin('POST', `/users/${user.id}/session-info-token`, { expiresInSeconds: 3600, metadata: { auth_nonce: 'abc' } });
    expect(minted.status).toBe(201);
    const { token } = await json(minted);
    const described = (await debugToken(token)).body.data;
    expect(described).toMatchObject({ is_valid: true, user_id: user.id, metadata: { auth_nonce: 'abc' } });

    const userToken = await json(await admin('POST', `/users/${user.id}/user-token`, { lifetime: 'long' }));
    expect(userToken.token).toMatch(/^EAA/);

    const ended = await admin('POST', `/users/${user.id}/end-session`, { reason: 'checkpointed' });
    expect(ended.status).toBe(204);
    expect((await debugToken(token)).body.data.error.subcode).toBe(459);

    const list = await json(await admin('GET', `/users?appId=${APP.appId}`));
    expect(list.users).toContainEqual(user);
    expect(list.users.every((u: { appId: string }) => u.appId === APP.appId)).toBe(true);
  });

  it('injects and clears faults, sets latency and usage, reports stats', async () => {
    expect((await admin('POST', '/faults', { fault: { kind: 'http_status', status: 503 }, count: 1, path: 'debug_token' })).status).toBe(204);
    expect((await debugToken('EAAx')).status).toBe(503);
    expect((await debugToken('EAAx')).status).toBe(200);
    await admin('POST', '/faults', { fault: { kind: 'error_code', code: 17 } });
    expect((await debugToken('EAAx')).body.error.code).toBe(17);
    expect((await admin('DELETE', '/faults')).status).toBe(204);
    expect((await debugToken('EAAx')).status).toBe(200);

    expect((await admin('PUT', '/app-usage', { percent: 42 })).status).toBe(204);
    expect(JSON.parse((await debugToken('EAAx')).headers.get('x-app-usage')!).call_count).toBe(42);
    expect((await admin('PUT', '/latency', { ms: 0 })).status).toBe(204);
    const stats = await json(await admin('GET', '/stats'));
    expect(stats.debugTokenChecks).toBeGreaterThan(0);
  });

  it('validates bodies and names unknown users and routes', async () => {
    const bad = await admin('POST', '/faults', { fault: { kind: 'nope' } });
    expect(bad.status).toBe(400);
    // The API's error shape: code, message, issues by field.
    expect((await json(bad)).error).toEqual({ code: 'invalid_request', message: expect.any(String), issues: [{ field: 'fault.kind', message: expect.any(String) }] });
    const unknownUser = await admin('POST', '/users/42/user-token', {});
    expect(unknownUser.status).toBe(404);
    expect((await json(unknownUser)).error).toEqual({ code: 'not_found', message: 'unknown test user 42' });
    expect((await json(await admin('POST', '/users', { appId: '999' }))).error.code).toBe('not_found');
    expect((await json(await admin('PUT', '/latency', 'not an object'))).error.code).toBe('invalid_request');
    expect((await admin('POST', '/users/42/end-session', { reason: 'nope' })).status).toBe(404);
    const user = await json(await admin('POST', '/users', {}));
    expect((await admin('POST', `/users/${user.id}/end-session`, { reason: 'nope' })).status).toBe(400);
    expect((await admin('GET', '/nothing-here')).status).toBe(404);
    expect((await admin('POST', '/users', { appId: '999' })).status).toBe(404);
  });

  it('does not count admin calls in Graph stats nor add X-App-Usage', async () => {
    fb.resetStats();
    const res = await admin('GET', '/users');
    expect(res.headers.get('x-app-usage')).toBeNull();
    expect(fb.stats().requests).toBe(0);
  });
});
