import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SessionStore } from '#commons/storage/session-store';
import { toEpochSeconds } from '#commons/storage/ttl';

const TABLE = 'session-guard-test';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 250);
const DAY = 24 * 3600 * 1000;

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const store = new SessionStore(doc, TABLE, () => NOW);

beforeEach(() => {
  ddb.reset();
});

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
describe('SessionStore.getUserByFacebookId', () => {
  it('reads FBUSER#<id> / FBUSER with a consistent read and maps it to a user', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'FBUSER#42', sk: 'FBUSER', entity: 'facebookUser', userId: 'usr_x', createdAt: 123 } });
    await expect(store.getUserByFacebookId('42')).resolves.toEqual({ id: 'usr_x', facebookUserId: '42', createdAt: 123, linkVersion: 0 });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'FBUSER#42', sk: 'FBUSER' },
      ConsistentRead: true,
    });
  });

  it('returns undefined for a person it has never seen', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(store.getUserByFacebookId('42')).resolves.toBeUndefined();
  });
});

describe('SessionStore.getSessionIdForSessionInfoToken', () => {
  it('reads SITOKEN#<hash> / SITOKEN with a consistent read and returns the session holding it', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'SITOKEN#h', sk: 'SITOKEN', sessionId: 'ses_holder', ttl: toEpochSeconds(NOW) + 60 } });
    await expect(store.getSessionIdForSessionInfoToken('h')).resolves.toBe('ses_holder');
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'SITOKEN#h', sk: 'SITOKEN' },
      ConsistentRead: true,
    });
  });

  it('ignores a lock whose TTL has passed but that DynamoDB has not deleted yet', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'SITOKEN#h', sk: 'SITOKEN', sessionId: 'ses_old', ttl: Math.floor(NOW / 1000) - 1 } });
    await expect(store.getSessionIdForSessionInfoToken('h')).resolves.toBeUndefined();
  });

  it('treats a lock whose TTL second is exactly now as expired', async () => {
    const clockOnTheSecond = new SessionStore(doc, TABLE, () => 1_700_000_000_000);
    ddb.on(GetCommand).resolves({ Item: { sessionId: 'ses_old', ttl: 1_700_000_000 } });
    await expect(clockOnTheSecond.getSessionIdForSessionInfoToken('h')).resolves.toBeUndefined();
  });

  it('returns undefined when there is no lock', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(store.getSessionIdForSessionInfoToken('h')).resolves.toBeUndefined();
  });
});

describe('SessionStore.getSession', () => {
  const item = (overrides: Record<string, unknown> = {}) => ({
    pk: 'SESSION#ses_1',
    sk: 'SESSION',
    sessionId: 'ses_1',
    userId: 'usr_1',
    facebookUserId: '42',
    tokenHash: 'c'.repeat(64),
    createdAt: NOW - DAY,
    expiresAt: NOW + DAY,
    authTime: NOW - 2 * DAY,
    status: 'active',
    ttl: toEpochSeconds(NOW + DAY),
    ...overrides,
  });

  it('reads SESSION#<id> / SESSION consistently, projecting only the fields the domain needs', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    await store.getSession('ses_1');
    const input = ddb.commandCalls(GetCommand)[0]!.args[0].input;
    expect(input.TableName).toBe(TABLE);
    expect(input.Key).toEqual({ pk: 'SESSION#ses_1', sk: 'SESSION' });
    expect(input.ConsistentRead).toBe(true);
    expect(input.ProjectionExpression).not.toMatch(/sealedToken/);
  });

  it('maps a live session without storage keys or TTL', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    await expect(store.getSession('ses_1')).resolves.toStrictEqual({
      id: 'ses_1',
      userId: 'usr_1',
      facebookUserId: '42',
      tokenHash: 'c'.repeat(64),
      createdAt: NOW - DAY,
      expiresAt: NOW + DAY,
      authTime: NOW - 2 * DAY,
      status: 'active',
    });
  });

  it('treats a session past its expiresAt as absent even though DynamoDB still returns it (lazy TTL)', async () => {
    ddb.on(GetCommand).resolves({ Item: item({ expiresAt: NOW - 1, ttl: toEpochSeconds(NOW - 1) }) });
    await expect(store.getSession('ses_1')).resolves.toBeUndefined();
  });

  it('treats a session expiring exactly now as absent', async () => {
    ddb.on(GetCommand).resolves({ Item: item({ expiresAt: NOW }) });
    await expect(store.getSession('ses_1')).resolves.toBeUndefined();
  });

  it('keeps a revoked session visible, with its reason, until its ttl', async () => {
    ddb.on(GetCommand).resolves({
      Item: item({ status: 'revoked', revokedReason: 'password_changed', revokedAt: NOW - 1000, expiresAt: NOW - DAY, ttl: toEpochSeconds(NOW) + 3600 }),
    });
    await expect(store.getSession('ses_1')).resolves.toMatchObject({ status: 'revoked', revokedReason: 'password_changed', revokedAt: NOW - 1000 });
  });

  it('hides a revoked session once its ttl has passed', async () => {
    ddb.on(GetCommand).resolves({
      Item: item({ status: 'revoked', revokedReason: 'logged_out', revokedAt: NOW - DAY, expiresAt: NOW + DAY, ttl: Math.floor(NOW / 1000) - 1 }),
    });
    await expect(store.getSession('ses_1')).resolves.toBeUndefined();
  });

  it('returns undefined for a session that does not exist', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(store.getSession('ses_1')).resolves.toBeUndefined();
  });
});

