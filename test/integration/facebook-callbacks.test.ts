import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSignedRequest } from '#local/signed-request-signer';
import { sha256Hex } from '#commons/sessions/session-tokens';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * Facebook's deauthorize and data-deletion callbacks on the local stack: real handlers, DynamoDB
 * Local, requests signed with the stack's app secret the way Facebook signs them.
 */
let stack: TestStack;
const secretsSeen: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const DEAUTHORIZE = '/v1/facebook/deauthorize';
const DATA_DELETION = '/v1/facebook/data-deletion';

interface Person {
  facebookUserId: string;
  userId: string;
  sessionTokens: string[];
  sessionInfoTokens: string[];
}

/** A Facebook user who signed in `sessions` times (one session-info token each). */
async function personWithSessions(sessions: number): Promise<Person> {
  const user = stack.graphEmulator().createTestUser(stack.appId);
  const person: Person = { facebookUserId: user.id, userId: '', sessionTokens: [], sessionInfoTokens: [] };
  for (let i = 0; i < sessions; i++) await signInAgain(person);
  return person;
}

async function signInAgain(person: Person): Promise<void> {
  const sessionInfoToken = stack.graphEmulator().mintSessionInfoToken(stack.appId, person.facebookUserId);
  const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken } });
  expect(response.status).toBe(201);
  person.userId = response.json.user.id;
  person.sessionTokens.push(response.json.sessionToken);
  person.sessionInfoTokens.push(sessionInfoToken);
  secretsSeen.push(sessionInfoToken, response.json.sessionToken);
}

function signed(facebookUserId: string, payload: Record<string, unknown> = {}, secret = stack.appSecret): string {
  const signedRequest = signSignedRequest({ user_id: facebookUserId, ...payload }, secret);
  secretsSeen.push(signedRequest);
  return signedRequest;
}

function callback(path: string, signedRequest: string, headers: Record<string, string> = FORM) {
  return stack.request('POST', path, { rawBody: `signed_request=${encodeURIComponent(signedRequest)}`, headers });
}

