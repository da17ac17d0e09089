import { describe, expect, it } from 'vitest';
import type { TokenBinding, TokenSealer } from '#commons/crypto/vault';
import type { ExchangedToken, FacebookTokenExchanges } from '#commons/facebook/facebook-oauth';
import type { DebugTokenAnswer, TokenDescription } from '#commons/facebook/debug-token';
import { GraphRequestError, GraphTransientError } from '#commons/facebook/graph-transport';
import { FacebookUnavailableError, ReauthFailedError, ReauthUnsupportedError, UnauthenticatedError } from '#commons/platform/errors';
import type { LoginMetadata, ReauthChallenge, ReauthChallengeStore, ReauthCommit, ReplayEvent, SessionRefresh } from '#commons/reauth/ports';
import { hashReauthNonce } from '#commons/reauth/reauth-nonce';
import { completeReauthentication, type CompleteReauthDeps, startReauthentication, type StartReauthDeps } from '#commons/reauth/reauthentication';
import type { Session, SignInMethod } from '#commons/sessions/model';
import type { LoginStateRecord } from '#commons/web-login/ports';

const APP_ID = '1234567890123456';
const FB_USER = '10150000000000001';
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const NONCE = 'Abcdefghijklmnopqrstuvwxyz012345';
const LOGIN_TOKEN = 'EAAloginTokenFromTheDialog';
const SESSION_INFO_TOKEN = 'EAAsessionInfoTokenMadeFromTheLogin';

function session(signInMethod?: SignInMethod): Session {
  return {
    id: 'ses_aaaaaaaaaaaaaaaaaaaaaa',
    userId: 'usr_1',
    facebookUserId: FB_USER,
    tokenHash: 'h',
    createdAt: NOW - 86_400_000,
    expiresAt: NOW + 86_400_000,
    authTime: NOW - 86_400_000,
    status: 'active',
    ...(signInMethod ? { signInMethod } : {}),
  };
}

function described(overrides: Partial<TokenDescription> = {}): DebugTokenAnswer {
  return { kind: 'described', token: { isValid: true, appId: APP_ID, userId: FB_USER, type: 'USER', expiresAt: NOW / 1000 + 7200, scopes: ['public_profile'], metadata: {}, ...overrides } };
}

function challenge(overrides: Partial<ReauthChallenge> = {}): ReauthChallenge {
  return { nonceHash: hashReauthNonce(NONCE), sessionId: session().id, userId: 'usr_1', facebookUserId: FB_USER, createdAt: NOW - 60_000, expiresAt: NOW + 540_000, status: 'issued', ...overrides };
}

interface World {
  verdicts?: Record<string, DebugTokenAnswer>;
  accessTokenInfo?: LoginMetadata | Error;
  challenge?: ReauthChallenge;
  commit?: ReauthCommit;
}

