import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { RevocationStore } from '#commons/storage/revocation-store';

const TABLE = 'session-guard-test';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 250);
const RETENTION_MS = 90 * 86_400_000;
const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const store = new RevocationStore(doc, TABLE, { retentionMs: RETENTION_MS }, () => NOW);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => ddb.reset());

describe('RevocationStore.revokeSession', () => {
  it('revokes only an active session: reason and time kept, sealed token and sweep keys removed, TTL set to the retention', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { userId: 'usr_1', sessionInfoTokenHash: 'h' } });
    ddb.on(DeleteCommand).resolves({});
    await expect(store.revokeSession('ses_1', 'password_changed')).resolves.toEqual({ result: 'revoked', userId: 'usr_1' });
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'SESSION#ses_1', sk: 'SESSION' },
      ConditionExpression: 'attribute_exists(pk) AND #status = :active',
      UpdateExpression: 'SET #status = :revoked, revokedReason = :reason, revokedAt = :revokedAt, #ttl = :ttl REMOVE sealedToken, sweepShard, sweepKey',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':active': 'active', ':revoked': 'revoked', ':reason': 'password_changed', ':revokedAt': NOW, ':ttl': Math.ceil((NOW + RETENTION_MS) / 1000) },
      ReturnValues: 'ALL_OLD',
    });
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'SITOKEN#h', sk: 'SITOKEN' },
      ConditionExpression: 'sessionId = :id',
      ExpressionAttributeValues: { ':id': 'ses_1' },
    });
  });

  it('answers not_active, writing nothing more, when the session is not active', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    await expect(store.revokeSession('ses_1', 'expired')).resolves.toEqual({ result: 'not_active' });
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('keeps a token lock that moved on to another session', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { userId: 'usr_1', sessionInfoTokenHash: 'h' } });
    ddb.on(DeleteCommand).rejects(conditionFailed());
    await expect(store.revokeSession('ses_1', 'expired')).resolves.toEqual({ result: 'revoked', userId: 'usr_1' });
  });

  it('lets other storage trouble through', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(store.revokeSession('ses_1', 'expired')).rejects.toThrow('throttled');
  });
});
