import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginStateStore } from '#commons/storage/login-state-store';
import type { LoginStateRecord } from '#commons/web-login/ports';
import { type ContractTable, startContractTable } from '#test/support/contract-table';

/** LoginStateStore against DynamoDB Local: the state item as stored, spent once, and why not. */
const T0 = Date.now();
const TEN_MINUTES = 600_000;
let table: ContractTable;
let store: LoginStateStore;
let counter = 0;

beforeAll(async () => {
  table = await startContractTable();
  store = new LoginStateStore(table.doc, table.tableName, () => T0);
});
afterAll(async () => table?.close());

function state(): LoginStateRecord {
  counter += 1;
  return { stateHash: `state_${counter}`, nonceHash: `nonce_${counter}`, codeVerifier: 'v'.repeat(43), returnTo: '/account', createdAt: T0, expiresAt: T0 + TEN_MINUTES };
}

describe('LoginStateStore on DynamoDB Local', () => {
  it('stores the state under its hash with a TTL, and never overwrites one', async () => {
    const record = state();
    await store.putLoginState(record);
    expect(await table.getItem({ pk: `OAUTHSTATE#${record.stateHash}`, sk: 'OAUTHSTATE' })).toEqual({
      pk: `OAUTHSTATE#${record.stateHash}`,
      sk: 'OAUTHSTATE',
      entity: 'loginState',
      nonceHash: record.nonceHash,
      codeVerifier: record.codeVerifier,
      returnTo: '/account',
      createdAt: T0,
      expiresAt: T0 + TEN_MINUTES,
      ttl: Math.ceil((T0 + TEN_MINUTES) / 1000),
    });
    await expect(store.putLoginState({ ...record, returnTo: '/elsewhere' })).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(await table.getItem({ pk: `OAUTHSTATE#${record.stateHash}`, sk: 'OAUTHSTATE' })).toMatchObject({ returnTo: '/account' });
  });

  it('spends a state once, with its nonce, and deletes it', async () => {
    const record = state();
    await store.putLoginState(record);
    await expect(store.consumeLoginState(record.stateHash, record.nonceHash)).resolves.toEqual({ status: 'consumed', record });
    expect(await table.getItem({ pk: `OAUTHSTATE#${record.stateHash}`, sk: 'OAUTHSTATE' })).toBeUndefined();
    await expect(store.consumeLoginState(record.stateHash, record.nonceHash)).resolves.toEqual({ status: 'unknown' });
  });

  it('lets only one of two racing callbacks spend the same state', async () => {
    const record = state();
    await store.putLoginState(record);
    const outcomes = await Promise.all([store.consumeLoginState(record.stateHash, record.nonceHash), store.consumeLoginState(record.stateHash, record.nonceHash)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['consumed', 'unknown']);
  });

  it('leaves a state presented with another nonce, or none, in place for the right browser', async () => {
    const record = state();
    await store.putLoginState(record);
    await expect(store.consumeLoginState(record.stateHash, 'nonce_other')).resolves.toEqual({ status: 'nonce_mismatch' });
    await expect(store.consumeLoginState(record.stateHash, undefined)).resolves.toEqual({ status: 'nonce_mismatch' });
    expect(await table.getItem({ pk: `OAUTHSTATE#${record.stateHash}`, sk: 'OAUTHSTATE' })).toBeDefined();
  });

  it('calls a state past its time expired, reading the failed condition back, and leaves it to TTL', async () => {
    const record = state();
    await store.putLoginState(record);
    const later = new LoginStateStore(table.doc, table.tableName, () => T0 + TEN_MINUTES);
    await expect(later.consumeLoginState(record.stateHash, record.nonceHash)).resolves.toEqual({ status: 'expired' });
    expect(await table.getItem({ pk: `OAUTHSTATE#${record.stateHash}`, sk: 'OAUTHSTATE' })).toBeDefined();
  });
});
