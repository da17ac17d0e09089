import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PersonDataStore } from '#commons/storage/person-data-store';
import { toEpochSeconds } from '#commons/storage/ttl';

const TABLE = 'session-guard-test';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 250);
const DAY = 24 * 3600 * 1000;
const CODE = 'ABCDEFGHIJKLMNOPQRSTUVWX';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const sleeps: number[] = [];
const store = new PersonDataStore(doc, TABLE, () => NOW, {
  maxBatchAttempts: 4,
  sleep: async (ms) => {
    sleeps.push(ms);
  },
});

beforeEach(() => {
  ddb.reset();
  sleeps.length = 0;
});

const conditionFailed = (item?: Record<string, AttributeValue>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(item ? { Item: item } : {}) });

async function collect<T>(generator: AsyncGenerator<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of generator) all.push(item);
  return all;
}

describe('PersonDataStore.sessionPagesOfUser', () => {
  it("queries byUser for the person's sessions page by page, with the lock hash each holds", async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ sessionId: 'ses_1', sessionInfoTokenHash: 'h1' }, { sessionId: 'ses_2' }], LastEvaluatedKey: { pk: 'SESSION#ses_2' } })
      .resolvesOnce({ Items: [{ sessionId: 'ses_3', sessionInfoTokenHash: 'h3' }] });
    const pages = await collect(store.sessionPagesOfUser('usr_x'));
    expect(pages).toEqual([[{ sessionId: 'ses_1', sessionInfoTokenHash: 'h1' }, { sessionId: 'ses_2' }], [{ sessionId: 'ses_3', sessionInfoTokenHash: 'h3' }]]);
    const calls = ddb.commandCalls(QueryCommand);
    expect(calls[0]!.args[0].input).toEqual({
      TableName: TABLE,
      IndexName: 'byUser',
      KeyConditionExpression: 'userPk = :pk AND begins_with(userSk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'USER#usr_x', ':prefix': 'SESSION#' },
      ProjectionExpression: 'sessionId, sessionInfoTokenHash',
      ExclusiveStartKey: undefined,
    });
    expect(calls[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'SESSION#ses_2' });
  });

  it('yields nothing for a person without sessions', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await collect(store.sessionPagesOfUser('usr_x'))).toEqual([]);
  });
});

