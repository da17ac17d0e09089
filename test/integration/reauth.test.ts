import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '#commons/sessions/session-tokens';
import { startTestStack, type TestStack } from '#test/support/local-stack';
import { completeReauth, sdkLogin, sensitiveAction, signIn, type SignedIn, startReauth, submitDialog } from '#test/support/reauth-flow';

/**
 * Re-authentication against the real handlers, DynamoDB Local and the Graph emulator's dialog:
 * starting, completing through the SDK route and through the callback, every refusal, the race of
 * two completions, and freshness. The data is read back from the table.
 */
let stack: TestStack;
const secrets: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const sessionItem = (session: SignedIn) => stack.getItem(`SESSION#${session.sessionId}`, 'SESSION');
const nonceItem = (nonce: string) => stack.getItem(`REAUTH#${sha256Hex(nonce)}`, 'REAUTH');

/** Started and logged in through the dialog as the SDK would; answers the login's token. */
async function reauthenticatedLogin(session: SignedIn, overrides: { userId?: string; auth_type?: string; auth_nonce?: string } = {}) {
  const started = await startReauth(stack, session);
  const token = await sdkLogin(stack, overrides.userId ?? session.facebookUserId, {
    auth_type: overrides.auth_type ?? 'reauthenticate',
    auth_nonce: overrides.auth_nonce ?? started.nonce,
  });
  secrets.push(token, started.nonce);
  return { started, token };
}

async function expectRefused(session: SignedIn, token: string, reason: string) {
  const before = await sessionItem(session);
  const response = await completeReauth(stack, session, token);
  expect(response.status).toBe(401);
  expect(response.json.error).toMatchObject({ code: 'reauth_failed', reason });
  // Nothing about the session changed.
  expect(await sessionItem(session)).toEqual(before);
  return response;
}

