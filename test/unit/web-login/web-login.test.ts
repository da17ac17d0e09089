import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FacebookTokenRejectedError, FacebookUnavailableError, InvalidRequestError, WebLoginError } from '#commons/platform/errors';
import type { ExchangedToken, FacebookTokenExchanges } from '#commons/facebook/facebook-oauth';
import type { DebugTokenAnswer } from '#commons/facebook/debug-token';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError, TokenOfAnotherAppError } from '#commons/facebook/graph-transport';
import { LOGIN_STATE_TTL_MS, newLoginAttempt } from '#commons/web-login/oauth-state';
import { codeChallengeS256 } from '#commons/web-login/pkce';
import type { CreateSessionPlan } from '#commons/sessions/ports';
import type { LoginStateConsumption, LoginStateRecord } from '#commons/web-login/ports';
import type { SessionServiceDeps } from '#commons/sessions/sessions';
import {
  attenuateUserToken,
  beginWebLogin,
  completeWebLogin,
  type CompleteWebLoginDeps,
  signInWithUserAccessToken,
  type WebLoginSettings,
} from '#commons/web-login/web-login';

const APP_ID = '1234567890123456';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const REDIRECT_URI = 'https://api.example.com/v1/auth/facebook/callback';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const settings: WebLoginSettings = {
  appId: APP_ID,
  graphApiVersion: 'v21.0',
  dialogBaseUrl: 'https://www.facebook.com',
  scopes: ['public_profile', 'email'],
  redirectUri: REDIRECT_URI,
  allowedOrigins: ['https://app.example.com'],
};

/** The store's semantics, in memory: conditional delete included. */
function memoryStates(now = () => NOW) {
  const items = new Map<string, LoginStateRecord>();
  return {
    items,
    async putLoginState(record: LoginStateRecord) {
      items.set(record.stateHash, record);
    },
    async consumeLoginState(stateHash: string, nonceHash: string | undefined): Promise<LoginStateConsumption> {
      const record = items.get(stateHash);
      if (!record) return { status: 'unknown' };
      if (record.expiresAt <= now()) return { status: 'expired' };
      if (record.nonceHash !== nonceHash) return { status: 'nonce_mismatch' };
      items.delete(stateHash);
      return { status: 'consumed', record };
    },
  };
}

function fakeOAuth(overrides: Partial<Record<keyof FacebookTokenExchanges, (arg: any) => Promise<ExchangedToken>>> = {}) {
  const calls: Array<[string, unknown]> = [];
  const oauth: FacebookTokenExchanges = {
    exchangeCode: async (input) => {
      calls.push(['exchangeCode', input]);
      return overrides.exchangeCode ? overrides.exchangeCode(input) : { accessToken: 'EAAshort', expiresInSeconds: 7200 };
    },
    exchangeForLongLived: async (token) => {
      calls.push(['exchangeForLongLived', token]);
      return overrides.exchangeForLongLived ? overrides.exchangeForLongLived(token) : { accessToken: 'EAAlong', expiresInSeconds: 5184000 };
    },
    attenuate: async (token) => {
      calls.push(['attenuate', token]);
      return overrides.attenuate ? overrides.attenuate(token) : { accessToken: 'EAAsessionInfo', expiresInSeconds: 5184000 };
    },
  };
  return { oauth, calls };
}

function fakeSessions() {
  const created: CreateSessionPlan[] = [];
  const checked: string[] = [];
  const deps: SessionServiceDeps = {
    store: {
      getUserByFacebookId: async () => undefined,
      getSessionIdForSessionInfoToken: async () => undefined,
      createSession: async (plan: CreateSessionPlan) => void created.push(plan),
    },
    vault: { seal: async (token: string) => `sealed(${token})` },
    graph: {
      debugToken: async (token: string): Promise<DebugTokenAnswer> => {
        checked.push(token);
        return {
          kind: 'described',
          token: { isValid: true, appId: APP_ID, userId: '10150000000000001', type: 'USER', expiresAt: NOW / 1000 + 86400 * 60, issuedAt: NOW / 1000, scopes: [], metadata: {} },
        };
      },
      probeAsAccessToken: async () => 'debug_only' as const,
    },
    appId: APP_ID,
    sessionMaxAgeMs: 30 * 86400_000,
    now: () => NOW,
  };
  return { deps, created, checked };
}

