import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * The person's own sessions, through the local stack (API Gateway emulation with the real
 * authorizer in front, DynamoDB Local behind): list them, end one, sign out everywhere.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const IPHONE_APP = 'MyApp/3.1 CFNetwork/1490.0.4 Darwin/23.2.0';

/** A person with `count` sessions (one per session-info token), signed in from the given User-Agents. */
async function personWithSessions(userAgents: readonly string[]) {
  const user = stack.graphEmulator().createTestUser(stack.appId);
  const sessions: { token: string; id: string; userId: string }[] = [];
  for (const userAgent of userAgents) {
    const sessionInfoToken = stack.graphEmulator().mintSessionInfoToken(stack.appId, user.id);
    const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken }, headers: { 'user-agent': userAgent } });
    expect(response.status).toBe(201);
    const token = response.json.sessionToken as string;
    sessions.push({ token, id: token.split('.')[1] as string, userId: response.json.user.id });
  }
  return sessions;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sessionItem = (id: string) => stack.getItem(`SESSION#${id}`, 'SESSION');

describe('GET /v1/sessions', () => {
  it("lists the person's live sessions newest first, with how and where each was opened, and marks the current one", async () => {
    const [older, newer] = await personWithSessions([CHROME_MAC, IPHONE_APP]);
    const response = await stack.request('GET', '/v1/sessions', { headers: bearer(older!.token) });
    expect(response.status).toBe(200);
    expect(response.json.sessions).toEqual([
      { id: newer!.id, createdAt: expect.any(String), expiresAt: expect.any(String), authTime: expect.any(String), via: 'mobile', device: 'iOS app', current: false },
      { id: older!.id, createdAt: expect.any(String), expiresAt: expect.any(String), authTime: expect.any(String), via: 'mobile', device: 'Chrome on macOS', current: true },
    ]);
    // The label is stored at sign-in; the raw header is not.
    const item = await sessionItem(older!.id);
    expect(item).toMatchObject({ signInMethod: 'session_info_token', device: 'Chrome on macOS' });
    expect(item).not.toHaveProperty('via');
    expect(JSON.stringify(item)).not.toContain('Macintosh');
  });

  it('writes nothing on a read', async () => {
    const [session] = await personWithSessions([CHROME_MAC]);
    const before = JSON.stringify(await stack.scanTable());
    expect((await stack.request('GET', '/v1/sessions', { headers: bearer(session!.token) })).status).toBe(200);
    expect(JSON.stringify(await stack.scanTable())).toBe(before);
  });

  it('leaves out ended sessions', async () => {
    const [kept, ended] = await personWithSessions([CHROME_MAC, CHROME_MAC]);
    expect((await stack.request('DELETE', `/v1/sessions/${ended!.id}`, { headers: bearer(kept!.token) })).status).toBe(204);
    const response = await stack.request('GET', '/v1/sessions', { headers: bearer(kept!.token) });
    expect(response.json.sessions.map((s: { id: string }) => s.id)).toEqual([kept!.id]);
  });

  it('is refused by the authorizer without a live session', async () => {
    const response = await stack.request('GET', '/v1/sessions');
    expect(response.status).toBe(403);
  });
});