/** Fakes for every port; each records what it was asked. */
function world(options: World = {}) {
  const calls = { debugToken: [] as string[], accessTokenInfo: [] as string[], exchanges: [] as string[], commits: [] as SessionRefresh[], sealed: [] as [string, TokenBinding][] };
  const replays: ReplayEvent[] = [];
  const missingAuthType: string[] = [];
  const verdicts: Record<string, DebugTokenAnswer> = {
    [LOGIN_TOKEN]: described({ metadata: { auth_type: 'reauthenticate', auth_nonce: NONCE } }),
    [SESSION_INFO_TOKEN]: described({ expiresAt: NOW / 1000 + 5_184_000 }),
    ...options.verdicts,
  };
  const oauth: FacebookTokenExchanges = {
    exchangeCode: async () => {
      throw new Error('not used');
    },
    exchangeForLongLived: async (token) => {
      calls.exchanges.push(`long:${token}`);
      return { accessToken: 'EAAlongLived', expiresInSeconds: 5_184_000 };
    },
    attenuate: async (token) => {
      calls.exchanges.push(`attenuate:${token}`);
      return { accessToken: SESSION_INFO_TOKEN, expiresInSeconds: 5_184_000 };
    },
  };
  // Re-authentication only seals: it gets sign-in's sealer, which cannot open.
  const vault: TokenSealer = {
    seal: async (plaintext, binding) => {
      calls.sealed.push([plaintext, binding]);
      return `sealed(${plaintext})`;
    },
  };
  const challenges: ReauthChallengeStore = {
    putChallenge: async () => undefined,
    getChallenge: async (hash) => (options.challenge === undefined || hash !== options.challenge.nonceHash ? undefined : options.challenge),
    commitReauthentication: async (_hash, refresh) => {
      calls.commits.push(refresh);
      return options.commit ?? { status: 'completed' };
    },
  };
  const deps: CompleteReauthDeps = {
    sessions: {
      appId: APP_ID,
      vault,
      graph: {
        debugToken: async (token) => {
          calls.debugToken.push(token);
          return verdicts[token] ?? DEAD;
        },
        // Only the session-info token made from the login is probed; it cannot act as an access token.
        probeAsAccessToken: async (token) => (token === SESSION_INFO_TOKEN ? 'debug_only' : 'user_token'),
      },
    },
    oauth,
    inspector: {
      debugToken: async (token) => {
        calls.debugToken.push(token);
        return verdicts[token] ?? DEAD;
      },
      accessTokenInfo: async (token) => {
        calls.accessTokenInfo.push(token);
        if (options.accessTokenInfo instanceof Error) throw options.accessTokenInfo;
        return options.accessTokenInfo ?? {};
      },
    },
    challenges,
    monitor: { nonceReplayed: (event) => replays.push(event), authTypeMissing: (event) => missingAuthType.push(event.sessionId) },
    now: () => NOW,
  };
  return { deps, calls, replays, missingAuthType };
}

const login: ExchangedToken = { accessToken: LOGIN_TOKEN, expiresInSeconds: 7200 };
const withMetadata = (metadata: Record<string, unknown>, overrides: Partial<TokenDescription> = {}) => ({
  [LOGIN_TOKEN]: described({ metadata, ...overrides }),
});
const DEAD: DebugTokenAnswer = described({ isValid: false, error: { code: 190, subcode: 460, message: 'password changed' } });

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReauthFailedError);
  return (error as ReauthFailedError).reason;
}