async function begun(returnTo = '/account') {
  const states = memoryStates();
  const started = await beginWebLogin({ states, now: () => NOW }, settings, returnTo);
  const url = new URL(started.dialogUrl);
  return { states, started, url, state: url.searchParams.get('state')! };
}

describe('beginWebLogin', () => {
  it('sends the browser to the dialog with client_id, redirect_uri, state, S256 challenge and scopes', async () => {
    const { url, states, state } = await begun();
    expect(url.origin + url.pathname).toBe('https://www.facebook.com/v21.0/dialog/oauth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: APP_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      response_type: 'code',
      scope: 'public_profile,email',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    const record = states.items.get(sha256(state))!;
    expect(url.searchParams.get('code_challenge')).toBe(codeChallengeS256(record.codeVerifier));
  });

  it('stores only hashes of the state and the browser nonce, with the verifier and returnTo, for 10 minutes', async () => {
    const { states, state, started } = await begun('/account?tab=2');
    expect([...states.items.keys()]).toEqual([sha256(state)]);
    expect(states.items.get(sha256(state))).toEqual({
      stateHash: sha256(state),
      nonceHash: sha256(started.bindingNonce),
      codeVerifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      returnTo: '/account?tab=2',
      createdAt: NOW,
      expiresAt: NOW + LOGIN_STATE_TTL_MS,
    });
    expect(LOGIN_STATE_TTL_MS).toBe(600_000);
    expect(JSON.stringify([...states.items.values()])).not.toContain(state);
    expect(JSON.stringify([...states.items.values()])).not.toContain(started.bindingNonce);
  });

  it('refuses an open redirect before writing anything, naming the field', async () => {
    const states = memoryStates();
    const error = await beginWebLogin({ states }, settings, '//evil.com').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).issues).toEqual([{ field: 'returnTo', message: expect.stringContaining('allowed origin') }]);
    expect(states.items.size).toBe(0);
  });

  it('makes a fresh state, nonce and verifier every time', async () => {
    const a = await begun();
    const b = await begun();
    expect(a.state).not.toBe(b.state);
    expect(a.started.bindingNonce).not.toBe(b.started.bindingNonce);
    const attempts = new Set(Array.from({ length: 100 }, () => newLoginAttempt().state));
    expect(attempts.size).toBe(100);
  });
});

