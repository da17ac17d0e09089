import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminClient } from '#cli/admin-client';
import { EVENT_DETAILS } from '#commons/events/catalog';
import { signSignedRequest } from '#local/signed-request-signer';
import { deletePersonData } from '#commons/facebook-callbacks/data-deletion';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { readConfig } from '#commons/platform/config';
import type { DataDeletionRecord } from '#commons/facebook-callbacks/ports';
import type { CreateSessionPlan } from '#commons/sessions/ports';
import { signInWithSessionInfoToken } from '#commons/sessions/sessions';
import { createSignInDependencies, signInEnv } from '#commons/sessions/sign-in-wiring';
import { PersonDataStore } from '#commons/storage/person-data-store';
import { SessionStore } from '#commons/storage/session-store';
import { createLocalEvents, type EventEnvelope, type LocalEvents } from '#local/events';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';
import { startWebhookReceiver, type WebhookReceiver } from '#test/support/webhook-receiver';

/**
 * Events end to end on the local stack: real handlers write to DynamoDB Local, the local events
 * read its stream with the stream consumer's own code, and a webhook receives them in
 * EventBridge's envelope. Every detail type, a writer that dies right after its write, a webhook
 * that fails, and duplicates.
 */
const API_KEY = 'test-events-api-key';
let stack: SweepTestStack;
let events: LocalEvents;
let webhook: WebhookReceiver;
const secretsSeen: string[] = [];

beforeAll(async () => {
  webhook = await startWebhookReceiver();
  events = createLocalEvents({ webhookUrl: webhook.url, webhookApiKey: API_KEY, maxDeliveryAttempts: 3, retryDelayMs: 20, pollIntervalMs: 50, log: () => undefined });
  stack = await startSweepTestStack({ localRoutes: [events.route] });
  await events.start();
});
afterAll(async () => {
  await events?.close();
  await stack?.close();
  await webhook?.close();
});
beforeEach(async () => {
  await events.settled();
  webhook.answer = () => 200;
});

const detailOf = (envelope: EventEnvelope) => envelope.detail as Record<string, unknown>;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function signIn(name = 'Events Person') {
  const person = await stack.signInNewPerson(name);
  secretsSeen.push(person.sessionInfoToken, person.sessionToken);
  return person;
}

function callback(path: string, facebookUserId: string, payload: Record<string, unknown> = {}) {
  const signedRequest = signSignedRequest({ user_id: facebookUserId, ...payload }, stack.appSecret);
  secretsSeen.push(signedRequest);
  return stack.request('POST', path, { rawBody: `signed_request=${encodeURIComponent(signedRequest)}`, headers: FORM });
}

/** The event of this type whose detail matches, as the webhook received it (after it arrived). */
async function received(detailType: string, detail: Record<string, unknown>): Promise<EventEnvelope> {
  const matches = (envelope: EventEnvelope) =>
    envelope['detail-type'] === detailType && Object.entries(detail).every(([key, value]) => detailOf(envelope)[key] === value);
  const published = await events.waitFor(matches);
  await events.settled();
  const delivered = webhook.requests.find((request) => request.body.id === published.envelope.id);
  expect(delivered, `${detailType} reached the webhook`).toBeDefined();
  expect(delivered!.headers['x-api-key']).toBe(API_KEY);
  expect(delivered!.headers['content-type']).toBe('application/json');
  expect(delivered!.body).toEqual(published.envelope);
  expect(EVENT_DETAILS[detailType as keyof typeof EVENT_DETAILS].safeParse(delivered!.body.detail).success).toBe(true);
  return delivered!.body as EventEnvelope;
}

/** One more session for a person who is signed in already; its id. */
async function anotherSession(facebookUserId: string): Promise<string> {
  const sessionInfoToken = stack.graphEmulator().mintSessionInfoToken(stack.appId, facebookUserId);
  const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken } });
  expect(response.status).toBe(201);
  secretsSeen.push(sessionInfoToken, response.json.sessionToken);
  return (response.json.sessionToken as string).split('.')[1]!;
}

/** The ending events (Session Ended / Session Revoked) published so far for each session. */
function endingsOf(sessionIds: readonly string[]): Record<string, string[]> {
  const endings = events.recent().filter((e) => ['Session Ended', 'Session Revoked'].includes(e.envelope['detail-type']));
  return Object.fromEntries(sessionIds.map((id) => [id, endings.filter((e) => detailOf(e.envelope).sessionId === id).map((e) => e.envelope['detail-type'])]));
}

