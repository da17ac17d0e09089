import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConcurrentUpdateError, PersonChangedError } from '#commons/platform/errors';
import type { NewSession, User } from '#commons/sessions/model';
import { SWEEP_SHARD_COUNT } from '#commons/storage/schema';
import { SessionStore } from '#commons/storage/session-store';

const TABLE = 'session-guard-test';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 250);
const DAY = 24 * 3600 * 1000;

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const store = new SessionStore(doc, TABLE, () => NOW);

beforeEach(() => {
  ddb.reset();
});

const newSession = (overrides: Partial<NewSession> = {}): NewSession => ({
  id: 'ses_AAAAAAAAAAAAAAAAAAAAAA',
  userId: 'usr_BBBBBBBBBBBBBBBBBBBBBB',
  facebookUserId: '10150000000000001',
  tokenHash: 'a'.repeat(64),
  createdAt: NOW,
  expiresAt: NOW + 30 * DAY + 1, // deliberately not on a whole second
  authTime: NOW - 60_000,
  sealedToken: 'v1.wrapped.iv.body',
  sessionInfoTokenHash: 'b'.repeat(64),
  ...overrides,
});

const newUser: User = { id: 'usr_BBBBBBBBBBBBBBBBBBBBBB', facebookUserId: '10150000000000001', createdAt: NOW };

function transactItems(call = 0): NonNullable<TransactWriteCommandInput['TransactItems']> {
  const calls = ddb.commandCalls(TransactWriteCommand);
  expect(calls.length).toBeGreaterThan(call);
  return calls[call]!.args[0].input.TransactItems!;
}