describe('PersonDataStore.deleteSessions', () => {
  it('deletes each session and its token lock with BatchWriteItem', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    await store.deleteSessions([{ sessionId: 'ses_1', sessionInfoTokenHash: 'h1' }, { sessionId: 'ses_2' }]);
    expect(ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input)).toEqual([
      {
        RequestItems: {
          [TABLE]: [
            { DeleteRequest: { Key: { pk: 'SESSION#ses_1', sk: 'SESSION' } } },
            { DeleteRequest: { Key: { pk: 'SITOKEN#h1', sk: 'SITOKEN' } } },
            { DeleteRequest: { Key: { pk: 'SESSION#ses_2', sk: 'SESSION' } } },
          ],
        },
      },
    ]);
  });

  it('splits many deletes into batches of 25 and never drops the ones past 25', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const sessions = Array.from({ length: 30 }, (_, i) => ({ sessionId: `ses_${i}`, sessionInfoTokenHash: `h${i}` }));
    await store.deleteSessions(sessions);
    const batches = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems![TABLE]!);
    expect(batches.map((b) => b.length)).toEqual([25, 25, 10]);
    const keys = batches.flat().map((r) => r.DeleteRequest!.Key!.pk);
    expect(new Set(keys).size).toBe(60);
  });

  it('sends a key once even when two sessions share a token lock (BatchWriteItem refuses duplicates)', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    await store.deleteSessions([{ sessionId: 'ses_1', sessionInfoTokenHash: 'h' }, { sessionId: 'ses_2', sessionInfoTokenHash: 'h' }]);
    const requests = ddb.commandCalls(BatchWriteCommand)[0]!.args[0].input.RequestItems![TABLE]!;
    expect(requests.map((r) => r.DeleteRequest!.Key!.pk)).toEqual(['SESSION#ses_1', 'SITOKEN#h', 'SESSION#ses_2']);
  });

  it('retries UnprocessedItems with growing backoff until all are done', async () => {
    const leftover = [{ DeleteRequest: { Key: { pk: 'SESSION#ses_2', sk: 'SESSION' } } }];
    ddb.on(BatchWriteCommand).resolvesOnce({ UnprocessedItems: { [TABLE]: leftover } }).resolvesOnce({ UnprocessedItems: { [TABLE]: leftover } }).resolves({});
    await store.deleteSessions([{ sessionId: 'ses_1' }, { sessionId: 'ses_2' }]);
    const calls = ddb.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(3);
    expect(calls[1]!.args[0].input).toEqual({ RequestItems: { [TABLE]: leftover } });
    expect(calls[2]!.args[0].input).toEqual({ RequestItems: { [TABLE]: leftover } });
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThanOrEqual(50);
    expect(sleeps[1]).toBeLessThanOrEqual(100);
  });

  it('fails loudly when items stay unprocessed, instead of reporting them deleted', async () => {
    const leftover = [{ DeleteRequest: { Key: { pk: 'SESSION#ses_1', sk: 'SESSION' } } }];
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: { [TABLE]: leftover } });
    await expect(store.deleteSessions([{ sessionId: 'ses_1' }])).rejects.toThrow(/1 deletes unprocessed after 4 attempts/);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(4);
  });

  it('sends nothing for an empty list', async () => {
    await store.deleteSessions([]);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('PersonDataStore.deleteUser', () => {
  it('deletes the user record, then the Facebook-id link last, and counts what existed', async () => {
    ddb.on(DeleteCommand, { Key: { pk: 'USER#usr_x', sk: 'USER' } }).resolves({ Attributes: { userId: 'usr_x' } });
    ddb.on(DeleteCommand, { Key: { pk: 'FBUSER#42', sk: 'FBUSER' } }).resolves({});
    await expect(store.deleteUser('usr_x', '42')).resolves.toBe(1);
    expect(ddb.commandCalls(DeleteCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: TABLE, Key: { pk: 'USER#usr_x', sk: 'USER' }, ReturnValues: 'ALL_OLD' },
      { TableName: TABLE, Key: { pk: 'FBUSER#42', sk: 'FBUSER' }, ReturnValues: 'ALL_OLD' },
    ]);
  });
});

describe('PersonDataStore data deletion records', () => {
  it('starts a record in_progress under DELETION#<code> naming the person, keeping an existing one as it is', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { status: 'in_progress', requestedAt: NOW, ttl: toEpochSeconds(NOW + 90 * DAY) } });
    await expect(store.startDataDeletion(CODE, 90 * DAY, { facebookUserId: '42', userId: 'usr_x' })).resolves.toEqual({
      confirmationCode: CODE,
      status: 'in_progress',
      requestedAt: NOW,
      expiresAt: toEpochSeconds(NOW + 90 * DAY) * 1000,
    });
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: `DELETION#${CODE}`, sk: 'DELETION' },
      ConditionExpression: 'attribute_not_exists(#status) OR #status = :inProgress',
      UpdateExpression:
        'SET entity = :entity, #status = if_not_exists(#status, :inProgress), requestedAt = if_not_exists(requestedAt, :now), #ttl = if_not_exists(#ttl, :ttl), ' +
        'facebookUserId = if_not_exists(facebookUserId, :facebookUserId), userId = if_not_exists(userId, :userId)',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':entity': 'dataDeletion',
        ':inProgress': 'in_progress',
        ':now': NOW,
        ':ttl': toEpochSeconds(NOW + 90 * DAY),
        ':facebookUserId': '42',
        ':userId': 'usr_x',
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('leaves a completed record untouched (no ids written back) and hands it back from the failed condition', async () => {
    const ttl = toEpochSeconds(NOW + DAY);
    const finished = { status: 'completed', requestedAt: NOW - 5, completedAt: NOW - 1, sessionsDeleted: 1, userRecordsDeleted: 2, ttl };
    ddb.on(UpdateCommand).rejects(conditionFailed(marshall(finished)));
    await expect(store.startDataDeletion(CODE, DAY, { facebookUserId: '42' })).resolves.toMatchObject({ status: 'completed', deleted: { sessions: 1, userRecords: 2 } });
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.UpdateExpression).not.toContain('userId = if_not_exists(userId');
  });

  it('completes a record with its counts, only if it is still in progress', async () => {
    const ttl = toEpochSeconds(NOW + DAY);
    ddb.on(UpdateCommand).resolves({
      Attributes: { status: 'completed', requestedAt: NOW - 5, completedAt: NOW, sessionsDeleted: 3, userRecordsDeleted: 2, ttl },
    });
    await expect(store.completeDataDeletion(CODE, { sessions: 3, userRecords: 2 })).resolves.toEqual({
      confirmationCode: CODE,
      status: 'completed',
      requestedAt: NOW - 5,
      completedAt: NOW,
      deleted: { sessions: 3, userRecords: 2 },
      expiresAt: ttl * 1000,
    });
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: `DELETION#${CODE}`, sk: 'DELETION' },
      ConditionExpression: '#status = :inProgress',
      UpdateExpression:
        'SET #status = :completed, completedAt = :now, sessionsDeleted = :sessions, userRecordsDeleted = :userRecords REMOVE facebookUserId, userId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':inProgress': 'in_progress', ':completed': 'completed', ':now': NOW, ':sessions': 3, ':userRecords': 2 },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('lets a racing duplicate that completed first win, and returns its record from the failed condition', async () => {
    const ttl = toEpochSeconds(NOW + DAY);
    const finished = { status: 'completed', requestedAt: NOW - 5, completedAt: NOW - 1, sessionsDeleted: 3, userRecordsDeleted: 2, ttl };
    ddb.on(UpdateCommand).rejects(conditionFailed(marshall(finished)));
    const record = await store.completeDataDeletion(CODE, { sessions: 0, userRecords: 0 });
    expect(record.deleted).toEqual({ sessions: 3, userRecords: 2 });
    expect(record).toEqual({ confirmationCode: CODE, status: 'completed', requestedAt: NOW - 5, completedAt: NOW - 1, deleted: { sessions: 3, userRecords: 2 }, expiresAt: ttl * 1000 });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('says so when the record it was completing is gone', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    await expect(store.completeDataDeletion(CODE, { sessions: 0, userRecords: 0 })).rejects.toThrow(/vanished/);
  });

  it('reads a record consistently, and treats one past its TTL as gone (TTL deletion is lazy)', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { status: 'in_progress', requestedAt: NOW, ttl: toEpochSeconds(NOW + DAY) } })
      .resolvesOnce({ Item: { status: 'completed', requestedAt: NOW - DAY, ttl: toEpochSeconds(NOW - 1000) } })
      .resolvesOnce({});
    await expect(store.getDataDeletion(CODE)).resolves.toMatchObject({ status: 'in_progress' });
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({ TableName: TABLE, Key: { pk: `DELETION#${CODE}`, sk: 'DELETION' }, ConsistentRead: true });
    await expect(store.getDataDeletion(CODE)).resolves.toBeUndefined();
    await expect(store.getDataDeletion(CODE)).resolves.toBeUndefined();
  });
});