describe('events from the table stream', () => {
  it('Session Opened: a sign-in, in the EventBridge envelope', async () => {
    const ada = await signIn('Ada');
    const event = await received('Session Opened', { sessionId: ada.sessionId });
    expect(event).toEqual({
      version: '0',
      id: event.detail.eventId,
      'detail-type': 'Session Opened',
      source: 'session-guard',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: expect.any(String),
      resources: [],
      detail: {
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        sessionId: ada.sessionId,
        userId: ada.userId,
        facebookUserId: ada.facebookUserId,
        via: 'mobile',
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    });
  });

  it('Session Ended: the person signs out (and a second sign-out says nothing more)', async () => {
    const bob = await signIn('Bob');
    const signOut = () => stack.request('DELETE', '/v1/sessions/current', { headers: { authorization: `Bearer ${bob.sessionToken}` } });
    expect((await signOut()).status).toBe(204);
    const event = await received('Session Ended', { sessionId: bob.sessionId });
    expect(event.detail).toEqual({ eventId: event.id, sessionId: bob.sessionId, userId: bob.userId, endedAt: expect.any(String) });
    expect((await signOut()).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.recent().filter((e) => e.envelope['detail-type'] === 'Session Ended' && detailOf(e.envelope).sessionId === bob.sessionId)).toHaveLength(1);
  });

  it('Session Ended from the list of sessions: one per session ended, one by one or everywhere else; ending one again says nothing more', async () => {
    const eve = await signIn('Eve');
    const [second, third] = [await anotherSession(eve.facebookUserId), await anotherSession(eve.facebookUserId)];
    const asEve = { headers: { authorization: `Bearer ${eve.sessionToken}` } };
    expect((await stack.request('DELETE', `/v1/sessions/${second}`, asEve)).status).toBe(204);
    expect((await stack.request('DELETE', '/v1/sessions?keepCurrent=true', asEve)).json).toEqual({ ended: 1, keptCurrent: true });
    expect((await stack.request('DELETE', `/v1/sessions/${second}`, asEve)).status).toBe(404);
    for (const sessionId of [second, third]) {
      const event = await received('Session Ended', { sessionId });
      expect(event.detail).toEqual({ eventId: event.id, sessionId, userId: eve.userId, endedAt: expect.any(String) });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endingsOf([eve.sessionId, second, third])).toEqual({ [eve.sessionId]: [], [second]: ['Session Ended'], [third]: ['Session Ended'] });
  });

  it('Session Revoked with the operator reason: ending a session (ended_by_operator) and offboarding (offboarded) through the admin API', async () => {
    const fay = await signIn('Fay');
    const second = await anotherSession(fay.facebookUserId);
    const admin = new AdminClient({ baseUrl: stack.adminUrl, region: 'us-east-1', credentials: stack.operatorKey });
    expect((await admin.request('DELETE', `/admin/v1/sessions/${second}`)).status).toBe(204);
    expect((await admin.request('POST', `/admin/v1/users/${fay.userId}/offboard`)).status).toBe(200);
    expect((await received('Session Revoked', { sessionId: second })).detail).toMatchObject({ userId: fay.userId, facebookUserId: fay.facebookUserId, reason: 'ended_by_operator' });
    expect((await received('Session Revoked', { sessionId: fay.sessionId })).detail).toMatchObject({ userId: fay.userId, reason: 'offboarded' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endingsOf([fay.sessionId, second])).toEqual({ [fay.sessionId]: ['Session Revoked'], [second]: ['Session Revoked'] });
  });

  it('Session Revoked: the sweep revokes a session whose Facebook session ended', async () => {
    const cy = await signIn('Cy');
    stack.graphEmulator().endFacebookSession(cy.facebookUserId, 'password_changed');
    const summary = await stack.revalidate();
    expect(summary.revokedByReason.password_changed).toBeGreaterThanOrEqual(1);
    const event = await received('Session Revoked', { sessionId: cy.sessionId });
    expect(event.detail).toEqual({
      eventId: event.id,
      sessionId: cy.sessionId,
      userId: cy.userId,
      facebookUserId: cy.facebookUserId,
      reason: 'password_changed',
      revokedAt: expect.any(String),
    });
  });

  it('Person Removed App and a Session Revoked (app_removed) per session: the deauthorize callback; a repeat adds nothing', async () => {
    const dee = await signIn('Dee');
    const secondToken = stack.graphEmulator().mintSessionInfoToken(stack.appId, dee.facebookUserId);
    const second = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: secondToken } });
    secretsSeen.push(secondToken, second.json.sessionToken);
    const issuedAt = Math.floor(Date.now() / 1000);
    expect((await callback('/v1/facebook/deauthorize', dee.facebookUserId, { issued_at: issuedAt })).status).toBe(200);

    const removed = await received('Person Removed App', { userId: dee.userId });
    expect(removed.detail).toEqual({ eventId: removed.id, userId: dee.userId, facebookUserId: dee.facebookUserId, at: new Date(issuedAt * 1000).toISOString() });
    for (const sessionId of [dee.sessionId, second.json.sessionToken.split('.')[1]]) {
      expect((await received('Session Revoked', { sessionId })).detail).toMatchObject({ reason: 'app_removed', userId: dee.userId });
    }
    expect((await callback('/v1/facebook/deauthorize', dee.facebookUserId, { issued_at: issuedAt })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.recent().filter((e) => e.envelope['detail-type'] === 'Person Removed App' && detailOf(e.envelope).userId === dee.userId)).toHaveLength(1);
  });

  it('Person Data Deletion Requested: the ids travel in the event while the record at rest names no one', async () => {
    const eve = await signIn('Eve');
    const response = await callback('/v1/facebook/data-deletion', eve.facebookUserId);
    expect(response.status).toBe(200);
    const code = response.json.confirmation_code as string;
    const event = await received('Person Data Deletion Requested', { confirmationCode: code });
    expect(event.detail).toEqual({ eventId: event.id, userId: eve.userId, facebookUserId: eve.facebookUserId, confirmationCode: code, at: expect.any(String) });
    const record = await stack.getItem(`DELETION#${code}`, 'DELETION');
    expect(record).toMatchObject({ status: 'completed' });
    expect(JSON.stringify(record)).not.toContain(eve.userId);
    expect(JSON.stringify(record)).not.toContain(eve.facebookUserId);
    // Nothing is left of the person in the table, the sign-out outbox included.
    const left = (await stack.scanTable()).filter((item) => JSON.stringify(item).includes(eve.userId) || JSON.stringify(item).includes(eve.facebookUserId));
    expect(left).toEqual([]);
  });

  it('Person Reauthenticated: a later authTime on a live session (what re-authentication writes)', async () => {
    const fay = await signIn('Fay');
    const session = await stack.getItem(`SESSION#${fay.sessionId}`, 'SESSION');
    const authTime = (session!.authTime as number) + 60_000;
    await stack.updateItem(`SESSION#${fay.sessionId}`, 'SESSION', { authTime });
    const event = await received('Person Reauthenticated', { sessionId: fay.sessionId });
    expect(event.detail).toEqual({ eventId: event.id, sessionId: fay.sessionId, userId: fay.userId, facebookUserId: fay.facebookUserId, authTime: new Date(authTime).toISOString() });
  });
});