describe('POST /v1/reauth/start', () => {
  it('issues a single-use alphanumeric nonce for 10 minutes and a dialog URL that asks for the password, with state and PKCE', async () => {
    const session = await signIn(stack);
    const before = Date.now();
    const started = await startReauth(stack, session, { returnTo: '/account' });
    expect(started.nonce).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(Date.parse(started.expiresAt) - before).toBeGreaterThan(9.9 * 60_000);
    expect(Date.parse(started.expiresAt) - before).toBeLessThanOrEqual(10 * 60_000 + 2000);
    const query = started.dialog.searchParams;
    expect(started.dialog.origin + started.dialog.pathname).toBe(`${stack.graphEmulator().url}/v21.0/dialog/oauth`);
    expect(query.get('auth_type')).toBe('reauthenticate');
    expect(query.get('auth_nonce')).toBe(started.nonce);
    expect(query.get('client_id')).toBe(stack.appId);
    expect(query.get('redirect_uri')).toBe(`${stack.url}/v1/auth/facebook/callback`);
    expect(query.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the nonce's hash is stored, bound to the session and its Facebook user.
    const item = await nonceItem(started.nonce);
    expect(item).toMatchObject({ sessionId: session.sessionId, facebookUserId: session.facebookUserId, status: 'issued' });
    expect(JSON.stringify(await stack.scanTable())).not.toContain(started.nonce);
  });

  it('needs a live session', async () => {
    const response = await stack.request('POST', '/v1/reauth/start', { body: {} });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('unauthenticated');
  });

  it('answers 409 reauth_unsupported for a session from a mobile session-info token, unless the app opens the dialog in a web view', async () => {
    const session = await signIn(stack, { mobile: true });
    const refused = await stack.request('POST', '/v1/reauth/start', { headers: session.bearer, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('reauth_unsupported');
    const viaWeb = await startReauth(stack, session, { via: 'web' });
    expect(viaWeb.nonce).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('refuses a returnTo on another origin and an unknown via before writing anything', async () => {
    const session = await signIn(stack);
    const before = (await stack.scanTable()).length;
    for (const body of [{ returnTo: 'https://evil.example.com/' }, { via: 'sdk' }, { extra: 1 }]) {
      const response = await stack.request('POST', '/v1/reauth/start', { headers: session.bearer, body });
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe('invalid_request');
    }
    expect((await stack.scanTable()).length).toBe(before);
  });
});

describe('POST /v1/reauth/complete', () => {
  it('sets authTime to now, replaces the sealed session-info token with one from this login, spends the nonce', async () => {
    const session = await signIn(stack);
    const before = await sessionItem(session);
    await stack.updateItem(`SESSION#${session.sessionId}`, 'SESSION', { authTime: Date.now() - 3600_000 });
    const { started, token } = await reauthenticatedLogin(session);
    const startedAt = Date.now();
    const response = await completeReauth(stack, session, token);
    expect(response.status).toBe(200);
    expect(response.json.session.id).toBe(session.sessionId);
    const after = await sessionItem(session);
    expect(after!.authTime).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(after!.sealedToken).not.toBe(before!.sealedToken);
    expect(after!.sessionInfoTokenHash).not.toBe(before!.sessionInfoTokenHash);
    // The token lock moved with it; the session's own token and expiry are untouched.
    expect(await stack.getItem(`SITOKEN#${before!.sessionInfoTokenHash}`, 'SITOKEN')).toBeUndefined();
    expect(await stack.getItem(`SITOKEN#${after!.sessionInfoTokenHash}`, 'SITOKEN')).toMatchObject({ sessionId: session.sessionId });
    expect(after!.tokenHash).toBe(before!.tokenHash);
    expect(after!.expiresAt).toBe(before!.expiresAt);
    expect(await nonceItem(started.nonce)).toMatchObject({ status: 'spent' });
    // The session-info token kept is not the login's user token (that one is dropped).
    expect(after!.sessionInfoTokenHash).not.toBe(sha256Hex(token));
    const current = await stack.request('GET', '/v1/sessions/current', { headers: session.bearer });
    expect(Date.parse(current.json.session.authTime)).toBeGreaterThanOrEqual(startedAt - 1000);
  });

  it('refuses a login that carries no nonce (nonce_missing)', async () => {
    const session = await signIn(stack);
    await startReauth(stack, session);
    const token = await sdkLogin(stack, session.facebookUserId, { auth_type: 'reauthenticate' });
    await expectRefused(session, token, 'nonce_missing');
  });

  it('refuses a nonce that was never issued (nonce_unknown)', async () => {
    const session = await signIn(stack);
    const { token } = await reauthenticatedLogin(session, { auth_nonce: 'A'.repeat(32) });
    await expectRefused(session, token, 'nonce_unknown');
  });

  it("refuses another session's nonce, even of the same person (nonce_unknown), and leaves that nonce usable", async () => {
    const mine = await signIn(stack);
    const other = await signIn(stack, { facebookUserId: mine.facebookUserId });
    const { started, token } = await reauthenticatedLogin(other);
    await expectRefused(mine, token, 'nonce_unknown');
    expect(await nonceItem(started.nonce)).toMatchObject({ status: 'issued', sessionId: other.sessionId });
    expect((await completeReauth(stack, other, token)).status).toBe(200);
  });

  it('refuses a nonce past its 10 minutes (nonce_expired)', async () => {
    const session = await signIn(stack);
    const { started, token } = await reauthenticatedLogin(session);
    await stack.updateItem(`REAUTH#${sha256Hex(started.nonce)}`, 'REAUTH', { expiresAt: Date.now() - 1000 });
    await expectRefused(session, token, 'nonce_expired');
  });

  it('refuses a replay (nonce_replayed), logs it as a security event and counts NonceReplay', async () => {
    const session = await signIn(stack);
    const { token } = await reauthenticatedLogin(session);
    expect((await completeReauth(stack, session, token)).status).toBe(200);
    const outputBefore = stack.capturedOutput().length;
    await expectRefused(session, token, 'nonce_replayed');
    const output = stack.capturedOutput().slice(outputBefore);
    expect(output).toContain('"securityEvent":"reauth_nonce_replayed"');
    expect(output).toContain(`"sessionId":"${session.sessionId}"`);
    const emf = output
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] } });
    const replayMetric = emf.find((line) => line._aws.CloudWatchMetrics.some((m) => m.Metrics.some((metric) => metric.Name === 'NonceReplay')));
    expect(replayMetric?._aws.CloudWatchMetrics[0]!.Namespace).toBe('SessionGuard');
    expect(replayMetric?.NonceReplay).toBe(1);
  });

  it("refuses another Facebook user's login with our nonce (user_mismatch)", async () => {
    const session = await signIn(stack);
    const stranger = stack.graphEmulator().createTestUser(stack.appId);
    const { token } = await reauthenticatedLogin(session, { userId: stranger.id });
    await expectRefused(session, token, 'user_mismatch');
  });

  it('refuses a token Facebook does not accept, or whose Facebook session ended (invalid_token)', async () => {
    const session = await signIn(stack);
    await expectRefused(session, 'EAAnotatokenatall', 'invalid_token');
    const { token } = await reauthenticatedLogin(session);
    stack.graphEmulator().endFacebookSession(session.facebookUserId, 'logged_out');
    await expectRefused(session, token, 'invalid_token');
  });

  it('refuses a login that was not a re-authentication (not_reauthenticated), and keeps the nonce for a real one', async () => {
    const session = await signIn(stack);
    const { started, token } = await reauthenticatedLogin(session, { auth_type: 'rerequest' });
    await expectRefused(session, token, 'not_reauthenticated');
    const retry = await sdkLogin(stack, session.facebookUserId, { auth_type: 'reauthenticate', auth_nonce: started.nonce });
    expect((await completeReauth(stack, session, retry)).status).toBe(200);
  });

  it('lets exactly one of two concurrent completions of one nonce win', async () => {
    const session = await signIn(stack);
    const started = await startReauth(stack, session);
    const [first, second] = await Promise.all([
      sdkLogin(stack, session.facebookUserId, { auth_type: 'reauthenticate', auth_nonce: started.nonce }),
      sdkLogin(stack, session.facebookUserId, { auth_type: 'reauthenticate', auth_nonce: started.nonce }),
    ]);
    const responses = await Promise.all([completeReauth(stack, session, first), completeReauth(stack, session, second)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(responses.find((r) => r.status === 401)!.json.error).toMatchObject({ code: 'reauth_failed', reason: 'nonce_replayed' });
    // One sealed token, one lock: the winner's.
    const item = await sessionItem(session);
    const locks = (await stack.scanTable()).filter((i) => i.entity === 'sessionInfoTokenLock' && i.sessionId === session.sessionId);
    expect(locks.map((lock) => lock.pk)).toEqual([`SITOKEN#${item!.sessionInfoTokenHash}`]);
  });

  it('needs a live session and a well-formed body', async () => {
    const anonymous = await stack.request('POST', '/v1/reauth/complete', { body: { accessToken: 'EAAx' } });
    expect(anonymous.status).toBe(401);
    const session = await signIn(stack);
    const bad = await stack.request('POST', '/v1/reauth/complete', { headers: session.bearer, body: { accessToken: 'has spaces' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues).toEqual([{ field: 'accessToken', message: 'has characters a Facebook token never has' }]);
  });
});

describe('re-authentication through the dialog and the sign-in callback', () => {
  async function throughDialog(session: SignedIn, userId = session.facebookUserId) {
    const started = await startReauth(stack, session, { returnTo: '/account?tab=security' });
    const callback = await submitDialog(started.dialog, userId);
    secrets.push(started.nonce, callback.searchParams.get('code')!);
    return { started, callback };
  }

  it('is recognised by its state: the session is re-authenticated and the browser goes back to returnTo', async () => {
    const session = await signIn(stack);
    await stack.updateItem(`SESSION#${session.sessionId}`, 'SESSION', { authTime: Date.now() - 3600_000 });
    const { started, callback } = await throughDialog(session);
    const response = await fetch(callback, { headers: { cookie: started.loginCookie }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/account?tab=security&reauth=done');
    // No new session: the browser keeps its cookie; only the login cookie is cleared.
    expect(response.headers.getSetCookie().map((line) => line.split('=')[0])).toEqual(['sg_login']);
    expect((await sessionItem(session))!.authTime).toBeGreaterThan(Date.now() - 60_000);
    expect(await nonceItem(started.nonce)).toMatchObject({ status: 'spent' });
    expect((await sensitiveAction(stack, session)).status).toBe(200);

    const replayed = await fetch(callback, { headers: { cookie: started.loginCookie, accept: 'application/json' }, redirect: 'manual' });
    expect(replayed.status).toBe(400);
    expect(((await replayed.json()) as { error: { code: string } }).error.code).toBe('login_state_invalid');
  });

  it('refuses the callback in a browser that did not start it, and changes nothing', async () => {
    const session = await signIn(stack);
    const before = await sessionItem(session);
    const { callback } = await throughDialog(session);
    const response = await fetch(callback, { headers: { accept: 'application/json' }, redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('login_browser_mismatch');
    expect(await sessionItem(session)).toEqual(before);
  });

  it("refuses another Facebook user's login in the dialog (user_mismatch), and changes nothing", async () => {
    const session = await signIn(stack);
    const before = await sessionItem(session);
    const stranger = stack.graphEmulator().createTestUser(stack.appId);
    const { started, callback } = await throughDialog(session, stranger.id);
    const response = await fetch(callback, { headers: { cookie: started.loginCookie, accept: 'application/json' }, redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'reauth_failed', reason: 'user_mismatch' } });
    expect(await sessionItem(session)).toEqual(before);
  });

  it('sends a cancelled re-authentication back with reauth_error=cancelled', async () => {
    const session = await signIn(stack);
    const started = await startReauth(stack, session, { returnTo: '/account' });
    const form = new URLSearchParams(started.dialog.searchParams);
    form.set('action', 'cancel');
    const dialog = await fetch(`${started.dialog.origin}${started.dialog.pathname}`, { method: 'POST', body: form, redirect: 'manual' });
    const response = await fetch(dialog.headers.get('location')!, { headers: { cookie: started.loginCookie }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/account?reauth_error=cancelled');
  });
});

describe('POST /v1/account/sensitive-action (at most 5 minutes since the Facebook authentication)', () => {
  it('is allowed right after signing in, refused with reauthentication_required later, and allowed again after re-authenticating', async () => {
    const session = await signIn(stack);
    expect((await sensitiveAction(stack, session)).status).toBe(200);

    await stack.updateItem(`SESSION#${session.sessionId}`, 'SESSION', { authTime: Date.now() - 301_000 });
    const refused = await sensitiveAction(stack, session);
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ error: { code: 'reauthentication_required', message: expect.any(String), maxAgeSeconds: 300 } });

    const { token } = await reauthenticatedLogin(session);
    expect((await completeReauth(stack, session, token)).status).toBe(200);
    const allowed = await sensitiveAction(stack, session);
    expect(allowed.status).toBe(200);
    expect(allowed.json).toMatchObject({ done: true, maxAgeSeconds: 300 });
  });

  it('is closed to requests without a session (the authorizer refuses)', async () => {
    expect((await stack.request('POST', '/v1/account/sensitive-action')).status).toBe(403);
  });
});

describe('logs', () => {
  it('never hold a nonce, a Facebook token or a code', () => {
    const output = stack.capturedOutput();
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