describe('SessionStore.deleteSession', () => {
  const endSession = {
    Delete: {
      TableName: TABLE,
      Key: { pk: 'SESSION#ses_1', sk: 'SESSION' },
      ConditionExpression: '#status = :active',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':active': 'active' },
    },
  };
  const endedOutbox = {
    Put: {
      TableName: TABLE,
      Item: { pk: 'ENDED#ses_1', sk: 'ENDED', entity: 'sessionEnded', sessionId: 'ses_1', userId: 'usr_1', endedAt: NOW, ttl: toEpochSeconds(NOW + 24 * 3600 * 1000) },
    },
  };

  it('deletes the session, writes its Session Ended outbox item and releases its token lock in one transaction, conditioned on the lock still being ours', async () => {
    ddb.on(GetCommand).resolves({ Item: { userId: 'usr_1', sessionInfoTokenHash: 'd'.repeat(64) } });
    ddb.on(TransactWriteCommand).resolves({});
    await store.deleteSession('ses_1');

    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'SESSION#ses_1', sk: 'SESSION' },
      ConsistentRead: true,
      ProjectionExpression: 'userId, sessionInfoTokenHash',
    });
    expect(transactItems()).toEqual([
      endSession,
      endedOutbox,
      {
        Delete: {
          TableName: TABLE,
          Key: { pk: `SITOKEN#${'d'.repeat(64)}`, sk: 'SITOKEN' },
          ConditionExpression: 'attribute_not_exists(pk) OR sessionId = :id',
          ExpressionAttributeValues: { ':id': 'ses_1' },
        },
      },
    ]);
  });

  it('ends the session alone (with its outbox item) when the token lock now belongs to another session', async () => {
    ddb.on(GetCommand).resolves({ Item: { userId: 'usr_1', sessionInfoTokenHash: 'd'.repeat(64) } });
    ddb.on(TransactWriteCommand).rejectsOnce(conditionFailed(['None', 'None', 'ConditionalCheckFailed'])).resolves({});
    await store.deleteSession('ses_1');
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.TransactItems).toEqual([endSession, endedOutbox]);
  });

  it('writes nothing more when the session was revoked meanwhile (its record stays, no Session Ended)', async () => {
    ddb.on(GetCommand).resolves({ Item: { userId: 'usr_1', sessionInfoTokenHash: 'd'.repeat(64) } });
    ddb.on(TransactWriteCommand).rejects(conditionFailed(['ConditionalCheckFailed', 'None', 'None']));
    await store.deleteSession('ses_1');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('does not retry without the lock when the transaction fails for another reason', async () => {
    const failure = Object.assign(new Error('internal'), { name: 'InternalServerError' });
    ddb.on(GetCommand).resolves({ Item: { userId: 'usr_1', sessionInfoTokenHash: 'd'.repeat(64) } });
    ddb.on(TransactWriteCommand).rejects(failure);
    await expect(store.deleteSession('ses_1')).rejects.toBe(failure);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('ends a session that holds no token lock with the two writes alone, and writes nothing for one already gone', async () => {
    ddb.on(GetCommand).resolvesOnce({ Item: { userId: 'usr_1' } }).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    await store.deleteSession('ses_1');
    expect(transactItems()).toEqual([endSession, endedOutbox]);
    await store.deleteSession('ses_gone');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