describe('no event lost, none invented', () => {
  it('a sign-in whose function dies right after its write still gets its Session Opened', async () => {
    const deps = await createSignInDependencies(readConfig(signInEnv));
    const doc = createDocumentClient();
    const dying = new (class extends SessionStore {
      override async createSession(plan: CreateSessionPlan) {
        await super.createSession(plan);
        throw new Error('the function died right after its write');
      }
    })(doc, stack.tableName);
    const user = stack.graphEmulator().createTestUser(stack.appId, { name: 'Gus' });
    const token = stack.graphEmulator().mintSessionInfoToken(stack.appId, user.id);
    secretsSeen.push(token);
    await expect(signInWithSessionInfoToken({ ...deps.sessions, store: dying }, token)).rejects.toThrow(/died/);
    const event = await received('Session Opened', { facebookUserId: user.id });
    const stored = await stack.getItem(`SESSION#${detailOf(event).sessionId}`, 'SESSION');
    expect(stored).toMatchObject({ status: 'active', userId: event.detail.userId });
  });

  it('a data deletion whose function dies right after completing still gets its event', async () => {
    const hal = await signIn('Hal');
    const dying = new (class extends PersonDataStore {
      override async completeDataDeletion(...args: Parameters<PersonDataStore['completeDataDeletion']>): Promise<DataDeletionRecord> {
        await super.completeDataDeletion(...args);
        throw new Error('the function died right after its write');
      }
    })(createDocumentClient(), stack.tableName);
    const code = 'HALDIESAFTERWRITE2345672';
    const deps = { sessions: new SessionStore(createDocumentClient(), stack.tableName), personData: dying, recordRetentionMs: 86_400_000 };
    await expect(deletePersonData(deps, hal.facebookUserId, code)).rejects.toThrow(/died/);
    expect((await received('Person Data Deletion Requested', { confirmationCode: code })).detail).toMatchObject({ userId: hal.userId, facebookUserId: hal.facebookUserId });
  });

  it('a sign-in that fails before writing makes no event', async () => {
    const before = events.recent().length;
    const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: 'not-a-token-facebook-knows' } });
    expect(response.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.recent().length).toBe(before);
  });
});

