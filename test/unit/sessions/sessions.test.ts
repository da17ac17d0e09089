import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  ConcurrentUpdateError,
  FacebookTokenRejectedError,
  FacebookUnavailableError,
  PersonChangedError,
  SessionRevokedError,
  SignInContentionError,
  UnauthenticatedError,
} from '#commons/platform/errors';
import type { AccessProbe, DebugTokenAnswer } from '#commons/facebook/debug-token';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError, TokenOfAnotherAppError } from '#commons/facebook/graph-transport';
import type { ValidTokenInfo } from '#commons/facebook/token-verdict';
import type { LinkedUser, Session } from '#commons/sessions/model';
import type { CreateSessionPlan, SessionRepository } from '#commons/sessions/ports';
import { SessionStore } from '#commons/storage/session-store';
import { issueSessionToken, newSessionId } from '#commons/sessions/session-tokens';
import { authenticate, type SessionServiceDeps, signInWithSessionInfoToken, signOut } from '#commons/sessions/sessions';
import type { TokenBinding, TokenSealer } from '#commons/crypto/vault';

const APP_ID = '1234567890123456';
const FB_USER = '10150000000000001';
const SI_TOKEN = 'EAAGsessionInfoTokenForTests';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW_S = NOW / 1000;
const DAY_MS = 86_400_000;
const MAX_AGE_MS = 30 * DAY_MS;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

// ---------- fakes ----------

interface FakeStoreOptions {
  user?: LinkedUser;
  lockHolder?: string;
  session?: Session;
  createFailures?: Error[];
}

function fakeStore(options: FakeStoreOptions = {}) {
  const calls = {
    getUserByFacebookId: [] as string[],
    getSessionIdForSessionInfoToken: [] as string[],
    createSession: [] as CreateSessionPlan[],
    getSession: [] as string[],
    deleteSession: [] as string[],
  };
  const failures = [...(options.createFailures ?? [])];
  const store: SessionRepository = {
    async getUserByFacebookId(id: string) {
      calls.getUserByFacebookId.push(id);
      return options.user;
    },
    async getSessionIdForSessionInfoToken(hash: string) {
      calls.getSessionIdForSessionInfoToken.push(hash);
      return options.lockHolder;
    },
    async createSession(plan: CreateSessionPlan) {
      calls.createSession.push(plan);
      const failure = failures.shift();
      if (failure) throw failure;
    },
    async getSession(id: string) {
      calls.getSession.push(id);
      return options.session?.id === id ? options.session : undefined;
    },
    async deleteSession(id: string) {
      calls.deleteSession.push(id);
    },
  };
  return { store, calls };
}

function fakeVault(failure?: Error) {
  const seals: { plaintext: string; binding: TokenBinding }[] = [];
  const vault: TokenSealer = {
    async seal(plaintext, binding) {
      seals.push({ plaintext, binding });
      if (failure) throw failure;
      return `sealed(${binding.sessionId},${binding.userId})`;
    },
  };
  return { vault, seals };
}

const validToken = (overrides: Partial<ValidTokenInfo> = {}): ValidTokenInfo => ({
  appId: APP_ID,
  userId: FB_USER,
  type: 'USER',
  expiresAt: NOW_S + 60 * 86400,
  issuedAt: NOW_S - 3600,
  scopes: ['public_profile'],
  metadata: {},
  ...overrides,
});

/** Facebook's debug_token answer describing `token` (valid unless `isValid` says otherwise). */
const valid = (overrides: Partial<ValidTokenInfo> = {}): DebugTokenAnswer => {
  const { issuedAt, ...token } = validToken(overrides);
  return { kind: 'described', token: { ...token, ...(issuedAt !== undefined ? { issuedAt } : {}), isValid: true } };
};
const dead = (error?: { code?: number; subcode?: number; message?: string }): DebugTokenAnswer => ({
  kind: 'described',
  token: { appId: APP_ID, userId: FB_USER, type: 'USER', scopes: [], metadata: {}, isValid: false, ...(error ? { error } : {}) },
});

