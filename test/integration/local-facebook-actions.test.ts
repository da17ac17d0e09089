import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * `/_local/facebook/*`: the local stack acting as Facebook does when a person removes the app or
 * asks for their data to be deleted, so the Graph emulator and Session Guard agree afterwards.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

async function personSignedIn() {
  const graph = stack.graphEmulator();
  const user = graph.createTestUser(stack.appId);
  const sessionInfoToken = graph.mintSessionInfoToken(stack.appId, user.id);
  const signIn = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken } });
  expect(signIn.status).toBe(201);
  return { facebookUserId: user.id, sessionInfoToken, sessionToken: signIn.json.sessionToken as string };
}

const signInWith = (sessionInfoToken: string) => stack.request('POST', '/v1/sessions', { body: { sessionInfoToken } });

describe('POST /_local/facebook/deauthorize', () => {
  it("kills that person's tokens in the emulator (190/458) and revokes their sessions through the signed callback", async () => {
    const person = await personSignedIn();
    const bystander = await personSignedIn();
    const removed = await stack.request('POST', '/_local/facebook/deauthorize', { body: { facebookUserId: person.facebookUserId } });
    expect(removed.status).toBe(200);
    expect(removed.json).toEqual({
      facebook: { facebookUserId: person.facebookUserId, appRemoved: true },
      callback: { route: 'POST /v1/facebook/deauthorize', status: 200, body: {} },
    });
    const current = await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${person.sessionToken}` } });
    expect(current.json.error).toMatchObject({ code: 'session_revoked', reason: 'app_removed' });
    expect((await signInWith(person.sessionInfoToken)).json.error.code).toBe('invalid_token');
    // Only that person: another person's token still signs in.
    expect((await signInWith(bystander.sessionInfoToken)).status).toBe(201);
  });

  it('refuses a bad body or an unknown person in the documented error shape, and changes nothing', async () => {
    const before = await stack.scanTable();
    for (const rawBody of ['{}', '{"facebookUserId":"x"}', '{"facebookUserId":"1","extra":1}', 'not json']) {
      const response = await stack.request('POST', '/_local/facebook/deauthorize', { rawBody, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
      expect(response.json.error).toMatchObject({ code: 'invalid_request', message: expect.any(String) });
    }
    const noField = await stack.request('POST', '/_local/facebook/deauthorize', { body: {} });
    expect(noField.json.error.issues).toEqual([{ field: 'facebookUserId', message: expect.any(String) }]);
    const form = await stack.request('POST', '/_local/facebook/deauthorize', { rawBody: 'facebookUserId=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(400);
    const unknown = await stack.request('POST', '/_local/facebook/deauthorize', { body: { facebookUserId: '123' } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('123') });
    expect(await stack.scanTable()).toEqual(before);
  });
});

describe('POST /_local/facebook/data-deletion', () => {
  it('removes the app (tokens 458) and deletes everything through the signed callback, whose status page works', async () => {
    const person = await personSignedIn();
    const deleted = await stack.request('POST', '/_local/facebook/data-deletion', { body: { facebookUserId: person.facebookUserId } });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ facebook: { appRemoved: true }, callback: { route: 'POST /v1/facebook/data-deletion', status: 200 } });
    const { url, confirmation_code: code } = deleted.json.callback.body;
    expect(url).toBe(`${stack.url}/v1/facebook/data-deletion/${code}`);
    const status = await fetch(url);
    expect(await status.json()).toMatchObject({ status: 'completed', deleted: { sessions: 1, userRecords: 2 } });
    expect((await signInWith(person.sessionInfoToken)).json.error.code).toBe('invalid_token');
    expect(JSON.stringify(await stack.scanTable())).not.toContain(person.facebookUserId);
  });

  it('with keepApp (the person took back only part of their data) leaves their Facebook tokens alive', async () => {
    const person = await personSignedIn();
    const deleted = await stack.request('POST', '/_local/facebook/data-deletion', { body: { facebookUserId: person.facebookUserId, keepApp: true } });
    expect(deleted.json).toMatchObject({ facebook: { appRemoved: false }, callback: { status: 200 } });
    // The data is gone, the token is not: the person signs in afresh as a new user.
    const again = await signInWith(person.sessionInfoToken);
    expect(again.status).toBe(201);
    expect(again.json.user.created).toBe(true);
  });
});