describe('delivery', () => {
  it('retries a failing webhook, then dead-letters the event; the change stays in the table', async () => {
    webhook.answer = (body) => (body['detail-type'] === 'Session Opened' ? 503 : 200);
    const ivy = await signIn('Ivy');
    const published = await events.waitFor((e) => e['detail-type'] === 'Session Opened' && detailOf(e).sessionId === ivy.sessionId);
    await events.settled();
    const tries = webhook.requests.filter((request) => request.body.id === published.envelope.id);
    expect(tries).toHaveLength(3);
    expect(published.delivery).toEqual({ status: 'dead_lettered', attempts: 3, lastError: 'HTTP 503' });
    expect(events.deadLetters().map((e) => e.envelope.id)).toContain(published.envelope.id);
    const listed = await stack.request('GET', '/_local/events');
    expect(listed.json.deadLetters.map((e: { id: string }) => e.id)).toContain(published.envelope.id);
    expect(await stack.getItem(`SESSION#${ivy.sessionId}`, 'SESSION')).toMatchObject({ status: 'active' });
  });

  it('delivers at least once: a retried delivery and a replayed stream repeat the same id, which a receiver drops', async () => {
    const answered = new Set<string>();
    webhook.answer = (body) => {
      // Fails the first try of each event (as a receiver that timed out after acting would).
      if (answered.has(body.id)) return 200;
      answered.add(body.id);
      return 500;
    };
    const jo = await signIn('Jo');
    const first = await events.waitFor((e) => e['detail-type'] === 'Session Opened' && detailOf(e).sessionId === jo.sessionId);
    await events.settled();
    const copies = webhook.requests.filter((request) => request.body.id === first.envelope.id);
    expect(copies).toHaveLength(2);
    expect(copies[1]!.body).toEqual(copies[0]!.body);

    webhook.answer = () => 200;
    const before = events.recent().length;
    events.replay();
    await expect.poll(() => events.recent().filter((e) => e.envelope.id === first.envelope.id).length, { timeout: 10_000 }).toBe(2);
    expect(events.recent().length).toBeGreaterThan(before);
    await events.settled();
    // A receiver that keeps the ids it has handled acts once per change.
    const handled = new Set(webhook.requests.map((request) => request.body.id));
    const byChange = new Set(webhook.requests.map((request) => `${request.body['detail-type']}/${JSON.stringify(request.body.detail)}`));
    expect(handled.size).toBe(byChange.size);
  });

  it('never carries a token, a token hash, a sealed value or the app secret', async () => {
    await events.settled();
    const bodies = JSON.stringify(webhook.requests.map((request) => request.body));
    expect(webhook.requests.length).toBeGreaterThan(10);
    const items = await stack.scanTable();
    const stored = items.flatMap((item) => [item.tokenHash, item.sealedToken, item.sessionInfoTokenHash]).filter((value): value is string => typeof value === 'string');
    for (const secret of [...secretsSeen, ...stored, stack.appSecret]) expect(bodies).not.toContain(secret);
    expect(bodies).not.toMatch(/"[0-9a-f]{64}"/);
  });
});
