import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMSClient } from '@aws-sdk/client-kms';
import { EnvelopeOpener, VaultError } from '#commons/crypto/vault';
import { sha256Hex } from '#commons/sessions/session-tokens';
import { startTestStack, type TestStack } from '#test/support/local-stack';

const OTHER_APP = { appId: '999000111222333', appSecret: 'other-app-secret' };
let stack: TestStack;
const secretsSeen: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ otherGraphApps: [OTHER_APP] });
});
afterAll(async () => {
  await stack?.close();
});

function newPerson(name = 'Ada') {
  const user = stack.graphEmulator().createTestUser(stack.appId, { name });
  const mint = (opts?: Parameters<NonNullable<TestStack['graph']>['mintSessionInfoToken']>[2]) => {
    const token = stack.graphEmulator().mintSessionInfoToken(stack.appId, user.id, opts);
    secretsSeen.push(token);
    return token;
  };
  return { user, mint };
}

async function signIn(sessionInfoToken: string) {
  const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken } });
  if (response.status === 201) secretsSeen.push(response.json.sessionToken);
  return response;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('health', () => {
  it('answers ok once the service can serve', async () => {
    const response = await stack.request('GET', '/v1/health');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
  });
});

describe('POST /v1/sessions', () => {
  it('creates a session and a new user for a valid session-info token', async () => {
    const { user, mint } = newPerson();
    const before = Date.now();
    const response = await signIn(mint());
    expect(response.status).toBe(201);
    expect(response.json.sessionToken).toMatch(/^sg1\.ses_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(response.json.user).toEqual({ id: expect.stringMatching(/^usr_/), facebookUserId: user.id, created: true });
    const expiresAt = Date.parse(response.json.expiresAt);
    // Default 30 days; the emulator's session-info tokens live 60 days.
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * 86400_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * 86400_000 + 1000);
  });

  it('finds the same user on a later sign-in', async () => {
    const { mint } = newPerson();
    const first = await signIn(mint());
    const second = await signIn(mint());
    expect(second.status).toBe(201);
    expect(second.json.user.created).toBe(false);
    expect(second.json.user.id).toBe(first.json.user.id);
  });

  it('stores the session token only as its SHA-256 hash and the Facebook token only sealed', async () => {
    const { mint } = newPerson();
    const sessionInfoToken = mint();
    const response = await signIn(sessionInfoToken);
    const sessionId = response.json.sessionToken.split('.')[1];
    const item = await stack.getItem(`SESSION#${sessionId}`, 'SESSION');
    expect(item).toBeDefined();
    expect(item!.tokenHash).toBe(sha256Hex(response.json.sessionToken));
    const everything = JSON.stringify(await stack.scanTable());
    expect(everything).not.toContain(response.json.sessionToken);
    expect(everything).not.toContain(response.json.sessionToken.split('.')[2]);
    expect(everything).not.toContain(sessionInfoToken);
    expect(item!.sealedToken).toMatch(/^v1\./);
    expect(item!.ttl).toBe(Math.ceil((item!.expiresAt as number) / 1000));
  });

  it('seals the token so that it opens only for its own session and user', async () => {
    const a = newPerson('A');
    const b = newPerson('B');
    const tokenA = a.mint();
    const sessionA = (await signIn(tokenA)).json.sessionToken.split('.')[1];
    const responseB = await signIn(b.mint());
    const sessionB = responseB.json.sessionToken.split('.')[1];
    const itemA = (await stack.getItem(`SESSION#${sessionA}`, 'SESSION'))!;
    const itemB = (await stack.getItem(`SESSION#${sessionB}`, 'SESSION'))!;
    // A vault with Decrypt, as only the revalidation worker will have it.
    const vault = new EnvelopeOpener(new KMSClient({}), stack.kmsKeyId);
    await expect(vault.open(itemA.sealedToken as string, { sessionId: sessionA, userId: itemA.userId as string })).resolves.toBe(tokenA);
    await expect(vault.open(itemA.sealedToken as string, { sessionId: sessionB, userId: itemB.userId as string })).rejects.toBeInstanceOf(VaultError);
    await expect(vault.open(itemA.sealedToken as string, { sessionId: sessionA, userId: itemB.userId as string })).rejects.toBeInstanceOf(VaultError);
    await expect(vault.open(itemA.sealedToken as string, { sessionId: sessionB, userId: itemA.userId as string })).rejects.toBeInstanceOf(VaultError);
  });

  it('keeps at most one live session per session-info token', async () => {
    const { user, mint } = newPerson();
    const token = mint();
    const first = await signIn(token);
    const second = await signIn(token);
    expect(second.status).toBe(201);
    const sessions = (await stack.scanTable()).filter((i) => i.entity === 'session' && i.facebookUserId === user.id);
    expect(sessions).toHaveLength(1);
    expect((await stack.request('GET', '/v1/sessions/current', { headers: bearer(first.json.sessionToken) })).status).toBe(401);
    expect((await stack.request('GET', '/v1/sessions/current', { headers: bearer(second.json.sessionToken) })).status).toBe(200);
  });

  it('never lets a session outlive its session-info token', async () => {
    const { mint } = newPerson();
    const response = await signIn(mint({ expiresInSeconds: 3600 }));
    expect(response.status).toBe(201);
    const expiresAt = Date.parse(response.json.expiresAt);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 2000);
    expect(expiresAt).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('treats expires_at 0 as a token that never expires (session gets the full max age)', async () => {
    const { mint } = newPerson();
    const response = await signIn(mint({ expiresInSeconds: 0 }));
    expect(response.status).toBe(201);
    expect(Date.parse(response.json.expiresAt)).toBeGreaterThan(Date.now() + 29 * 86400_000);
    expect(Date.parse(response.json.expiresAt)).toBeLessThanOrEqual(Date.now() + 30 * 86400_000);
  });

  describe("refuses what Facebook refuses, and writes nothing", () => {
    async function expectRefusal(sessionInfoToken: string, status: number, code: string) {
      const before = (await stack.scanTable()).length;
      const response = await signIn(sessionInfoToken);
      expect(response.status).toBe(status);
      expect(response.json).toEqual({ error: { code, message: expect.any(String) } });
      expect((await stack.scanTable()).length).toBe(before);
      return response;
    }

    it.each([
      ['password_changed', 'invalid_token'],
      ['app_removed', 'invalid_token'],
      ['logged_out', 'invalid_token'],
      ['checkpointed', 'invalid_token'],
      ['expired', 'token_expired'],
    ] as const)('a token whose Facebook session ended (%s) → 401 %s', async (reason, code) => {
      const { user, mint } = newPerson();
      const token = mint();
      stack.graphEmulator().endFacebookSession(user.id, reason);
      await expectRefusal(token, 401, code);
    });

    it('a token past its expiry → 401 token_expired', async () => {
      const { mint } = newPerson();
      await expectRefusal(mint({ expiresInSeconds: -60 }), 401, 'token_expired');
    });

    it('a made-up token → 401 invalid_token', async () => {
      await expectRefusal('EAAmadeUpTokenThatFacebookNeverIssued123', 401, 'invalid_token');
    });

    it("another app's token → 500 internal_error, never 401: Facebook answers it as it answers our running with another app's credentials", async () => {
      const other = stack.graphEmulator().createTestUser(OTHER_APP.appId);
      const token = stack.graphEmulator().mintSessionInfoToken(OTHER_APP.appId, other.id);
      secretsSeen.push(token);
      const logStart = stack.capturedOutput().length;
      await expectRefusal(token, 500, 'internal_error');
      expect(stack.capturedOutput().slice(logStart)).toContain('TokenOfAnotherAppError');
    });

    it('a user access token (it can read user data, so we will not keep it) → 401 invalid_token', async () => {
      const { user } = newPerson();
      const token = stack.graphEmulator().mintUserToken(stack.appId, user.id, { lifetime: 'long' });
      secretsSeen.push(token);
      const response = await expectRefusal(token, 401, 'invalid_token');
      expect(response.json.error.message).toMatch(/session-info token/);
    });

    it.each([
      [{ kind: 'http_status', status: 500 }],
      [{ kind: 'http_status', status: 503 }],
      [{ kind: 'error_code', code: 1 }],
      [{ kind: 'error_code', code: 2, isTransient: true }],
      [{ kind: 'error_code', code: 4 }],
      [{ kind: 'error_code', code: 17 }],
      [{ kind: 'error_code', code: 613 }],
      [{ kind: 'malformed' }],
    ] as const)('Facebook trouble %j → 503 facebook_unavailable with Retry-After', async (fault) => {
      const { mint } = newPerson();
      const token = mint();
      stack.graphEmulator().injectFault(fault, { count: 1, path: 'debug_token' });
      const response = await expectRefusal(token, 503, 'facebook_unavailable');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(300);
      // The same token works once Facebook is back.
      expect((await signIn(token)).status).toBe(201);
    });

    it('Facebook too slow to answer → 503 facebook_unavailable', async () => {
      const { mint } = newPerson();
      const token = mint();
      stack.graphEmulator().injectFault({ kind: 'timeout', delayMs: 5000 }, { count: 1, path: 'debug_token' });
      await expectRefusal(token, 503, 'facebook_unavailable');
    });
  });
});

describe('our own misconfiguration', () => {
  it('Facebook rejecting our app credentials → generic 500 internal_error, nothing written, detail only in the log', async () => {
    const { mint } = newPerson();
    const token = mint();
    const before = (await stack.scanTable()).length;
    const logStart = stack.capturedOutput().length;
    stack.graphEmulator().injectFault({ kind: 'error_code', code: 190, status: 400 }, { count: 1, path: 'debug_token' });
    const response = await signIn(token);
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side. Try again later.' } });
    expect((await stack.scanTable()).length).toBe(before);
    const log = stack.capturedOutput().slice(logStart);
    expect(log).toContain('unexpected failure');
    expect(log).toContain('GraphMisconfiguredError');
  });
});

describe('GET /v1/sessions/current', () => {
  it('describes the live session and its user', async () => {
    const { user, mint } = newPerson();
    const created = await signIn(mint());
    const response = await stack.request('GET', '/v1/sessions/current', { headers: bearer(created.json.sessionToken) });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      session: {
        id: created.json.sessionToken.split('.')[1],
        createdAt: expect.any(String),
        expiresAt: created.json.expiresAt,
        authTime: expect.any(String),
        status: 'active',
      },
      user: { id: created.json.user.id, facebookUserId: user.id },
    });
    expect(Date.parse(response.json.session.authTime)).toBeLessThanOrEqual(Date.parse(response.json.session.createdAt));
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['no Authorization header', {}],
    ['a malformed scheme', { authorization: 'Basic abc' }],
    ['a token of the wrong shape', { authorization: 'Bearer not-a-session-token' }],
    ['an unknown session', { authorization: 'Bearer sg1.ses_AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
  ])('answers 401 unauthenticated for %s', async (_label, headers) => {
    const response = await stack.request('GET', '/v1/sessions/current', { headers });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('unauthenticated');
  });

  it('refuses a right session id with the wrong secret', async () => {
    const { mint } = newPerson();
    const created = await signIn(mint());
    const [prefix, id] = created.json.sessionToken.split('.');
    const forged = `${prefix}.${id}.${'B'.repeat(43)}`;
    const response = await stack.request('GET', '/v1/sessions/current', { headers: bearer(forged) });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('unauthenticated');
  });

  it('treats a session past its expiry as gone even before TTL deletes it', async () => {
    const { mint } = newPerson();
    const created = await signIn(mint());
    const id = created.json.sessionToken.split('.')[1];
    await stack.updateItem(`SESSION#${id}`, 'SESSION', { expiresAt: Date.now() - 1000 });
    const response = await stack.request('GET', '/v1/sessions/current', { headers: bearer(created.json.sessionToken) });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('unauthenticated');
  });

  it('answers 401 session_revoked naming the reason for a revoked session', async () => {
    const { mint } = newPerson();
    const created = await signIn(mint());
    const id = created.json.sessionToken.split('.')[1];
    await stack.updateItem(`SESSION#${id}`, 'SESSION', { status: 'revoked', revokedReason: 'password_changed', revokedAt: Date.now() });
    const response = await stack.request('GET', '/v1/sessions/current', { headers: bearer(created.json.sessionToken) });
    expect(response.status).toBe(401);
    expect(response.json.error).toEqual({ code: 'session_revoked', message: expect.stringContaining('password_changed'), reason: 'password_changed' });
  });
});

describe('DELETE /v1/sessions/current', () => {
  it('ends the session and removes its sealed token', async () => {
    const { mint } = newPerson();
    const token = mint();
    const created = await signIn(token);
    const id = created.json.sessionToken.split('.')[1];
    const response = await stack.request('DELETE', '/v1/sessions/current', { headers: bearer(created.json.sessionToken) });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(await stack.getItem(`SESSION#${id}`, 'SESSION')).toBeUndefined();
    expect(await stack.getItem(`SITOKEN#${sha256Hex(token)}`, 'SITOKEN')).toBeUndefined();
    expect((await stack.request('GET', '/v1/sessions/current', { headers: bearer(created.json.sessionToken) })).status).toBe(401);
  });

  it('answers 401 without a session', async () => {
    const response = await stack.request('DELETE', '/v1/sessions/current');
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('unauthenticated');
  });
});

describe('routing', () => {
  it('answers unknown paths with 404 and wrong methods with 405, in the error shape', async () => {
    const missing = await stack.request('GET', '/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
    const wrongMethod = await stack.request('PUT', '/v1/sessions');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json.error.code).toBe('method_not_allowed');
  });
});

describe('logs', () => {
  it('never contain a token, the app secret or an Authorization header', async () => {
    // Its own traffic, so the proof does not depend on which tests ran before it.
    for (let i = 0; i < 6; i++) {
      const sessionToken = (await signIn(newPerson(`Logged ${i}`).mint())).json.sessionToken as string;
      expect((await stack.request('GET', '/v1/sessions/current', { headers: bearer(sessionToken) })).status).toBe(200);
      expect((await stack.request('DELETE', '/v1/sessions/current', { headers: bearer(sessionToken) })).status).toBe(204);
    }
    const output = stack.capturedOutput();
    expect(output.length).toBeGreaterThan(0);
    expect(secretsSeen.length).toBeGreaterThan(10);
    for (const secret of secretsSeen) expect(output).not.toContain(secret);
    expect(output).not.toContain(stack.appSecret);
    expect(output.toLowerCase()).not.toContain('bearer ');
  });
});