const conditionFailed = (reasons: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.join(', ')}]`,
    $metadata: {},
    CancellationReasons: reasons.map((Code) => ({ Code })),
  });
describe('SessionStore.createSession', () => {
  it('writes FBUSER, USER, the token lock and the session in one transaction for a new person', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const session = newSession();
    await store.createSession({ session, newUser });

    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const items = transactItems();
    expect(items).toHaveLength(4);
    expect(items[0]).toEqual({
      Put: {
        TableName: TABLE,
        Item: { pk: 'FBUSER#10150000000000001', sk: 'FBUSER', entity: 'facebookUser', userId: newUser.id, createdAt: NOW, linkVersion: 0 },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    expect(items[1]).toEqual({
      Put: {
        TableName: TABLE,
        Item: { pk: `USER#${newUser.id}`, sk: 'USER', entity: 'user', userId: newUser.id, facebookUserId: newUser.facebookUserId, createdAt: NOW },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    expect(items[2]).toEqual({
      Put: {
        TableName: TABLE,
        Item: { pk: `SITOKEN#${'b'.repeat(64)}`, sk: 'SITOKEN', entity: 'sessionInfoTokenLock', sessionId: session.id, ttl: Math.ceil(session.expiresAt / 1000) },
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': Math.ceil(NOW / 1000) },
      },
    });
    const sessionPut = items[3]!.Put!;
    expect(sessionPut.TableName).toBe(TABLE);
    expect(sessionPut.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(sessionPut.Item).toEqual({
      pk: `SESSION#${session.id}`,
      sk: 'SESSION',
      userPk: `USER#${session.userId}`,
      userSk: `SESSION#2025-01-15T12:00:00.250Z#${session.id}`,
      sweepShard: expect.stringMatching(/^\d{2}$/),
      sweepKey: session.id,
      entity: 'session',
      sessionId: session.id,
      userId: session.userId,
      facebookUserId: session.facebookUserId,
      tokenHash: session.tokenHash,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      authTime: session.authTime,
      status: 'active',
      sealedToken: session.sealedToken,
      sessionInfoTokenHash: session.sessionInfoTokenHash,
      ttl: Math.ceil(session.expiresAt / 1000),
    });
  });

  it('sets ttl in epoch seconds (ceil of expiresAt / 1000), not milliseconds', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const session = newSession({ expiresAt: 1_800_000_000_001 });
    await store.createSession({ session });
    const items = transactItems();
    expect(items.at(-1)!.Put!.Item!.ttl).toBe(1_800_000_001);
    expect(items.find((i) => i.Put?.Item?.entity === 'sessionInfoTokenLock')!.Put!.Item!.ttl).toBe(1_800_000_001);
  });

  it('writes only the token lock and the session for a person it already knows', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.createSession({ session: newSession() });
    const items = transactItems();
    expect(items).toHaveLength(2);
    expect(items.map((i) => i.Put?.Item?.pk)).toEqual([`SITOKEN#${'b'.repeat(64)}`, 'SESSION#ses_AAAAAAAAAAAAAAAAAAAAAA']);
    expect(items.some((i) => String(i.Put?.Item?.pk).startsWith('USER#') || String(i.Put?.Item?.pk).startsWith('FBUSER#'))).toBe(false);
  });

  it('replaces the session the token already had: lock conditioned on the previous holder, old session deleted, new one put', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const session = newSession();
    await store.createSession({ session, newUser, replacesSessionId: 'ses_previous' });
    const items = transactItems();
    expect(items).toHaveLength(5);
    expect(items[0]!.Put!.Item!.pk).toBe('FBUSER#10150000000000001');
    expect(items[1]!.Put!.Item!.pk).toBe(`USER#${newUser.id}`);
    expect(items[2]).toEqual({
      Put: {
        TableName: TABLE,
        Item: { pk: `SITOKEN#${'b'.repeat(64)}`, sk: 'SITOKEN', entity: 'sessionInfoTokenLock', sessionId: session.id, ttl: Math.ceil(session.expiresAt / 1000) },
        ConditionExpression: 'sessionId = :previous',
        ExpressionAttributeValues: { ':previous': 'ses_previous' },
      },
    });
    // Only a live session is replaced: a revocation racing this sign-in keeps its record.
    expect(items[3]).toEqual({
      Delete: {
        TableName: TABLE,
        Key: { pk: 'SESSION#ses_previous', sk: 'SESSION' },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :live',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':live': 'active' },
      },
    });
    expect(items[4]!.Put!.Item!.pk).toBe(`SESSION#${session.id}`);
    expect(items[4]!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('spreads sessions over two-digit sweep shards 00..63', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    for (let i = 0; i < 400; i++) await store.createSession({ session: newSession() });
    const shards = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!.at(-1)!.Put!.Item!.sweepShard as string);
    expect(shards).toHaveLength(400);
    for (const shard of shards) {
      expect(shard).toMatch(/^\d{2}$/);
      expect(Number(shard)).toBeGreaterThanOrEqual(0);
      expect(Number(shard)).toBeLessThan(SWEEP_SHARD_COUNT);
    }
    expect(SWEEP_SHARD_COUNT).toBe(64);
    // 400 draws from 64 shards: more than one shard used, and single digits are zero-padded.
    expect(new Set(shards).size).toBeGreaterThan(20);
    expect(shards.some((s) => s.startsWith('0'))).toBe(true);
  });

  it('turns a cancelled transaction with ConditionalCheckFailed into ConcurrentUpdateError, keeping the cause', async () => {
    const cancelled = conditionFailed(['None', 'ConditionalCheckFailed']);
    ddb.on(TransactWriteCommand).rejects(cancelled);
    const error = await store.createSession({ session: newSession(), newUser }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentUpdateError);
    expect((error as Error).cause).toBe(cancelled);
  });

  it("checks, in the same transaction, that a known person's link is still the version it read", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.createSession({ session: newSession(), knownUser: { ...newUser, linkVersion: 2 } });
    expect(transactItems()[0]).toEqual({
      ConditionCheck: {
        TableName: TABLE,
        Key: { pk: 'FBUSER#10150000000000001', sk: 'FBUSER' },
        ConditionExpression: 'userId = :linkUserId AND linkVersion = :linkVersion AND attribute_not_exists(deletingSince)',
        ExpressionAttributeValues: { ':linkUserId': newUser.id, ':linkVersion': 2 },
      },
    });
  });

  it('answers PersonChangedError when that link check fails (an app removal or a deletion began)', async () => {
    ddb.on(TransactWriteCommand).rejects(conditionFailed(['ConditionalCheckFailed', 'None', 'None']));
    const error = await store.createSession({ session: newSession(), knownUser: { ...newUser, linkVersion: 0 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonChangedError);
    // A new person's link taken by a racing sign-in is a plain race: nothing to ask Facebook again.
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(conditionFailed(['ConditionalCheckFailed', 'None', 'None', 'None']));
    const race = await store.createSession({ session: newSession(), newUser }).catch((e: unknown) => e);
    expect(race).toBeInstanceOf(ConcurrentUpdateError);
    expect(race).not.toBeInstanceOf(PersonChangedError);
  });

  it('takes the lock over from a session revoked meanwhile without deleting its revocation record', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(conditionFailed(['None', 'ConditionalCheckFailed', 'None'])).resolves({});
    await store.createSession({ session: newSession(), replacesSessionId: 'ses_previous' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    const retry = transactItems(1);
    expect(retry.map((item) => Object.keys(item)[0])).toEqual(['Put', 'Put']);
    expect(retry[0]!.Put!.ConditionExpression).toBe('sessionId = :previous');
  });

  it('lets a transaction cancelled for another reason pass through unchanged', async () => {
    const cancelled = conditionFailed(['None', 'TransactionConflict']);
    ddb.on(TransactWriteCommand).rejects(cancelled);
    await expect(store.createSession({ session: newSession() })).rejects.toBe(cancelled);
  });

  it('lets other DynamoDB errors pass through unchanged', async () => {
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
    ddb.on(TransactWriteCommand).rejects(throttled);
    await expect(store.createSession({ session: newSession() })).rejects.toBe(throttled);
  });
});