async function currentSession(sessionToken: string) {
  return stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${sessionToken}` } });
}

const sessionIdOf = (sessionToken: string) => sessionToken.split('.')[1]!;

/** Every item that mentions this person, by user id or Facebook id. */
async function itemsOf(person: Person): Promise<Record<string, unknown>[]> {
  return (await stack.scanTable()).filter((item) => {
    const text = JSON.stringify(item);
    return text.includes(person.userId) || text.includes(person.facebookUserId);
  });
}

const sortedScan = async () => (await stack.scanTable()).map((item) => JSON.stringify(item)).sort();

describe('POST /v1/facebook/deauthorize', () => {
  it("revokes every session of the person (app_removed), keeps the records, and leaves other people's alone", async () => {
    const ada = await personWithSessions(3);
    const bob = await personWithSessions(1);
    const bobBefore = await itemsOf(bob);

    const response = await callback(DEAUTHORIZE, signed(ada.facebookUserId));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({});

    for (const token of ada.sessionTokens) {
      const current = await currentSession(token);
      expect(current.status).toBe(401);
      expect(current.json.error).toEqual({ code: 'session_revoked', message: expect.stringContaining('app_removed'), reason: 'app_removed' });
    }
    // Revocation records stay for audit, without the sealed Facebook token; token locks are released.
    for (const token of ada.sessionTokens) {
      const item = await stack.getItem(`SESSION#${sessionIdOf(token)}`, 'SESSION');
      expect(item).toMatchObject({ status: 'revoked', revokedReason: 'app_removed', userId: ada.userId });
      expect(item).not.toHaveProperty('sealedToken');
      expect(item!.ttl as number).toBeGreaterThan(Date.now() / 1000 + 89 * 86400);
      expect(item!.ttl as number).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 90 * 86400);
    }
    for (const token of ada.sessionInfoTokens) expect(await stack.getItem(`SITOKEN#${sha256Hex(token)}`, 'SITOKEN')).toBeUndefined();
    expect(await stack.getItem(`USER#${ada.userId}`, 'USER')).toBeDefined();

    expect((await currentSession(bob.sessionTokens[0]!)).status).toBe(200);
    expect(await itemsOf(bob)).toEqual(bobBefore);
  });

  it('is idempotent: a repeated callback answers 200 and changes nothing', async () => {
    const ada = await personWithSessions(2);
    const issuedAt = Math.floor(Date.now() / 1000);
    const request = signed(ada.facebookUserId, { issued_at: issuedAt });
    expect((await callback(DEAUTHORIZE, request)).status).toBe(200);
    const after = await sortedScan();
    expect((await callback(DEAUTHORIZE, request)).status).toBe(200);
    // Another signed request for the same removal (same issued_at), and an older one: the removal
    // recorded on the person's link (appRemovedAt, the Person Removed App event) only moves forward.
    expect((await callback(DEAUTHORIZE, signed(ada.facebookUserId, { issued_at: issuedAt, algorithm: 'hmac-sha256' }))).status).toBe(200);
    expect((await callback(DEAUTHORIZE, signed(ada.facebookUserId, { issued_at: issuedAt - 60 }))).status).toBe(200);
    expect(await sortedScan()).toEqual(after);
    expect(await stack.getItem(`FBUSER#${ada.facebookUserId}`, 'FBUSER')).toMatchObject({ appRemovedAt: issuedAt * 1000 });
    // A later request for the same person revokes nothing more; the link only records the latest
    // removal (so a sign-in racing it must ask Facebook again).
    const later = signed(ada.facebookUserId, { issued_at: Math.floor(Date.now() / 1000) + 1 });
    expect((await callback(DEAUTHORIZE, later)).status).toBe(200);
    const notLink = (items: string[]) => items.filter((item) => !item.includes('"FBUSER"'));
    expect(notLink(await sortedScan())).toEqual(notLink(after));
  });

  it('answers 200 for a person it never saw, writing nothing', async () => {
    const before = await sortedScan();
    const response = await callback(DEAUTHORIZE, signed('10999999999999999'));
    expect(response.status).toBe(200);
    expect(await sortedScan()).toEqual(before);
  });

  it('revokes a person with many sessions', async () => {
    // As many as one person may hold at once (MAX_LIVE_SESSIONS_PER_PERSON, 25 by default).
    const many = await personWithSessions(25);
    expect((await callback(DEAUTHORIZE, signed(many.facebookUserId))).status).toBe(200);
    const sessions = (await itemsOf(many)).filter((item) => item.entity === 'session');
    expect(sessions).toHaveLength(25);
    expect(sessions.every((item) => item.status === 'revoked' && item.revokedReason === 'app_removed')).toBe(true);
  });
});

