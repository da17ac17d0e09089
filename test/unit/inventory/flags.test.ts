import { describe, expect, it } from 'vitest';
import { flagsOf } from '#commons/inventory/flags';
import type { CheckResult, Credential } from '#commons/inventory/model';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const settings = { expiringWithinDays: 14, rotationMaxAgeDays: 90, appSecretMaxAgeDays: 365 };
const context = { now: NOW, offboardedOwners: new Set<string>(), previousRunAt: NOW - DAY };
const check = (overrides: Partial<CheckResult> = {}): CheckResult => ({ checkedAt: NOW, isValid: true, expiresAt: 0, scopes: ['ads_read'], assets: ['1'], secretRotatedAt: NOW - DAY, ...overrides });
const credential = (overrides: Partial<Credential> = {}): Credential => ({
  label: 'x',
  kind: 'system_user',
  owner: 'ops@example.com',
  purpose: 'p',
  expectedScopes: ['ads_read'],
  expectedAssets: ['1'],
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
  status: 'active',
  createdAt: NOW - 10 * DAY,
  flags: [],
  lastCheck: check(),
  ...overrides,
});

describe('inventory flags', () => {
  it('flags nothing on a valid token that reaches what it should', () => {
    expect(flagsOf(credential(), settings, context)).toEqual([]);
  });

  it('flags an invalid token as invalid only', () => {
    expect(flagsOf(credential({ lastCheck: check({ isValid: false, scopes: ['ads_management'] }) }), settings, context)).toEqual(['invalid']);
  });

  it('flags a token expiring within the window, and not one expiring after it', () => {
    expect(flagsOf(credential({ lastCheck: check({ expiresAt: (NOW + 13 * DAY) / 1000 }) }), settings, context)).toEqual(['expiring_soon']);
    expect(flagsOf(credential({ lastCheck: check({ expiresAt: (NOW + 15 * DAY) / 1000 }) }), settings, context)).toEqual([]);
  });

  it('flags a never-expiring token older than the rotation age, from its secret, or the entry setting', () => {
    expect(flagsOf(credential({ lastCheck: check({ secretRotatedAt: NOW - 91 * DAY }) }), settings, context)).toEqual(['never_expiring_too_old']);
    expect(flagsOf(credential({ maxAgeDays: 200, lastCheck: check({ secretRotatedAt: NOW - 91 * DAY }) }), settings, context)).toEqual([]);
  });

  it('flags scopes and assets beyond what is expected', () => {
    expect(flagsOf(credential({ lastCheck: check({ scopes: ['ads_read', 'ads_management'], assets: ['1', '2'] }) }), settings, context)).toEqual([
      'scopes_beyond_expected',
      'assets_beyond_expected',
    ]);
  });

  it('flags no owner, and an offboarded owner', () => {
    const { owner: _owner, ...ownerless } = credential();
    expect(flagsOf(ownerless as Credential, settings, context)).toEqual(['no_owner']);
    expect(flagsOf(credential(), settings, { ...context, offboardedOwners: new Set(['ops@example.com']) })).toEqual(['owner_offboarded']);
  });

  it('flags an entry not checked since before the previous run, but not a new one or a first run', () => {
    expect(flagsOf(credential({ lastCheck: check({ checkedAt: NOW - 2 * DAY }) }), settings, context)).toEqual(['not_checked']);
    expect(flagsOf(credential({ createdAt: NOW - DAY / 2, lastCheck: undefined }), settings, context)).toEqual([]);
    expect(flagsOf(credential({ lastCheck: undefined }), settings, { ...context, previousRunAt: undefined })).toEqual([]);
  });

  it('ages the app secret from its last rotation, and flags none on a closed entry', () => {
    const appSecret = credential({ kind: 'app_secret', expectedScopes: [], expectedAssets: [], lastCheck: check({ scopes: [], assets: [], secretRotatedAt: NOW - 366 * DAY }) });
    expect(flagsOf(appSecret, settings, context)).toEqual(['secret_too_old']);
    expect(flagsOf(credential({ status: 'revoked', owner: undefined as never }), settings, context)).toEqual([]);
  });
});