describe('DELETE /v1/sessions/{id}', () => {
  it('ends one of my sessions with a signed_out revocation record, and the other stays live', async () => {
    const [mine, other] = await personWithSessions([CHROME_MAC, IPHONE_APP]);
    expect((await stack.request('DELETE', `/v1/sessions/${other!.id}`, { headers: bearer(mine!.token) })).status).toBe(204);
    const record = await sessionItem(other!.id);
    expect(record).toMatchObject({ status: 'revoked', revokedReason: 'signed_out' });
    expect(record).not.toHaveProperty('sealedToken');
    const refused = await stack.request('GET', '/v1/sessions/current', { headers: bearer(other!.token) });
    expect(refused.json.error).toMatchObject({ code: 'session_revoked', reason: 'signed_out' });
    expect((await stack.request('GET', '/v1/sessions/current', { headers: bearer(mine!.token) })).status).toBe(200);
  });

  it("answers 404 for another person's session and changes nothing", async () => {
    const [mine] = await personWithSessions([CHROME_MAC]);
    const [theirs] = await personWithSessions([CHROME_MAC]);
    const before = await stack.scanTable();
    const response = await stack.request('DELETE', `/v1/sessions/${theirs!.id}`, { headers: bearer(mine!.token) });
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe('not_found');
    // The same answer as for a session that never existed: nothing tells them apart.
    const unknown = await stack.request('DELETE', '/v1/sessions/ses_AAAAAAAAAAAAAAAAAAAAAA', { headers: bearer(mine!.token) });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual(response.json);
    expect(await stack.scanTable()).toEqual(before);
    expect((await stack.request('GET', '/v1/sessions/current', { headers: bearer(theirs!.token) })).status).toBe(200);
  });

  it('ends the current session by cookie only from an allowed Origin, and then clears the cookie', async () => {
    const [session] = await personWithSessions([CHROME_MAC]);
    const cookie = { cookie: `sg_session=${session!.token}` };
    const forged = await stack.request('DELETE', `/v1/sessions/${session!.id}`, { headers: { ...cookie, origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
    expect(await sessionItem(session!.id)).toMatchObject({ status: 'active' });
    const response = await stack.request('DELETE', `/v1/sessions/${session!.id}`, { headers: { ...cookie, origin: stack.url } });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/^sg_session=; Max-Age=0/);
    expect(await sessionItem(session!.id)).toMatchObject({ status: 'revoked', revokedReason: 'signed_out' });
  });
});

describe('DELETE /v1/sessions (sign out everywhere)', () => {
  it('with keepCurrent=true ends every other session and keeps the current one', async () => {
    const [current, second, third] = await personWithSessions([CHROME_MAC, IPHONE_APP, CHROME_MAC]);
    const [stranger] = await personWithSessions([CHROME_MAC]);
    const response = await stack.request('DELETE', '/v1/sessions?keepCurrent=true', { headers: bearer(current!.token) });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ ended: 2, keptCurrent: true });
    for (const ended of [second!, third!]) expect(await sessionItem(ended.id)).toMatchObject({ status: 'revoked', revokedReason: 'signed_out_everywhere' });
    expect(await sessionItem(current!.id)).toMatchObject({ status: 'active' });
    expect(await sessionItem(stranger!.id)).toMatchObject({ status: 'active' });
    const listed = await stack.request('GET', '/v1/sessions', { headers: bearer(current!.token) });
    expect(listed.json.sessions.map((s: { id: string }) => s.id)).toEqual([current!.id]);
  });

  it('without keepCurrent ends the current session too', async () => {
    const [current, other] = await personWithSessions([CHROME_MAC, IPHONE_APP]);
    const response = await stack.request('DELETE', '/v1/sessions', { headers: bearer(current!.token) });
    expect(response.json).toEqual({ ended: 2, keptCurrent: false });
    for (const ended of [current!, other!]) expect(await sessionItem(ended.id)).toMatchObject({ status: 'revoked', revokedReason: 'signed_out_everywhere' });
    expect((await stack.request('GET', '/v1/sessions', { headers: bearer(current!.token) })).status).toBe(403);
  });

  it('refuses a keepCurrent that is not true or false', async () => {
    const [current] = await personWithSessions([CHROME_MAC]);
    const response = await stack.request('DELETE', '/v1/sessions?keepCurrent=yes', { headers: bearer(current!.token) });
    expect(response.status).toBe(400);
    expect(response.json.error.issues).toEqual([{ field: 'keepCurrent', message: 'must be true or false' }]);
    expect(await sessionItem(current!.id)).toMatchObject({ status: 'active' });
  });
});