function fakeGraph(answer: DebugTokenAnswer | Error, probe: AccessProbe | Error = 'debug_only') {
  const asked: string[] = [];
  const probed: string[] = [];
  return {
    asked,
    probed,
    graph: {
      async debugToken(token: string): Promise<DebugTokenAnswer> {
        asked.push(token);
        if (answer instanceof Error) throw answer;
        return answer;
      },
      async probeAsAccessToken(token: string): Promise<AccessProbe> {
        probed.push(token);
        if (probe instanceof Error) throw probe;
        return probe;
      },
    },
  };
}

function deps(parts: { store?: SessionRepository; vault?: TokenSealer; verdict?: DebugTokenAnswer | Error; probe?: AccessProbe | Error; now?: number } = {}) {
  const graph = fakeGraph(parts.verdict ?? valid(), parts.probe);
  const sleeps: number[] = [];
  const storeParts = parts.store ? { store: parts.store, calls: undefined } : fakeStore();
  const vaultParts = parts.vault ? { vault: parts.vault, seals: undefined } : fakeVault();
  const d: SessionServiceDeps = {
    store: storeParts.store,
    vault: vaultParts.vault,
    graph: graph.graph,
    appId: APP_ID,
    sessionMaxAgeMs: MAX_AGE_MS,
    now: () => parts.now ?? NOW,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
  };
  return { deps: d, graph, storeCalls: storeParts.calls, seals: vaultParts.seals, sleeps };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

async function rejectedWith(verdict: DebugTokenAnswer | Error): Promise<FacebookTokenRejectedError> {
  const { store, calls } = fakeStore();
  const error = await rejection(signInWithSessionInfoToken(deps({ store, verdict }).deps, SI_TOKEN));
  expect(error).toBeInstanceOf(FacebookTokenRejectedError);
  expect(calls.createSession).toHaveLength(0);
  return error as FacebookTokenRejectedError;
}

// ---------- sign-in: Facebook's verdict ----------

describe('signInWithSessionInfoToken: what Facebook says about the token', () => {
  it('asks Facebook about exactly the token it was given', async () => {
    const d = deps();
    await signInWithSessionInfoToken(d.deps, SI_TOKEN);
    expect(d.graph.asked).toEqual([SI_TOKEN]);
  });

  it('refuses a token Facebook reports dead with subcode 463 as token_expired', async () => {
    const error = await rejectedWith(dead({ code: 190, subcode: 463, message: 'Session has expired' }));
    expect(error.code).toBe('token_expired');
    expect(error.status).toBe(401);
  });

  it.each([460, 467, 458, undefined])('refuses a token Facebook reports dead with subcode %s as invalid_token', async (subcode) => {
    const error = await rejectedWith(dead({ code: 190, ...(subcode !== undefined ? { subcode } : {}) }));
    expect(error.code).toBe('invalid_token');
  });

  it('answers a token Facebook calls another app\'s (refused to describe, or described as another app\'s) as our misconfiguration: a 500, never a 401 wrong_app', async () => {
    for (const verdict of [{ kind: 'wrong_app' } as const, valid({ appId: '999' })]) {
      const { store, calls } = fakeStore();
      const error = await rejection(signInWithSessionInfoToken(deps({ store, verdict }).deps, SI_TOKEN));
      expect(error).toBeInstanceOf(TokenOfAnotherAppError);
      expect(error).not.toBeInstanceOf(FacebookTokenRejectedError);
      expect(calls.createSession).toHaveLength(0);
    }
  });

  it('refuses a token whose type is not USER as invalid_token', async () => {
    expect((await rejectedWith(valid({ type: 'PAGE' }))).code).toBe('invalid_token');
    expect((await rejectedWith(valid({ type: 'APP' }))).code).toBe('invalid_token');
  });

  it('refuses a token without a user id, never opening a session (Facebook could not vouch for it)', async () => {
    const { store, calls } = fakeStore();
    const error = await rejection(signInWithSessionInfoToken(deps({ store, verdict: valid({ userId: '' }) }).deps, SI_TOKEN));
    expect(error).toBeInstanceOf(FacebookUnavailableError);
    expect(calls.createSession).toHaveLength(0);
  });

  it('refuses a user access token (it can be used as an access token) as invalid_token and never seals it', async () => {
    const { vault, seals } = fakeVault();
    const { store, calls } = fakeStore();
    const d = deps({ store, vault, verdict: valid(), probe: 'user_token' });
    const error = await rejection(signInWithSessionInfoToken(d.deps, SI_TOKEN));
    expect(error).toBeInstanceOf(FacebookTokenRejectedError);
    expect((error as FacebookTokenRejectedError).code).toBe('invalid_token');
    expect((error as Error).message).toMatch(/session-info token/);
    expect(seals).toHaveLength(0);
    expect(calls.createSession).toHaveLength(0);
  });

  it('proves the token is a session-info token by using it as an access token, after debug_token', async () => {
    const d = deps();
    await signInWithSessionInfoToken(d.deps, SI_TOKEN);
    expect(d.graph.probed).toEqual([SI_TOKEN]);
  });

  it('refuses a token the probe refuses for another reason as invalid_token, and answers 503 for Facebook trouble', async () => {
    const refused = deps({ probe: new GraphRequestError({ status: 400, code: 190, subcode: 463, message: 'Session has expired' }) });
    const error = await rejection(signInWithSessionInfoToken(refused.deps, SI_TOKEN));
    expect(error).toMatchObject({ code: 'invalid_token', status: 401 });
    const busy = deps({ probe: new GraphTransientError('down', 30, 2) });
    expect(await rejection(signInWithSessionInfoToken(busy.deps, SI_TOKEN))).toBeInstanceOf(FacebookUnavailableError);
  });

  it.each([
    ['debug_token', { verdict: new GraphMisconfiguredError({ status: 400, code: 190, message: 'Invalid OAuth access token signature.' }) }],
    ['the probe', { probe: new GraphMisconfiguredError({ status: 400, code: 100, message: 'Invalid appsecret_proof provided in the API argument' }) }],
  ] as const)('lets our misconfiguration seen by %s through (a 500), never a 401 or 503, storing nothing', async (_label, part) => {
    const { store, calls } = fakeStore();
    const error = await rejection(signInWithSessionInfoToken(deps({ store, ...part }).deps, SI_TOKEN));
    expect(error).toBeInstanceOf(GraphMisconfiguredError);
    expect(error).not.toBeInstanceOf(FacebookTokenRejectedError);
    expect(error).not.toBeInstanceOf(FacebookUnavailableError);
    expect(calls.createSession).toHaveLength(0);
  });

  it.each([
    ['is_valid false without an error', dead(), 'invalid_token'],
    ['an unknown code', dead({ code: 100, message: 'odd' }), 'invalid_token'],
  ] as const)('refuses %s as %s', async (_label, answer, code) => {
    expect((await rejectedWith(answer)).code).toBe(code);
  });

  it('answers 503, storing nothing, when data.error is transient', async () => {
    const { store, calls } = fakeStore();
    const error = await rejection(signInWithSessionInfoToken(deps({ store, verdict: dead({ code: 2 }) }).deps, SI_TOKEN));
    expect(error).toBeInstanceOf(FacebookUnavailableError);
    expect(calls.createSession).toHaveLength(0);
  });

  it('refuses a "valid" token whose expires_at is already past as token_expired', async () => {
    expect((await rejectedWith(valid({ expiresAt: NOW_S - 1 }))).code).toBe('token_expired');
    expect((await rejectedWith(valid({ expiresAt: NOW_S }))).code).toBe('token_expired');
  });

  it('turns GraphTransientError into FacebookUnavailableError carrying its Retry-After', async () => {
    const { store, calls } = fakeStore();
    const transient = new GraphTransientError('throttled', 300, 4);
    const error = await rejection(signInWithSessionInfoToken(deps({ store, verdict: transient }).deps, SI_TOKEN));
    expect(error).toBeInstanceOf(FacebookUnavailableError);
    expect((error as FacebookUnavailableError).status).toBe(503);
    expect((error as FacebookUnavailableError).retryAfterSeconds).toBe(300);
    expect((error as FacebookUnavailableError).headers).toEqual({ 'retry-after': '300' });
    expect((error as Error).cause).toBe(transient);
    expect(calls.createSession).toHaveLength(0);
    expect(calls.getUserByFacebookId).toHaveLength(0);
  });

  it('lets other Graph failures (our configuration) pass through without writing', async () => {
    const { store, calls } = fakeStore();
    const failure = new Error('GraphRequestError stand-in');
    await expect(signInWithSessionInfoToken(deps({ store, verdict: failure }).deps, SI_TOKEN)).rejects.toBe(failure);
    expect(calls.createSession).toHaveLength(0);
  });
});

// ---------- sign-in: the session it opens ----------

describe('signInWithSessionInfoToken: the session it opens', () => {
  it('opens a session for a new person, creating them in the same write', async () => {
    const { store, calls } = fakeStore();
    const { vault, seals } = fakeVault();
    const result = await signInWithSessionInfoToken(deps({ store, vault }).deps, SI_TOKEN);

    expect(result.userCreated).toBe(true);
    expect(result.user).toEqual({ id: expect.stringMatching(/^usr_/), facebookUserId: FB_USER, createdAt: NOW });
    expect(calls.getUserByFacebookId).toEqual([FB_USER]);
    expect(calls.getSessionIdForSessionInfoToken).toEqual([sha256(SI_TOKEN)]);
    expect(calls.createSession).toHaveLength(1);
    const plan = calls.createSession[0]!;
    expect(plan.newUser).toEqual(result.user);
    expect(plan.replacesSessionId).toBeUndefined();
    expect(plan.session).toMatchObject({
      id: result.session.id,
      userId: result.user.id,
      facebookUserId: FB_USER,
      createdAt: NOW,
      sessionInfoTokenHash: sha256(SI_TOKEN),
      sealedToken: `sealed(${result.session.id},${result.user.id})`,
    });
    expect(seals).toEqual([{ plaintext: SI_TOKEN, binding: { sessionId: result.session.id, userId: result.user.id } }]);
  });

  it('never hands the raw session-info token or the raw session token to the store', async () => {
    const { store, calls } = fakeStore();
    const result = await signInWithSessionInfoToken(deps({ store }).deps, SI_TOKEN);
    const written = JSON.stringify(calls.createSession);
    expect(written).not.toContain(SI_TOKEN);
    expect(written).not.toContain(result.sessionToken);
  });

  it('returns a session token whose hash is the stored tokenHash and whose id is the session id', async () => {
    const { store, calls } = fakeStore();
    const result = await signInWithSessionInfoToken(deps({ store }).deps, SI_TOKEN);
    expect(result.sessionToken).toMatch(new RegExp(`^sg1\\.${result.session.id}\\.[A-Za-z0-9_-]{43}$`));
    expect(calls.createSession[0]!.session.tokenHash).toBe(sha256(result.sessionToken));
    expect(result.session.tokenHash).toBe(sha256(result.sessionToken));
    expect(result.session.status).toBe('active');
  });

  it('opens a session for a known person without creating them again', async () => {
    const known: LinkedUser = { id: 'usr_known', facebookUserId: FB_USER, createdAt: NOW - 100 * DAY_MS, linkVersion: 3 };
    const { store, calls } = fakeStore({ user: known });
    const result = await signInWithSessionInfoToken(deps({ store }).deps, SI_TOKEN);
    expect(result.userCreated).toBe(false);
    expect(result.user).toEqual({ id: 'usr_known', facebookUserId: FB_USER, createdAt: NOW - 100 * DAY_MS });
    expect(calls.createSession[0]!.newUser).toBeUndefined();
    // The write demands the person's link is still the one read (version 3).
    expect(calls.createSession[0]!.knownUser).toBe(known);
    expect(calls.createSession[0]!.session.userId).toBe('usr_known');
  });

  it('replaces the session a repeated token already holds', async () => {
    const { store, calls } = fakeStore({ lockHolder: 'ses_previous' });
    await signInWithSessionInfoToken(deps({ store }).deps, SI_TOKEN);
    expect(calls.createSession[0]!.replacesSessionId).toBe('ses_previous');
  });

  it('ends the session at now + max age when the token lives longer', async () => {
    const result = await signInWithSessionInfoToken(deps({ verdict: valid({ expiresAt: NOW_S + 60 * 86400 }) }).deps, SI_TOKEN);
    expect(result.session.expiresAt).toBe(NOW + MAX_AGE_MS);
  });

  it('never lets the session outlive the Facebook token', async () => {
    const tokenExpiry = NOW_S + 3600;
    const { store, calls } = fakeStore();
    const result = await signInWithSessionInfoToken(deps({ store, verdict: valid({ expiresAt: tokenExpiry }) }).deps, SI_TOKEN);
    expect(result.session.expiresAt).toBe(tokenExpiry * 1000);
    expect(calls.createSession[0]!.session.expiresAt).toBe(tokenExpiry * 1000);
  });

  it('uses the max age for a token that never expires (expires_at 0)', async () => {
    const result = await signInWithSessionInfoToken(deps({ verdict: valid({ expiresAt: 0 }) }).deps, SI_TOKEN);
    expect(result.session.expiresAt).toBe(NOW + MAX_AGE_MS);
  });

  it('takes authTime from the token\'s issued_at', async () => {
    const result = await signInWithSessionInfoToken(deps({ verdict: valid({ issuedAt: NOW_S - 7200 }) }).deps, SI_TOKEN);
    expect(result.session.authTime).toBe(NOW - 7_200_000);
  });

  it('caps authTime at now when Facebook\'s issued_at is in the future (clock skew)', async () => {
    const result = await signInWithSessionInfoToken(deps({ verdict: valid({ issuedAt: NOW_S + 600 }) }).deps, SI_TOKEN);
    expect(result.session.authTime).toBe(NOW);
  });

  it('uses now as authTime when Facebook gives no issued_at', async () => {
    const result = await signInWithSessionInfoToken(deps({ verdict: valid({ issuedAt: undefined }) }).deps, SI_TOKEN);
    expect(result.session.authTime).toBe(NOW);
  });

  it('writes nothing when the vault fails', async () => {
    const { store, calls } = fakeStore();
    const kmsDown = new Error('KMS unavailable');
    await expect(signInWithSessionInfoToken(deps({ store, vault: fakeVault(kmsDown).vault }).deps, SI_TOKEN)).rejects.toBe(kmsDown);
    expect(calls.createSession).toHaveLength(0);
  });
});

describe('signInWithSessionInfoToken: racing sign-ins', () => {
  it('retries after a ConcurrentUpdateError, re-reading the person and the token lock', async () => {
    const { store, calls } = fakeStore({ createFailures: [new ConcurrentUpdateError('lost the race')] });
    const result = await signInWithSessionInfoToken(deps({ store }).deps, SI_TOKEN);
    expect(calls.createSession).toHaveLength(2);
    expect(calls.getUserByFacebookId).toHaveLength(2);
    expect(calls.getSessionIdForSessionInfoToken).toHaveLength(2);
    expect(calls.createSession[1]!.session.id).toBe(result.session.id);
    // Each attempt is a fresh session with its own id.
    expect(calls.createSession[0]!.session.id).not.toBe(calls.createSession[1]!.session.id);
  });

  it('gives up after 6 attempts with a 503 sign_in_contention and Retry-After, never the raw race', async () => {
    const races = Array.from({ length: 7 }, (_, n) => new ConcurrentUpdateError(`race ${n}`));
    const { store, calls } = fakeStore({ createFailures: races });
    const error = await rejection(signInWithSessionInfoToken(deps({ store }).deps, SI_TOKEN));
    expect(error).toBeInstanceOf(SignInContentionError);
    const contention = error as SignInContentionError;
    expect([contention.status, contention.code, contention.headers['retry-after']]).toEqual([503, 'sign_in_contention', '1']);
    expect(contention.cause).toBe(races[5]);
    expect(calls.createSession).toHaveLength(6);
  });

  it('waits between attempts with jittered, growing backoff', async () => {
    const { store } = fakeStore({ createFailures: [1, 2, 3].map((n) => new ConcurrentUpdateError(`race ${n}`)) });
    const d = deps({ store });
    const jitter = [0.5, 0.25, 1];
    d.deps = { ...d.deps, random: () => jitter.shift()! };
    await signInWithSessionInfoToken(d.deps, SI_TOKEN);
    expect(d.sleeps).toEqual([0.5 * 20, 0.25 * 40, 1 * 80]);
  });

  it('asks Facebook again when the person changed under it (an app removal or deletion began), then writes', async () => {
    const { store, calls } = fakeStore({ createFailures: [new PersonChangedError('link changed')] });
    const d = deps({ store });
    await signInWithSessionInfoToken(d.deps, SI_TOKEN);
    expect(d.graph.asked).toHaveLength(2);
    expect(calls.createSession).toHaveLength(2);
  });

  it('refuses when Facebook, asked again after the person changed, says the app was removed', async () => {
    const { store, calls } = fakeStore({ createFailures: [new PersonChangedError('link changed')] });
    const d = deps({ store });
    const answers: DebugTokenAnswer[] = [valid(), dead({ code: 190, subcode: 458 })];
    d.deps = { ...d.deps, graph: { ...d.graph.graph, debugToken: async () => answers.shift()! } };
    await expect(signInWithSessionInfoToken(d.deps, SI_TOKEN)).rejects.toBeInstanceOf(FacebookTokenRejectedError);
    expect(calls.createSession).toHaveLength(1);
  });

  it('does not write over a person being erased: waits, and answers 503 while the deletion lasts', async () => {
    const erased: LinkedUser = { id: 'usr_x', facebookUserId: FB_USER, createdAt: 1, linkVersion: 1, deletingSince: NOW - 1000 };
    const { store, calls } = fakeStore({ user: erased });
    await expect(signInWithSessionInfoToken(deps({ store }).deps, SI_TOKEN)).rejects.toBeInstanceOf(SignInContentionError);
    expect(calls.createSession).toHaveLength(0);
  });

  it('asks Facebook again when the link shows an app removal issued after (or in the second of) its check', async () => {
    const removed: LinkedUser = { id: 'usr_x', facebookUserId: FB_USER, createdAt: 1, linkVersion: 1, appRemovedAt: NOW - 500 };
    const { store, calls } = fakeStore({ user: removed });
    const d = deps({ store });
    const answers: DebugTokenAnswer[] = [valid(), dead({ code: 190, subcode: 458 })];
    d.deps = { ...d.deps, graph: { ...d.graph.graph, debugToken: async () => answers.shift()! } };
    await expect(signInWithSessionInfoToken(d.deps, SI_TOKEN)).rejects.toBeInstanceOf(FacebookTokenRejectedError);
    expect(calls.createSession).toHaveLength(0);
  });

  it('asks Facebook once more, not forever, when the person came back within the second of the removal', async () => {
    const back: LinkedUser = { id: 'usr_x', facebookUserId: FB_USER, createdAt: 1, linkVersion: 1, appRemovedAt: NOW - 500 };
    const { store, calls } = fakeStore({ user: back });
    const d = deps({ store });
    await signInWithSessionInfoToken(d.deps, SI_TOKEN);
    expect(d.graph.asked).toHaveLength(2);
    expect(calls.createSession).toHaveLength(1);
  });

  it('signs in a person who removed the app earlier and came back', async () => {
    const back: LinkedUser = { id: 'usr_x', facebookUserId: FB_USER, createdAt: 1, linkVersion: 1, appRemovedAt: NOW - 60_000 };
    const { store, calls } = fakeStore({ user: back });
    const d = deps({ store });
    await signInWithSessionInfoToken(d.deps, SI_TOKEN);
    expect(d.graph.asked).toHaveLength(1);
    expect(calls.createSession).toHaveLength(1);
  });

  it('does not retry other store failures', async () => {
    const failure = new Error('DynamoDB unavailable');
    const { store, calls } = fakeStore({ createFailures: [failure] });
    await expect(signInWithSessionInfoToken(deps({ store }).deps, SI_TOKEN)).rejects.toBe(failure);
    expect(calls.createSession).toHaveLength(1);
  });

  it('asks Facebook only once however many attempts it takes', async () => {
    const { store } = fakeStore({ createFailures: [new ConcurrentUpdateError('a'), new ConcurrentUpdateError('b')] });
    const d = deps({ store });
    await signInWithSessionInfoToken(d.deps, SI_TOKEN);
    expect(d.graph.asked).toHaveLength(1);
  });
});

// ---------- authenticate / signOut ----------

function storedSession(overrides: Partial<Session> = {}) {
  const id = newSessionId();
  const { token, tokenHash } = issueSessionToken(id);
  const session: Session = {
    id,
    userId: 'usr_1',
    facebookUserId: FB_USER,
    tokenHash,
    createdAt: NOW - DAY_MS,
    expiresAt: NOW + DAY_MS,
    authTime: NOW - DAY_MS,
    status: 'active',
    ...overrides,
  };
  return { token, session };
}

describe('authenticate', () => {
  it('returns the live session the token proves', async () => {
    const { token, session } = storedSession();
    const { store, calls } = fakeStore({ session });
    await expect(authenticate(store, token)).resolves.toBe(session);
    expect(calls.getSession).toEqual([session.id]);
  });

  it('refuses a missing token', async () => {
    const { store } = fakeStore();
    await expect(authenticate(store, undefined)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('refuses a malformed token without reading the store', async () => {
    const { store, calls } = fakeStore();
    for (const token of ['', 'garbage', 'sg1.ses_short.secret', `sg2.${newSessionId()}.${'A'.repeat(43)}`]) {
      await expect(authenticate(store, token)).rejects.toBeInstanceOf(UnauthenticatedError);
    }
    expect(calls.getSession).toHaveLength(0);
  });

  it('refuses a token for a session that does not exist', async () => {
    const { token } = storedSession();
    const { store } = fakeStore();
    await expect(authenticate(store, token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('refuses a token with the right session id but the wrong secret', async () => {
    const { session } = storedSession();
    const forged = issueSessionToken(session.id).token;
    const { store } = fakeStore({ session });
    await expect(authenticate(store, forged)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('does not reveal that a session was revoked to someone with the wrong secret', async () => {
    const { session } = storedSession({ status: 'revoked', revokedReason: 'password_changed', revokedAt: NOW });
    const { store } = fakeStore({ session });
    await expect(authenticate(store, issueSessionToken(session.id).token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('refuses a revoked session with SessionRevokedError carrying the reason', async () => {
    const { token, session } = storedSession({ status: 'revoked', revokedReason: 'password_changed', revokedAt: NOW });
    const { store } = fakeStore({ session });
    const error = await rejection(authenticate(store, token));
    expect(error).toBeInstanceOf(SessionRevokedError);
    expect((error as SessionRevokedError).reason).toBe('password_changed');
  });

  it('reports a revoked session without a recorded reason as invalid', async () => {
    const { token, session } = storedSession({ status: 'revoked' });
    const { store } = fakeStore({ session });
    await expect(authenticate(store, token)).rejects.toMatchObject({ name: 'SessionRevokedError', reason: 'invalid' });
  });

  it('refuses an expired session that DynamoDB has not yet deleted (real SessionStore, mocked DynamoDB)', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    try {
      const { token, session } = storedSession({ expiresAt: NOW - 1 });
      ddb.on(GetCommand).resolves({ Item: { ...session, sessionId: session.id, ttl: Math.ceil((NOW - 1) / 1000) } });
      const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
      const realStore = new SessionStore(doc, 'table', () => NOW);
      await expect(authenticate(realStore, token)).rejects.toBeInstanceOf(UnauthenticatedError);
      // Same item, a moment earlier: accepted, so the refusal above is about expiry.
      const earlierStore = new SessionStore(doc, 'table', () => NOW - 2);
      await expect(authenticate(earlierStore, token)).resolves.toMatchObject({ id: session.id });
    } finally {
      ddb.restore();
    }
  });
});

describe('signOut', () => {
  it('deletes the session the token proves', async () => {
    const { token, session } = storedSession();
    const { store, calls } = fakeStore({ session });
    await signOut(store, token);
    expect(calls.deleteSession).toEqual([session.id]);
  });

  it('does not delete a revoked session (its record stays for audit) and does not fail', async () => {
    const { token, session } = storedSession({ status: 'revoked', revokedReason: 'logged_out', revokedAt: NOW });
    const { store, calls } = fakeStore({ session });
    await expect(signOut(store, token)).resolves.toBeUndefined();
    expect(calls.deleteSession).toHaveLength(0);
  });

  it('refuses to sign out with a wrong secret and deletes nothing', async () => {
    const { session } = storedSession();
    const { store, calls } = fakeStore({ session });
    await expect(signOut(store, issueSessionToken(session.id).token)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(calls.deleteSession).toHaveLength(0);
  });

  it('refuses to sign out without a token', async () => {
    const { store } = fakeStore();
    await expect(signOut(store, undefined)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