describe('completeWebLogin', () => {
  async function callback(overrides: { oauth?: ReturnType<typeof fakeOAuth>; input?: Record<string, unknown>; returnTo?: string } = {}) {
    const { states, started, state } = await begun(overrides.returnTo);
    const oauth = overrides.oauth ?? fakeOAuth();
    const sessions = fakeSessions();
    const deps: CompleteWebLoginDeps = { states, oauth: oauth.oauth, sessions: sessions.deps };
    const run = (input: Record<string, unknown> = {}) =>
      completeWebLogin(deps, REDIRECT_URI, { state, code: 'AQcode', cancelled: false, bindingNonce: started.bindingNonce, ...overrides.input, ...input });
    return { run, states, oauth, sessions, state, started };
  }

  it('spends the state, exchanges code → long-lived → session-info token, and signs in as the mobile path does', async () => {
    const { run, oauth, sessions, states } = await callback();
    const outcome = await run();
    expect(outcome).toMatchObject({ outcome: 'signed_in', returnTo: '/account', signIn: { userCreated: true } });
    expect(oauth.calls).toEqual([
      ['exchangeCode', { code: 'AQcode', redirectUri: REDIRECT_URI, codeVerifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) }],
      ['exchangeForLongLived', 'EAAshort'],
      ['attenuate', 'EAAlong'],
    ]);
    expect(sessions.checked).toEqual(['EAAsessionInfo']);
    expect(sessions.created).toHaveLength(1);
    // Only the session-info token is kept (sealed); the user tokens appear nowhere.
    const written = JSON.stringify(sessions.created);
    expect(written).toContain('sealed(EAAsessionInfo)');
    expect(written).not.toContain('EAAshort');
    expect(written).not.toContain('EAAlong');
    expect(states.items.size).toBe(0);
  });

  it('skips the long-lived exchange when the code already gave a long-lived token', async () => {
    const oauth = fakeOAuth({ exchangeCode: async () => ({ accessToken: 'EAA60days', expiresInSeconds: 5183999 }) });
    const { run } = await callback({ oauth });
    await run();
    expect(oauth.calls.map(([name]) => name)).toEqual(['exchangeCode', 'attenuate']);
    expect(oauth.calls[1]).toEqual(['attenuate', 'EAA60days']);
  });

  it('sends a cancelled sign-in back to returnTo, spending the state and calling nobody', async () => {
    const { run, oauth, states } = await callback();
    await expect(run({ cancelled: true, code: undefined })).resolves.toEqual({ outcome: 'cancelled', returnTo: '/account', reauthentication: false });
    expect(oauth.calls).toEqual([]);
    expect(states.items.size).toBe(0);
  });

  it.each([
    ['no state', { state: undefined }, 'login_state_invalid'],
    ['a state we never issued', { state: 'x'.repeat(43) }, 'login_state_invalid'],
    ['a tampered state', { state: 'not base64url!' }, 'login_state_invalid'],
    ['no login cookie', { bindingNonce: undefined }, 'login_browser_mismatch'],
    ['another browser’s login cookie', { bindingNonce: 'y'.repeat(43) }, 'login_browser_mismatch'],
    ['a garbled login cookie', { bindingNonce: 'garbage' }, 'login_browser_mismatch'],
  ])('refuses %s with %s, exchanging nothing', async (_label, input, code) => {
    const { run, oauth } = await callback();
    const error = await run(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebLoginError);
    expect((error as WebLoginError).code).toBe(code);
    expect((error as WebLoginError).status).toBe(400);
    expect(oauth.calls).toEqual([]);
  });

  it('leaves the state for the right browser after a cookie mismatch, and spends it once', async () => {
    const { run } = await callback();
    await expect(run({ bindingNonce: undefined })).rejects.toMatchObject({ code: 'login_browser_mismatch' });
    await expect(run()).resolves.toMatchObject({ outcome: 'signed_in' });
    await expect(run()).rejects.toMatchObject({ code: 'login_state_invalid', message: expect.stringContaining('already used') });
  });

  it('refuses an expired state', async () => {
    const states = memoryStates(() => NOW + LOGIN_STATE_TTL_MS);
    const started = await beginWebLogin({ states, now: () => NOW }, settings, '/');
    const state = new URL(started.dialogUrl).searchParams.get('state')!;
    const deps = { states, oauth: fakeOAuth().oauth, sessions: fakeSessions().deps };
    await expect(completeWebLogin(deps, REDIRECT_URI, { state, code: 'c', cancelled: false, bindingNonce: started.bindingNonce })).rejects.toMatchObject({
      code: 'login_state_expired',
      message: expect.stringContaining('10 minutes'),
    });
  });

  it('needs a code when the dialog was not cancelled', async () => {
    const { run } = await callback();
    await expect(run({ code: undefined })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('says so when Facebook reports the code as used', async () => {
    const oauth = fakeOAuth({
      exchangeCode: async () => {
        throw new GraphRequestError({ status: 400, code: 100, subcode: 36009, message: 'This authorization code has been used.' });
      },
    });
    const { run } = await callback({ oauth });
    await expect(run()).rejects.toMatchObject({ name: 'WebLoginError', code: 'authorization_code_used', status: 400 });
  });

  it.each([
    ['an unknown code', 'Invalid verification code format.'],
    ['a PKCE mismatch', '(#100) Invalid code_verifier'],
    ['a redirect_uri mismatch', 'Error validating verification code. Please make sure your redirect_uri is identical'],
  ])('refuses %s as authorization_code_rejected', async (_label, message) => {
    const oauth = fakeOAuth({
      exchangeCode: async () => {
        throw new GraphRequestError({ status: 400, code: 100, message });
      },
    });
    const { run } = await callback({ oauth });
    await expect(run()).rejects.toMatchObject({ code: 'authorization_code_rejected', status: 400 });
  });

  it('lets Facebook refusing our secret at the code exchange through as a 500, never a 400 or 401', async () => {
    const oauth = fakeOAuth({
      exchangeCode: async () => {
        throw new GraphMisconfiguredError({ status: 400, code: 1, message: 'Error validating client secret.' });
      },
    });
    const { run } = await callback({ oauth });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphMisconfiguredError);
  });

  it('answers 503 facebook_unavailable when Facebook is down at any exchange', async () => {
    for (const step of ['exchangeCode', 'exchangeForLongLived', 'attenuate'] as const) {
      const oauth = fakeOAuth({
        [step]: async () => {
          throw new GraphTransientError('down', 120, 2);
        },
      });
      const { run } = await callback({ oauth });
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FacebookUnavailableError);
      expect((error as FacebookUnavailableError).headers).toEqual({ 'retry-after': '120' });
    }
  });
});

