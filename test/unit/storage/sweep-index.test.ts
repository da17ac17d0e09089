import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sweepShards } from '#commons/storage/schema';
import { SweepCursorError } from '#commons/storage/sweep-cursor';
import { SweepIndex } from '#commons/storage/sweep-index';

const TABLE = 'session-guard-test';
const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const index = new SweepIndex(doc, TABLE);
const lastKey = { pk: 'SESSION#ses_b', sk: 'SESSION', sweepShard: '07', sweepKey: 'ses_b' };

beforeEach(() => {
  ddb.reset();
});

describe('SweepIndex', () => {
  it('lists the 64 shards 00..63', () => {
    const shards = sweepShards();
    expect(shards).toHaveLength(64);
    expect([shards[0], shards[9], shards[63]]).toEqual(['00', '09', '63']);
  });

  it('queries one shard of the sweep index for the projected attributes only, one page', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [{ sweepKey: 'ses_a', userId: 'usr_a', facebookUserId: '42', sealedToken: 'v1.x', expiresAt: 5, status: 'active' }],
      LastEvaluatedKey: lastKey,
    });
    const page = await index.readPage('07', { limit: 500 });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      IndexName: 'sweep',
      KeyConditionExpression: 'sweepShard = :shard',
      ExpressionAttributeValues: { ':shard': '07' },
      ProjectionExpression: 'sweepKey, userId, facebookUserId, sealedToken, expiresAt, #status',
      ExpressionAttributeNames: { '#status': 'status' },
      Limit: 500,
    });
    expect(page.entries).toEqual([{ sessionId: 'ses_a', userId: 'usr_a', facebookUserId: '42', sealedToken: 'v1.x', expiresAt: 5, status: 'active' }]);
    expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(page.nextCursor).not.toContain('SESSION#');
  });

  it('continues from a cursor as the exact ExclusiveStartKey, and says when the shard ends', async () => {
    ddb.on(QueryCommand).resolvesOnce({ Items: [], LastEvaluatedKey: lastKey }).resolves({ Items: [] });
    const first = await index.readPage('07', { limit: 10 });
    const second = await index.readPage('07', { cursor: first.nextCursor!, limit: 10 });
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(lastKey);
    expect(second.nextCursor).toBeUndefined();
  });

  it('refuses a cursor of another shard, or one that is not a cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: lastKey });
    const { nextCursor } = await index.readPage('07', { limit: 10 });
    await expect(index.readPage('08', { cursor: nextCursor!, limit: 10 })).rejects.toBeInstanceOf(SweepCursorError);
    await expect(index.readPage('07', { cursor: 'not-a-cursor', limit: 10 })).rejects.toBeInstanceOf(SweepCursorError);
    await expect(index.readPage('07', { cursor: Buffer.from('[1,2,3,4]').toString('base64url'), limit: 10 })).rejects.toBeInstanceOf(SweepCursorError);
  });
});
