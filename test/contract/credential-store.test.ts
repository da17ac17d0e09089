import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewCredential } from '#commons/inventory/model';
import { CredentialExistsError } from '#commons/inventory/ports';
import { CredentialStore } from '#commons/storage/credential-store';
import { type ContractTable, startContractTable } from '#test/support/contract-table';

/** CredentialStore against DynamoDB Local: the inventory items as stored, and its state changes. */
let table: ContractTable;
let store: CredentialStore;

beforeAll(async () => {
  table = await startContractTable();
  store = new CredentialStore(table.doc, table.tableName);
});
afterAll(async () => table?.close());

const entry = (label: string, owner = 'ops@example.com'): NewCredential => ({
  label,
  kind: 'system_user',
  owner,
  purpose: 'sync',
  expectedScopes: ['ads_read'],
  expectedAssets: [],
  secretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${label}-AbCdEf`,
});

describe('CredentialStore on DynamoDB Local', () => {
  it('registers an entry once, in the inventory partition, and lists it', async () => {
    await store.register(entry('one'), 1000);
    await expect(store.register(entry('one'), 2000)).rejects.toBeInstanceOf(CredentialExistsError);
    expect(await table.getItem({ pk: 'INVENTORY', sk: 'CREDENTIAL#one' })).toMatchObject({ status: 'active', createdAt: 1000, secretArn: entry('one').secretArn });
    expect((await store.list()).map((c) => c.label)).toContain('one');
  });

  it('records a check with its flags, and closes a pending entry only once', async () => {
    await store.register(entry('two'), 1000);
    const check = { checkedAt: 3000, isValid: true, type: 'SYSTEM_USER', expiresAt: 0, scopes: ['ads_read'], assets: ['1'] };
    await store.recordCheck('two', { check, flags: ['assets_beyond_expected'] });
    expect(await store.get('two')).toMatchObject({ lastCheck: check, flags: ['assets_beyond_expected'], status: 'active' });

    expect(await store.markRevokePending('two', 4000)).toBe(true);
    expect(await store.markRevokePending('two', 5000)).toBe(false);
    await store.recordCheck('two', { check: { ...check, isValid: false }, flags: [], close: { how: 'facebook_invalid', at: 6000 } });
    expect(await store.get('two')).toMatchObject({ status: 'revoked', revokePendingSince: 4000, revokedAt: 6000, revokedHow: 'facebook_invalid' });
    // A later close does not reopen or restamp it.
    await store.recordCheck('two', { flags: [], close: { how: 'facebook_invalid', at: 7000 } });
    await store.close('two', 'graph_revoked', 8000);
    expect(await store.get('two')).toMatchObject({ revokedAt: 6000, revokedHow: 'facebook_invalid' });
  });

  it('keeps offboarded owners (the first offboarding) and the latest three run starts', async () => {
    await store.recordOffboardedOwner({ owner: 'bob@example.com', at: 1, by: 'op' });
    await store.recordOffboardedOwner({ owner: 'bob@example.com', at: 2, by: 'other' });
    expect(await store.offboardedOwners()).toEqual(new Set(['bob@example.com']));
    expect(await table.getItem({ pk: 'INVENTORY', sk: 'OFFBOARDED#bob@example.com' })).toMatchObject({ at: 1, by: 'op' });
    for (const start of [10, 20, 30, 40]) await store.recordRun(start);
    expect(await store.recentRuns()).toEqual([40, 30, 20]);
  });
});