describe('attenuateUserToken and signInWithUserAccessToken', () => {
  it('exchanges a token of unknown lifetime first (short-lived ones cannot be attenuated)', async () => {
    const { oauth, calls } = fakeOAuth();
    await expect(attenuateUserToken(oauth, { accessToken: 'EAAfromClient' })).resolves.toBe('EAAsessionInfo');
    expect(calls).toEqual([
      ['exchangeForLongLived', 'EAAfromClient'],
      ['attenuate', 'EAAlong'],
    ]);
  });

  it('signs in with a user access token, keeping only the session-info token', async () => {
    const { oauth } = fakeOAuth();
    const sessions = fakeSessions();
    const result = await signInWithUserAccessToken({ oauth, sessions: sessions.deps }, 'EAAfromClient');
    expect(result.userCreated).toBe(true);
    expect(JSON.stringify(sessions.created)).not.toContain('EAAfromClient');
    expect(JSON.stringify(sessions.created)).not.toContain('EAAlong');
  });

  it.each([
    ['an expired token', new GraphRequestError({ status: 400, code: 190, subcode: 463, message: 'Error validating access token: Session has expired on Friday' }), 'token_expired'],
    ['a session-info token', new GraphRequestError({ status: 400, code: 190, message: 'Invalid OAuth access token - Debug only access token' }), 'invalid_token'],
    ['garbage', new GraphRequestError({ status: 400, code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }), 'invalid_token'],
    ['a refusal to attenuate', new GraphRequestError({ status: 400, code: 100, message: '(#100) fb_attenuate_token requires a long-lived user access token' }), 'invalid_token'],
  ])('maps %s to 401 %s', async (_label, failure, code) => {
    const { oauth } = fakeOAuth({
      exchangeForLongLived: async () => {
        throw failure;
      },
    });
    const error = await attenuateUserToken(oauth, { accessToken: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FacebookTokenRejectedError);
    expect(error).toMatchObject({ code, status: 401 });
  });

  it.each([
    ['the exchange', 'exchangeForLongLived'],
    ['the attenuation', 'attenuate'],
  ] as const)('lets Facebook refusing our secret in %s through as a 500, never a 401', async (_label, step) => {
    const { oauth } = fakeOAuth({
      [step]: async () => {
        throw new GraphMisconfiguredError({ status: 400, code: 1, message: 'Error validating client secret.' });
      },
    });
    const error = await attenuateUserToken(oauth, { accessToken: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphMisconfiguredError);
    expect(error).not.toBeInstanceOf(FacebookTokenRejectedError);
  });

  it('answers another app\'s token as a 500 (our running with another app\'s credentials looks the same), never a 401 wrong_app', async () => {
    const failure = new GraphRequestError({ status: 400, code: 190, message: 'Error validating access token: The access token was not issued for application 1.' });
    const { oauth } = fakeOAuth({
      exchangeForLongLived: async () => {
        throw failure;
      },
    });
    const error = await attenuateUserToken(oauth, { accessToken: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenOfAnotherAppError);
    expect(error).toMatchObject({ cause: failure });
    expect(error).not.toBeInstanceOf(FacebookTokenRejectedError);
  });
});
