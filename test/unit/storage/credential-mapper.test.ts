import { describe, expect, it } from 'vitest';
import type { NewCredential } from '#commons/inventory/model';
import { credentialFromItem, credentialItem, runsFromItem } from '#commons/storage/credential-mapper';
import { CorruptItemError } from '#commons/storage/item-fields';

const entry: NewCredential = {
  label: 'ads-sync',
  kind: 'system_user',
  owner: 'ops@example.com',
  purpose: 'nightly ads sync',
  expectedScopes: ['ads_read'],
  expectedAssets: ['1110001'],
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ads-sync-AbCdEf',
};

describe('credential mapper', () => {
  it('writes an entry in the inventory partition, active, with no token anywhere', () => {
    expect(credentialItem(entry, 1000)).toEqual({
      pk: 'INVENTORY',
      sk: 'CREDENTIAL#ads-sync',
      entity: 'credential',
      ...entry,
      status: 'active',
      createdAt: 1000,
      flags: [],
    });
  });

  it('reads an entry back with its last check, and without the storage keys', () => {
    const lastCheck = { checkedAt: 2000, isValid: true, type: 'SYSTEM_USER', expiresAt: 0, scopes: ['ads_read'], assets: ['1110001'] };
    const read = credentialFromItem({ ...credentialItem(entry, 1000), lastCheck, flags: ['no_owner'] });
    expect(read).toStrictEqual({ ...entry, status: 'active', createdAt: 1000, lastCheck, flags: ['no_owner'] });
    expect(read).not.toHaveProperty('pk');
  });

  it('refuses an item with an unknown flag, kind or a malformed check', () => {
    expect(() => credentialFromItem({ ...credentialItem(entry, 1), flags: ['bogus'] })).toThrow(CorruptItemError);
    expect(() => credentialFromItem({ ...credentialItem(entry, 1), kind: 'password' })).toThrow(CorruptItemError);
    expect(() => credentialFromItem({ ...credentialItem(entry, 1), lastCheck: { checkedAt: 'x' } })).toThrow(CorruptItemError);
  });

  it('reads the run starts, newest first, and none before the first run', () => {
    expect(runsFromItem(undefined)).toEqual([]);
    expect(runsFromItem({ runs: [3, 2, 1] })).toEqual([3, 2, 1]);
    expect(() => runsFromItem({ runs: ['3'] })).toThrow(CorruptItemError);
  });
});