describe('completeReauthentication', () => {
  it('reads the nonce from the login token before any exchange, then refreshes the session with a new sealed session-info token', async () => {
    const { deps, calls } = world({ challenge: challenge() });
    const done = await completeReauthentication(deps, session('web'), login);
    expect(done).toEqual({ session: { ...session('web'), authTime: NOW }, nonceSource: 'debug_token' });
    // The login token was described first, then exchanged; the nonce was never looked up elsewhere.
    expect(calls.debugToken).toEqual([LOGIN_TOKEN, SESSION_INFO_TOKEN]);
    expect(calls.accessTokenInfo).toEqual([]);
    expect(calls.exchanges).toEqual([`long:${LOGIN_TOKEN}`, 'attenuate:EAAlongLived']);
    expect(calls.sealed).toEqual([[SESSION_INFO_TOKEN, { sessionId: session().id, userId: 'usr_1' }]]);
    expect(calls.commits).toEqual([
      { sessionId: session().id, userId: 'usr_1', authTime: NOW, sealedToken: `sealed(${SESSION_INFO_TOKEN})`, sessionInfoTokenHash: hashReauthNonce(SESSION_INFO_TOKEN) },
    ]);
  });

  it('falls back to /oauth/access_token_info when debug_token shows no nonce', async () => {
    const { deps, calls } = world({ challenge: challenge(), verdicts: withMetadata({}), accessTokenInfo: { authNonce: NONCE, authType: 'reauthenticate' } });
    const done = await completeReauthentication(deps, session('web'), login);
    expect(done.nonceSource).toBe('access_token_info');
    expect(calls.accessTokenInfo).toEqual([LOGIN_TOKEN]);
  });

  it('says nonce_missing when neither source has a nonce, also when access_token_info is refused', async () => {
    expect(await refusal(completeReauthentication(world({ challenge: challenge(), verdicts: withMetadata({ auth_type: 'reauthenticate' }) }).deps, session('web'), login))).toBe('nonce_missing');
    const refused = world({ challenge: challenge(), verdicts: withMetadata({}), accessTokenInfo: new GraphRequestError({ status: 400, code: 100, message: 'nope' }) });
    expect(await refusal(completeReauthentication(refused.deps, session('web'), login))).toBe('nonce_missing');
    expect(refused.calls.exchanges).toEqual([]);
  });

  it('says nonce_unknown for a nonce never issued, of the wrong shape, of another session, or not the one the state names', async () => {
    expect(await refusal(completeReauthentication(world().deps, session('web'), login))).toBe('nonce_unknown');
    const oddShape = world({ challenge: challenge(), verdicts: withMetadata({ auth_nonce: 'short', auth_type: 'reauthenticate' }) });
    expect(await refusal(completeReauthentication(oddShape.deps, session('web'), login))).toBe('nonce_unknown');
    const another = world({ challenge: challenge({ sessionId: 'ses_bbbbbbbbbbbbbbbbbbbbbb' }) });
    expect(await refusal(completeReauthentication(another.deps, session('web'), login))).toBe('nonce_unknown');
    const stateMismatch = world({ challenge: challenge() });
    expect(await refusal(completeReauthentication(stateMismatch.deps, session('web'), login, 'f'.repeat(64)))).toBe('nonce_unknown');
    expect([another, stateMismatch].flatMap((w) => w.calls.commits)).toEqual([]);
  });

  it('says nonce_expired past the nonce expiry, also when it expires between the read and the commit', async () => {
    expect(await refusal(completeReauthentication(world({ challenge: challenge({ expiresAt: NOW }) }).deps, session('web'), login))).toBe('nonce_expired');
    expect(await refusal(completeReauthentication(world({ challenge: challenge(), commit: { status: 'nonce_expired' } }).deps, session('web'), login))).toBe('nonce_expired');
  });

  it('says nonce_replayed and reports a security event for a spent nonce, or one spent by a racing completion', async () => {
    const spent = world({ challenge: challenge({ status: 'spent', spentAt: NOW - 1000 }) });
    expect(await refusal(completeReauthentication(spent.deps, session('web'), login))).toBe('nonce_replayed');
    expect(spent.replays).toEqual([{ sessionId: session().id, userId: 'usr_1', nonceSessionId: session().id, spentAt: NOW - 1000 }]);
    expect(spent.calls.exchanges).toEqual([]);

    const raced = world({ challenge: challenge(), commit: { status: 'nonce_spent' } });
    expect(await refusal(completeReauthentication(raced.deps, session('web'), login))).toBe('nonce_replayed');
    expect(raced.replays).toHaveLength(1);
  });

  it("says user_mismatch for another Facebook user's login", async () => {
    const { deps, calls } = world({ challenge: challenge(), verdicts: withMetadata({ auth_type: 'reauthenticate', auth_nonce: NONCE }, { userId: '10150000000000999' }) });
    expect(await refusal(completeReauthentication(deps, session('web'), login))).toBe('user_mismatch');
    expect(calls.exchanges).toEqual([]);
  });

  it('says invalid_token for a dead token, another app, an app token, an expired token, or one Facebook will not exchange', async () => {
    const cases: Record<string, DebugTokenAnswer>[] = [
      { [LOGIN_TOKEN]: DEAD },
      { [LOGIN_TOKEN]: { kind: 'wrong_app' } },
      withMetadata({ auth_nonce: NONCE }, { appId: '999' }),
      withMetadata({ auth_nonce: NONCE }, { type: 'APP' }),
      withMetadata({ auth_nonce: NONCE }, { expiresAt: NOW / 1000 - 1 }),
      // The new session-info token: Facebook says it is dead.
      { [SESSION_INFO_TOKEN]: DEAD },
    ];
    for (const verdicts of cases) {
      const { deps, calls } = world({ challenge: challenge(), verdicts });
      expect(await refusal(completeReauthentication(deps, session('web'), login))).toBe('invalid_token');
      expect(calls.commits).toEqual([]);
    }
  });

  it('says not_reauthenticated when Facebook reports another auth_type, and accepts a list that includes reauthenticate', async () => {
    const rerequest = world({ challenge: challenge(), verdicts: withMetadata({ auth_type: 'rerequest', auth_nonce: NONCE }) });
    expect(await refusal(completeReauthentication(rerequest.deps, session('web'), login))).toBe('not_reauthenticated');
    const list = world({ challenge: challenge(), verdicts: withMetadata({ auth_type: 'https, reauthenticate', auth_nonce: NONCE }) });
    await expect(completeReauthentication(list.deps, session('web'), login)).resolves.toMatchObject({ session: { authTime: NOW } });
  });

  it('accepts a login without auth_type (where Facebook reports none) and reports it', async () => {
    const { deps, missingAuthType } = world({ challenge: challenge(), verdicts: withMetadata({ auth_nonce: NONCE }) });
    await expect(completeReauthentication(deps, session('web'), login)).resolves.toMatchObject({ session: { authTime: NOW } });
    expect(missingAuthType).toEqual([session().id]);
  });

  it('turns Facebook trouble into 503 and a session that ended meanwhile into 401, never into a reauth verdict', async () => {
    const troubled = world({ challenge: challenge() });
    troubled.deps.inspector.debugToken = async () => {
      throw new GraphTransientError('down', 60);
    };
    await expect(completeReauthentication(troubled.deps, session('web'), login)).rejects.toBeInstanceOf(FacebookUnavailableError);
    const ended = world({ challenge: challenge(), commit: { status: 'session_ended' } });
    await expect(completeReauthentication(ended.deps, session('web'), login)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});

describe('startReauthentication', () => {
  function startDeps() {
    const challenges: ReauthChallenge[] = [];
    const states: LoginStateRecord[] = [];
    const deps: StartReauthDeps = {
      challenges: { putChallenge: async (c) => void challenges.push(c) },
      states: { putLoginState: async (s) => void states.push(s) },
      dialog: {
        appId: APP_ID,
        graphApiVersion: 'v21.0',
        dialogBaseUrl: 'https://www.facebook.com',
        scopes: ['public_profile'],
        redirectUri: 'https://auth.example.com/v1/auth/facebook/callback',
        allowedOrigins: [],
      },
      nonceTtlMs: 600_000,
      now: () => NOW,
    };
    return { deps, challenges, states };
  }

  it('issues a nonce bound to the session and its Facebook user, and a dialog URL with auth_type, auth_nonce, state and PKCE', async () => {
    const { deps, challenges, states } = startDeps();
    const started = await startReauthentication(deps, session('web'), { returnTo: '/account' });
    expect(started.nonce).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(started.expiresAt).toBe(NOW + 600_000);
    expect(challenges).toEqual([
      { nonceHash: hashReauthNonce(started.nonce), sessionId: session().id, userId: 'usr_1', facebookUserId: FB_USER, createdAt: NOW, expiresAt: NOW + 600_000, status: 'issued' },
    ]);
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ returnTo: '/account', reauth: { sessionId: session().id, authNonceHash: hashReauthNonce(started.nonce) } });
    const url = new URL(started.dialogUrl);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      auth_type: 'reauthenticate',
      auth_nonce: started.nonce,
      client_id: APP_ID,
      redirect_uri: 'https://auth.example.com/v1/auth/facebook/callback',
      code_challenge_method: 'S256',
      response_type: 'code',
    });
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses mobile sessions (and sessions too old to say) unless the app opens the dialog in a web view', async () => {
    for (const method of ['session_info_token', undefined] as const) {
      const { deps, challenges } = startDeps();
      await expect(startReauthentication(deps, session(method), { returnTo: '/' })).rejects.toBeInstanceOf(ReauthUnsupportedError);
      expect(challenges).toEqual([]);
      await expect(startReauthentication(deps, session(method), { returnTo: '/', via: 'web' })).resolves.toMatchObject({ expiresAt: NOW + 600_000 });
    }
    await expect(startReauthentication(startDeps().deps, session('access_token'), { returnTo: '/' })).resolves.toBeDefined();
  });

  it('writes nothing for a returnTo on another origin', async () => {
    const { deps, challenges, states } = startDeps();
    await expect(startReauthentication(deps, session('web'), { returnTo: 'https://evil.example.com/' })).rejects.toThrow(/returnTo/);
    expect([...challenges, ...states]).toEqual([]);
  });
});
