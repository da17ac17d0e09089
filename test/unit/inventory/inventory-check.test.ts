import { describe, expect, it } from 'vitest';
import { FLAG_METRICS, type InventoryCheckDeps, runInventoryCheck } from '#commons/inventory/inventory-check';
import { CREDENTIAL_FLAGS, type Credential } from '#commons/inventory/model';
import type { CheckUpdate } from '#commons/inventory/ports';
import { MetricName } from '#commons/platform/metrics';
import { fakeSink } from '#test/support/metrics-sink';

/** The daily check's counts, on fakes: one metric per flag, from the names declared in platform/metrics.ts. */
const APP_ID = '1234567890123456';
const NOW = Date.UTC(2026, 10, 28, 12);
const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;

const entry = (label: string, overrides: Partial<Credential> = {}): Credential => ({
  label,
  kind: 'system_user',
  owner: 'ops@example.com',
  purpose: 'the CRM integration',
  expectedScopes: ['pages_read_engagement'],
  expectedAssets: ['111'],
  secretArn: ARN(label),
  status: 'active',
  createdAt: NOW - 86_400_000,
  flags: [],
  ...overrides,
});

function fakeDeps(credentials: Credential[]) {
  const { sink } = fakeSink();
  const recorded = new Map<string, CheckUpdate>();
  const deps: InventoryCheckDeps = {
    repository: {
      list: async () => credentials,
      offboardedOwners: async () => new Set(['gone@example.com']),
      recentRuns: async () => [],
      recordCheck: async (label, update) => void recorded.set(label, update),
      recordRun: async () => undefined,
      register: async () => { throw new Error('not used'); },
      get: async () => undefined,
      markRevokePending: async () => false,
      close: async () => undefined,
      recordOffboardedOwner: async () => undefined,
    },
    vault: {
      readToken: async (arn) => {
        if (arn === ARN('unreadable')) throw new Error('AccessDeniedException');
        return `token-of-${arn.split(':').pop()}`;
      },
      rotatedAt: async () => NOW - 10 * 86_400_000,
    },
    checker: {
      // Every readable token: valid, never expiring, with one scope and one asset more than expected.
      debugTokens: async (tokens) =>
        tokens.map(() => ({
          kind: 'described' as const,
          token: {
            isValid: true,
            appId: APP_ID,
            userId: '9001',
            type: 'SYSTEM_USER',
            expiresAt: 0,
            scopes: ['pages_read_engagement', 'ads_management'],
            granularScopes: [{ scope: 'pages_read_engagement', targetIds: ['111', '222'] }],
            metadata: {},
          },
        })),
    },
    appId: APP_ID,
    settings: { expiringWithinDays: 14, rotationMaxAgeDays: 90, appSecretMaxAgeDays: 365 },
    metrics: sink,
    log: () => undefined,
    now: () => NOW,
  };
  return { deps, sink, recorded };
}

describe('runInventoryCheck metrics', () => {
  it('emits every flag metric each run, zero included, with the number of entries flagged, and the run counts', async () => {
    const { deps, sink, recorded } = fakeDeps([
      entry('crm'),
      entry('orphan', { owner: undefined }),
      entry('leaver', { owner: 'gone@example.com', status: 'revoke_pending' }),
      entry('unreadable'),
      entry('closed', { status: 'revoked' }),
    ]);
    const report = await runInventoryCheck(deps);
    const emitted = new Map(sink.addMetric.mock.calls.map(([name, unit, value]) => [name, { unit, value }]));

    expect(report).toMatchObject({ entries: 4, checked: 3, uncheckable: 1 });
    expect(recorded.get('orphan')?.flags).toEqual(['scopes_beyond_expected', 'assets_beyond_expected', 'no_owner']);
    const expected: Record<string, number> = {
      [MetricName.InventoryInvalid]: 0,
      [MetricName.InventoryExpiringSoon]: 0,
      [MetricName.InventoryNeverExpiringTooOld]: 0,
      [MetricName.InventorySecretTooOld]: 0,
      [MetricName.InventoryScopesBeyondExpected]: 3,
      [MetricName.InventoryAssetsBeyondExpected]: 3,
      [MetricName.InventoryNoOwner]: 1,
      [MetricName.InventoryOwnerOffboarded]: 1,
      [MetricName.InventoryNotChecked]: 0,
      [MetricName.InventoryChecked]: 3,
      [MetricName.InventoryUncheckable]: 1,
      [MetricName.InventoryRevocationsClosed]: 0,
      [MetricName.InventoryRevokePending]: 1,
    };
    expect(Object.fromEntries([...emitted].map(([name, { value }]) => [name, value]))).toEqual(expected);
    expect([...emitted.values()].every(({ unit }) => unit === 'Count')).toBe(true);
  });

  it('has a metric declared in platform/metrics.ts for every flag, each a different one', () => {
    const names = CREDENTIAL_FLAGS.map((flag) => FLAG_METRICS[flag]);
    expect(new Set(names).size).toBe(CREDENTIAL_FLAGS.length);
    for (const name of names) expect(Object.values(MetricName)).toContain(name);
  });
});