describe('bad callbacks are refused with 400 and change nothing', () => {
  const DAY = 86400;
  const now = () => Math.floor(Date.now() / 1000);
  let victim: Person;
  beforeAll(async () => {
    victim = await personWithSessions(1);
  });

  const cases: [string, () => { body: string; headers?: Record<string, string> }, number, string][] = [
    ['a forged signature (another secret)', () => ({ body: form(signed(victim.facebookUserId, {}, 'not-our-app-secret')) }), 400, 'invalid_signed_request'],
    [
      'a tampered payload',
      () => {
        const [signature] = signed('10000000000000000').split('.');
        const payload = Buffer.from(JSON.stringify({ algorithm: 'HMAC-SHA256', issued_at: now(), user_id: victim.facebookUserId })).toString('base64url');
        return { body: form(`${signature}.${payload}`) };
      },
      400,
      'invalid_signed_request',
    ],
    ['a stale request (issued two days ago)', () => ({ body: form(signed(victim.facebookUserId, { issued_at: now() - 2 * DAY })) }), 400, 'invalid_signed_request'],
    ['a request from the future', () => ({ body: form(signed(victim.facebookUserId, { issued_at: now() + DAY })) }), 400, 'invalid_signed_request'],
    ['the wrong algorithm', () => ({ body: form(signed(victim.facebookUserId, { algorithm: 'HMAC-SHA1' })) }), 400, 'invalid_signed_request'],
    ['a missing user_id', () => ({ body: form(signSignedRequest({}, stack.appSecret)) }), 400, 'invalid_signed_request'],
    ['no dot', () => ({ body: form('bm90LWEtc2lnbmVkLXJlcXVlc3Q') }), 400, 'invalid_signed_request'],
    ['garbage', () => ({ body: form('%%%.!!!') }), 400, 'invalid_signed_request'],
    ['no signed_request field', () => ({ body: 'other=1' }), 400, 'invalid_request'],
    ['an empty body', () => ({ body: '' }), 400, 'invalid_request'],
    [
      'a JSON body',
      () => ({ body: JSON.stringify({ signed_request: signed(victim.facebookUserId) }), headers: { 'content-type': 'application/json' } }),
      400,
      'invalid_request',
    ],
    ['no content type', () => ({ body: form(signed(victim.facebookUserId)), headers: {} }), 400, 'invalid_request'],
    ['signed_request sent twice', () => ({ body: `${form(signed(victim.facebookUserId))}&${form(signed(victim.facebookUserId))}` }), 400, 'invalid_request'],
    ['a body over 16 KiB', () => ({ body: form('a'.repeat(17 * 1024)) }), 413, 'payload_too_large'],
  ];

  function form(signedRequest: string): string {
    return `signed_request=${encodeURIComponent(signedRequest)}`;
  }

  for (const path of [DEAUTHORIZE, DATA_DELETION]) {
    it.each(cases)(`${path}: %s → %i %s`, async (_label, make, status, code) => {
      const before = await sortedScan();
      const { body, headers = FORM } = make();
      const response = await stack.request('POST', path, { rawBody: body, headers });
      expect(response.status).toBe(status);
      expect(response.json).toMatchObject({ error: { code, message: expect.any(String) } });
      expect(await sortedScan()).toEqual(before);
    });
  }

  it('the victim is still signed in after all of that', async () => {
    expect((await currentSession(victim.sessionTokens[0]!)).status).toBe(200);
  });
});

