import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LoginStateStore } from '#commons/storage/login-state-store';
import type { LoginStateRecord } from '#commons/web-login/ports';

const TABLE = 'session-guard-test';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 250);
const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const store = new LoginStateStore(doc, TABLE, () => NOW);

const record: LoginStateRecord = {
  stateHash: 's'.repeat(64),
  nonceHash: 'n'.repeat(64),
  codeVerifier: 'v'.repeat(43),
  returnTo: '/account',
  createdAt: NOW,
  expiresAt: NOW + 600_000,
};

beforeEach(() => ddb.reset());

const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});

describe('LoginStateStore.putLoginState', () => {
  it('writes the state under its hash with a TTL, never overwriting', async () => {
    ddb.on(PutCommand).resolves({});
    await store.putLoginState(record);
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: {
        pk: `OAUTHSTATE#${'s'.repeat(64)}`,
        sk: 'OAUTHSTATE',
        entity: 'loginState',
        nonceHash: 'n'.repeat(64),
        codeVerifier: 'v'.repeat(43),
        returnTo: '/account',
        createdAt: NOW,
        expiresAt: NOW + 600_000,
        ttl: Math.ceil((NOW + 600_000) / 1000),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });
});

describe('LoginStateStore.consumeLoginState', () => {
  it('spends the state with one conditional delete: present, this nonce, not expired', async () => {
    ddb.on(DeleteCommand).resolves({ Attributes: { ...record, pk: 'x', sk: 'y', ttl: 1 } });
    await expect(store.consumeLoginState(record.stateHash, record.nonceHash)).resolves.toEqual({ status: 'consumed', record });
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: `OAUTHSTATE#${'s'.repeat(64)}`, sk: 'OAUTHSTATE' },
      ConditionExpression: 'attribute_exists(pk) AND nonceHash = :nonce AND expiresAt > :now',
      ExpressionAttributeValues: { ':nonce': 'n'.repeat(64), ':now': NOW },
      ReturnValues: 'ALL_OLD',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('calls a state that is not there unknown (never issued, or spent already)', async () => {
    ddb.on(DeleteCommand).rejects(conditionFailed());
    await expect(store.consumeLoginState(record.stateHash, record.nonceHash)).resolves.toEqual({ status: 'unknown' });
  });

  it('calls a state past its time expired, even before TTL removes it', async () => {
    ddb.on(DeleteCommand).rejects(conditionFailed({ nonceHash: { S: record.nonceHash }, expiresAt: { N: String(NOW) } }));
    await expect(store.consumeLoginState(record.stateHash, record.nonceHash)).resolves.toEqual({ status: 'expired' });
  });

  it('tells a live state presented with another nonce (or none) apart, and leaves it in place', async () => {
    ddb.on(DeleteCommand).rejects(conditionFailed({ nonceHash: { S: record.nonceHash }, expiresAt: { N: String(NOW + 1000) } }));
    await expect(store.consumeLoginState(record.stateHash, undefined)).resolves.toEqual({ status: 'nonce_mismatch' });
    // With no cookie the condition compares against a value no hash can equal.
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':nonce': '-', ':now': NOW });
  });

  it('lets storage trouble through', async () => {
    ddb.on(DeleteCommand).rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(store.consumeLoginState(record.stateHash, record.nonceHash)).rejects.toThrow('throttled');
  });
});