describe('POST /v1/facebook/data-deletion', () => {
  it("deletes every item of the person (live and revoked sessions, tokens, user, link), answers url + code, leaves others' alone", async () => {
    const ada = await personWithSessions(2);
    // Two revocation records, then two more live sessions.
    expect((await callback(DEAUTHORIZE, signed(ada.facebookUserId))).status).toBe(200);
    await signInAgain(ada);
    await signInAgain(ada);
    const bob = await personWithSessions(2);
    const bobBefore = await itemsOf(bob);
    // Four sessions (two revoked), the user and the link; the two live token locks are keyed by hash.
    expect(await itemsOf(ada)).toHaveLength(6);
    expect((await itemsOf(ada)).filter((item) => item.status === 'revoked')).toHaveLength(2);

    const response = await callback(DATA_DELETION, signed(ada.facebookUserId, { expires: Math.floor(Date.now() / 1000) + 3600 }));
    expect(response.status).toBe(200);
    const code = response.json.confirmation_code as string;
    expect(code).toMatch(/^[A-Za-z0-9]+$/);
    expect(response.json).toEqual({ url: `${stack.url}/v1/facebook/data-deletion/${code}`, confirmation_code: code });

    // Nothing left that names them, nor their token locks (keyed by token hash, not by id).
    expect(await itemsOf(ada)).toEqual([]);
    const everything = JSON.stringify(await stack.scanTable());
    for (const token of ada.sessionInfoTokens) expect(everything).not.toContain(sha256Hex(token));
    for (const token of ada.sessionTokens) {
      expect(everything).not.toContain(sessionIdOf(token));
      expect((await currentSession(token)).json.error.code).toBe('unauthenticated');
    }
    // What stays: the anonymous deletion record.
    const record = await stack.getItem(`DELETION#${code}`, 'DELETION');
    expect(Object.keys(record!).sort()).toEqual(
      ['pk', 'sk', 'entity', 'status', 'requestedAt', 'completedAt', 'sessionsDeleted', 'userRecordsDeleted', 'ttl'].sort(),
    );

    expect(await itemsOf(bob)).toEqual(bobBefore);
    for (const token of bob.sessionTokens) expect((await currentSession(token)).status).toBe(200);

    const status = await stack.request('GET', new URL(response.json.url).pathname);
    expect(status.status).toBe(200);
    expect(status.json).toEqual({
      confirmationCode: code,
      status: 'completed',
      requestedAt: expect.any(String),
      completedAt: expect.any(String),
      deleted: { sessions: 4, userRecords: 2 },
    });
  });

  it('is idempotent: the same request again gets the same code and deletes nothing more; a new one completes with nothing to delete', async () => {
    const ada = await personWithSessions(1);
    const request = signed(ada.facebookUserId);
    const first = await callback(DATA_DELETION, request);
    expect(first.status).toBe(200);
    const after = await sortedScan();

    const again = await callback(DATA_DELETION, request);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(await sortedScan()).toEqual(after);

    const later = await callback(DATA_DELETION, signed(ada.facebookUserId, { issued_at: Math.floor(Date.now() / 1000) - 5 }));
    expect(later.status).toBe(200);
    expect(later.json.confirmation_code).not.toBe(first.json.confirmation_code);
    const status = await stack.request('GET', new URL(later.json.url).pathname);
    expect(status.json).toMatchObject({ status: 'completed', deleted: { sessions: 0, userRecords: 0 } });
  });

  it('answers for a person it never saw, with a status page to match', async () => {
    const response = await callback(DATA_DELETION, signed('10888888888888888'));
    expect(response.status).toBe(200);
    const status = await stack.request('GET', new URL(response.json.url).pathname);
    expect(status.json).toMatchObject({ status: 'completed', deleted: { sessions: 0, userRecords: 0 } });
  });

  it('erases a person with many sessions (more than one BatchWriteItem)', async () => {
    const many = await personWithSessions(40);
    const response = await callback(DATA_DELETION, signed(many.facebookUserId));
    expect(response.status).toBe(200);
    expect(await itemsOf(many)).toEqual([]);
    const everything = JSON.stringify(await stack.scanTable());
    for (const token of many.sessionInfoTokens) expect(everything).not.toContain(sha256Hex(token));
    const status = await stack.request('GET', new URL(response.json.url).pathname);
    expect(status.json.deleted).toEqual({ sessions: 40, userRecords: 2 });
  });
});

describe('GET /v1/facebook/data-deletion/{code}', () => {
  it('shows a small HTML page to a browser', async () => {
    const response = await callback(DATA_DELETION, signed('10777777777777777'));
    const page = await stack.request('GET', new URL(response.json.url).pathname, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.text).toContain(response.json.confirmation_code);
    expect(page.text).toContain('Completed');
  });

  it('answers 404 not_found for an unknown code and 400 invalid_request for a malformed one', async () => {
    const unknown = await stack.request('GET', '/v1/facebook/data-deletion/AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
    for (const malformed of ['abc', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'AAAAAAAAAAAAAAAAAAAAAAA1', `${'A'.repeat(24)}%27`]) {
      const response = await stack.request('GET', `/v1/facebook/data-deletion/${malformed}`);
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe('invalid_request');
    }
  });
});

describe('logs', () => {
  it("say what the callbacks did without naming the person: no Facebook id, user id or session id", async () => {
    const ada = await personWithSessions(2);
    const sessionIds = ada.sessionTokens.map(sessionIdOf);
    const start = stack.capturedOutput().length;
    expect((await callback(DEAUTHORIZE, signed(ada.facebookUserId))).status).toBe(200);
    expect((await callback(DATA_DELETION, signed(ada.facebookUserId))).status).toBe(200);
    const output = stack.capturedOutput().slice(start);
    expect(output).toContain('app removed on Facebook');
    expect(output).toContain('person data deleted');
    for (const id of [ada.facebookUserId, ada.userId, ...sessionIds]) expect(output).not.toContain(id);
  });

  it('never contain a signed request, a token or the app secret', () => {
    const output = stack.capturedOutput();
    expect(output.length).toBeGreaterThan(0);
    for (const secret of secretsSeen) expect(output).not.toContain(secret);
    expect(output).not.toContain(stack.appSecret);
  });
});
