import { describe, expect, it, vi } from 'vitest';
import { AppUsageGate } from '#commons/revalidation/app-usage-gate';
import type { RevocationReason } from '#commons/sessions/model';
import type { DebugTokenAnswer } from '#commons/facebook/debug-token';
import type { BatchTokenChecker, TokenCheckOutcome } from '#commons/facebook/graph-batch';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError } from '#commons/facebook/graph-transport';
import { logger } from '#commons/platform/logger';
import type { RevocationOutcome } from '#commons/sessions/ports';
import type { SweepEntry } from '#commons/revalidation/ports';
import { FakeIndex } from '#test/support/fake-sweep-index';
import { checkShare, type RevalidationDeps, ShareFailedError, type SweepOptions, sweepIdFor } from '#commons/revalidation/revalidation';
import { revocationReasonFor } from '#commons/revalidation/revocation-reasons';
import type { ShareQueue, ShareSlot, SweepShare } from '#commons/revalidation/sweep-queue';
import { VaultError } from '#commons/crypto/vault';

const NOW = Date.UTC(2025, 0, 15, 12);
const SWEEP = 'sweep-test';

const entry = (n: number, overrides: Partial<SweepEntry> = {}): SweepEntry => ({
  sessionId: `ses_${String(n).padStart(22, '0')}`,
  userId: `usr_${n}`,
  // The Facebook user the answers below describe (`about`).
  facebookUserId: '2',
  sealedToken: `sealed-${n}`,
  expiresAt: NOW + 86_400_000,
  status: 'active',
  ...overrides,
});
const tokenOf = (e: SweepEntry) => `token-of-${e.sessionId}`;
const APP_ID = '1';
const about = { appId: APP_ID, userId: '2', type: 'USER', scopes: [], metadata: {} };
const VALID: DebugTokenAnswer = { kind: 'described', token: { ...about, isValid: true, expiresAt: 0 } };
const dead = (subcode?: number): DebugTokenAnswer => ({ kind: 'described', token: { ...about, isValid: false, error: { code: 190, message: 'dead', ...(subcode ? { subcode } : {}) } } });

class FakeChecker implements BatchTokenChecker {
  appUsagePercent: number | undefined;
  batches: string[][] = [];
  outcomes = new Map<string, TokenCheckOutcome>();
  usageAfterBatch?: (batchNumber: number) => number | undefined;
  async debugTokens(tokens: readonly string[]): Promise<TokenCheckOutcome[]> {
    this.batches.push([...tokens]);
    if (this.usageAfterBatch) this.appUsagePercent = this.usageAfterBatch(this.batches.length);
    return tokens.map((t) => this.outcomes.get(t) ?? VALID);
  }
}

function setup(entries: SweepEntry[], options: Partial<SweepOptions> = {}) {
  const index = new FakeIndex(entries);
  const checker = new FakeChecker();
  const revoked: { sessionId: string; reason: RevocationReason }[] = [];
  const revokeSession = vi.fn(async (sessionId: string, reason: RevocationReason): Promise<RevocationOutcome> => {
    revoked.push({ sessionId, reason });
    return { result: 'revoked', userId: `owner-of-${sessionId}` };
  });
  const open = vi.fn(async (_sealed: string, binding: { sessionId: string; userId: string }) => `token-of-${binding.sessionId}`);
  const sent: SweepShare[] = [];
  const queue: ShareQueue = { send: vi.fn(async (shares: readonly SweepShare[]) => void sent.push(...shares)) };
  const sleep = vi.fn(async () => undefined);
  const deps: RevalidationDeps = {
    index,
    appId: APP_ID,
    revocations: { revokeSession },
    vault: { open },
    checker,
    queue,
    usage: new AppUsageGate({ slowdownPercent: 60, stopPercent: 80 }),
    options: { pageSize: 100, maxPagesPerRun: 10, batchConcurrency: 2, slowdownPauseMs: 1500, timeReserveMs: 30_000, ...options },
    now: () => NOW,
    sleep,
  };
  return { deps, index, checker, revoked, revokeSession, open, sent, queue, sleep };
}

const share = (overrides: Partial<SweepShare> = {}, slot: Partial<ShareSlot> = {}): SweepShare => ({ sweepId: SWEEP, shards: [{ shard: '07', ...slot }], part: 0, ...overrides });
const plenty = { remainingMs: () => 600_000 };

describe('reason for a verdict', () => {
  it.each([
    [460, 'password_changed'],
    [458, 'app_removed'],
    [467, 'logged_out'],
    [463, 'expired'],
    [459, 'checkpointed'],
    [466, 'invalidated'],
    [464, 'unconfirmed_user'],
    [492, 'invalid'],
    [493, 'invalid'],
  ] as const)('subcode %i → %s', (subcode, reason) => {
    expect(revocationReasonFor({ subcode })).toBe(reason);
  });

  it('190 or 102 without a subcode → invalid', () => {
    expect(revocationReasonFor({})).toBe('invalid');
  });
});

describe('naming a sweep', () => {
  it('names the sweep after the schedule event, so the event\'s retries share the name', () => {
    expect(sweepIdFor('2025-01-15T12:00:00Z', 'a1b2c3d4-0000-1111-2222-333344445555')).toBe('sweep-2025-01-15T12:00:00Z-a1b2c3d4');
    expect(sweepIdFor('2025-01-15T12:00:00Z', 'a1b2c3d4-xx')).toBe(sweepIdFor('2025-01-15T12:00:00Z', 'a1b2c3d4-yy'));
  });
});

describe('checking a share', () => {
  it('leaves valid sessions alone: no revocation, no write', async () => {
    const { deps, revokeSession } = setup([entry(1), entry(2), entry(3)]);
    const result = await checkShare(deps, share(), plenty);
    expect(result).toMatchObject({ checked: 3, valid: 3, revoked: 0, deferred: 0, errors: 0, skipped: 0, pages: 1, continued: false });
    expect(revokeSession).not.toHaveBeenCalled();
  });

  it('opens each token bound to its own session and user, and checks them in one batch', async () => {
    const entries = [entry(1), entry(2)];
    const { deps, open, checker } = setup(entries);
    await checkShare(deps, share(), plenty);
    expect(open.mock.calls).toEqual([
      ['sealed-1', { sessionId: entries[0]!.sessionId, userId: 'usr_1' }],
      ['sealed-2', { sessionId: entries[1]!.sessionId, userId: 'usr_2' }],
    ]);
    expect(checker.batches).toEqual([entries.map(tokenOf)]);
  });

  it('revokes the sessions Facebook reports dead, with the reason from the subcode', async () => {
    const entries = [entry(1), entry(2), entry(3), entry(4)];
    const { deps, checker, revoked } = setup(entries);
    checker.outcomes.set(tokenOf(entries[0]!), dead(460));
    checker.outcomes.set(tokenOf(entries[2]!), dead());
    checker.outcomes.set(tokenOf(entries[3]!), dead(467));
    const result = await checkShare(deps, share(), plenty);
    expect(revoked).toEqual([
      { sessionId: entries[0]!.sessionId, reason: 'password_changed' },
      { sessionId: entries[2]!.sessionId, reason: 'invalid' },
      { sessionId: entries[3]!.sessionId, reason: 'logged_out' },
    ]);
    expect(result).toMatchObject({ checked: 4, valid: 1, revoked: 3, revokedByReason: { password_changed: 1, invalid: 1, logged_out: 1 } });
  });

  it('skips expired sessions (and anything not active) without asking Facebook', async () => {
    const entries = [entry(1, { expiresAt: NOW }), entry(2, { expiresAt: NOW - 1 }), entry(3, { status: 'revoked' }), entry(4, { sealedToken: undefined }), entry(5)];
    const { deps, checker, open } = setup(entries);
    const result = await checkShare(deps, share(), plenty);
    expect(result).toMatchObject({ checked: 1, valid: 1, skipped: 4 });
    expect(open).toHaveBeenCalledTimes(1);
    expect(checker.batches).toEqual([[tokenOf(entries[4]!)]]);
  });

  it('defers, never revokes, when Facebook answers a token transiently', async () => {
    const entries = [entry(1), entry(2)];
    const { deps, checker, revokeSession } = setup(entries);
    checker.outcomes.set(tokenOf(entries[0]!), new GraphTransientError('code 2', 30, 2));
    const result = await checkShare(deps, share(), plenty);
    expect(result).toMatchObject({ checked: 2, valid: 1, deferred: 1, deferredByCause: { graph: 1 }, revoked: 0 });
    expect(revokeSession).not.toHaveBeenCalled();
  });

  it('counts Facebook refusing our call as an error, never a revocation', async () => {
    const entries = [entry(1)];
    const { deps, checker, revokeSession } = setup(entries);
    checker.outcomes.set(tokenOf(entries[0]!), new GraphRequestError({ status: 403, code: 200, message: 'Permissions error' }));
    const result = await checkShare(deps, share(), plenty);
    expect(result).toMatchObject({ checked: 1, errors: 1, revoked: 0 });
    expect(revokeSession).not.toHaveBeenCalled();
  });

  it('defers a token KMS is too throttled to open, and counts one that will never open as an error', async () => {
    const entries = [entry(1), entry(2), entry(3)];
    const { deps, open, checker, revokeSession } = setup(entries);
    open.mockImplementation(async (sealed) => {
      if (sealed === 'sealed-1') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      if (sealed === 'sealed-2') throw new VaultError('sealed token does not belong to this session');
      return 'token-3';
    });
    const result = await checkShare(deps, share(), plenty);
    expect(result).toMatchObject({ checked: 3, valid: 1, deferred: 1, errors: 1, deferredByCause: { vault: 1 } });
    expect(checker.batches).toEqual([['token-3']]);
    expect(revokeSession).not.toHaveBeenCalled();
  });

  it('defers a revocation DynamoDB throttles, to be made by the next sweep', async () => {
    const entries = [entry(1), entry(2)];
    const { deps, checker, revokeSession } = setup(entries);
    checker.outcomes.set(tokenOf(entries[0]!), dead(467));
    checker.outcomes.set(tokenOf(entries[1]!), dead(467));
    revokeSession.mockRejectedValueOnce(Object.assign(new Error('throughput'), { name: 'ProvisionedThroughputExceededException' }));
    const result = await checkShare(deps, share(), plenty);
    expect(result).toMatchObject({ checked: 2, revoked: 1, deferred: 1, deferredByCause: { store: 1 } });
  });

  it('counts a session that ended before it could be revoked as skipped, not revoked', async () => {
    const entries = [entry(1)];
    const { deps, checker, revokeSession } = setup(entries);
    checker.outcomes.set(tokenOf(entries[0]!), dead(460));
    revokeSession.mockResolvedValueOnce({ result: 'not_active' });
    const result = await checkShare(deps, share(), plenty);
    expect(result).toMatchObject({ checked: 0, revoked: 0, skipped: 1 });
  });

  it('fails the share (to be retried from its cursor) when a revocation fails for good, keeping the counts so far', async () => {
    const entries = [entry(1), entry(2), entry(3)];
    const { deps, checker, revokeSession } = setup(entries);
    for (const e of entries) checker.outcomes.set(tokenOf(e), dead(460));
    revokeSession.mockImplementationOnce(async () => ({ result: 'revoked', userId: 'u' }));
    revokeSession.mockImplementationOnce(async () => {
      throw Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
    });
    const error = await checkShare(deps, share(), plenty).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShareFailedError);
    expect((error as ShareFailedError).result).toMatchObject({ revoked: 2, pages: 1 });
    expect(((error as ShareFailedError).cause as Error).name).toBe('AccessDeniedException');
  });

  it('fails the share when the index cannot be read', async () => {
    const { deps, index } = setup([entry(1)]);
    index.failOnRead = 1;
    await expect(checkShare(deps, share(), plenty)).rejects.toBeInstanceOf(ShareFailedError);
  });

  it('reads the shard page by page from the share\'s cursor with the configured page size', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => entry(i));
    const { deps, index } = setup(entries, { pageSize: 10 });
    const result = await checkShare(deps, share({}, { cursor: '5' }), plenty);
    expect(index.reads).toEqual([
      { shard: '07', cursor: '5', limit: 10 },
      { shard: '07', cursor: '15', limit: 10 },
    ]);
    expect(result).toMatchObject({ checked: 20, pages: 2, continued: false });
  });

  it('sends 50 tokens per Graph batch', async () => {
    const { deps, checker } = setup(Array.from({ length: 120 }, (_, i) => entry(i)), { pageSize: 500 });
    await checkShare(deps, share(), plenty);
    expect(checker.batches.map((b) => b.length).sort((a, b) => b - a)).toEqual([50, 50, 20]);
  });

  it('queues a continuation with its cursor when the page budget runs out, and stops there', async () => {
    const entries = Array.from({ length: 50 }, (_, i) => entry(i));
    const { deps, index, sent } = setup(entries, { pageSize: 10, maxPagesPerRun: 2 });
    const result = await checkShare(deps, share({ part: 3 }), plenty);
    expect(index.reads).toHaveLength(2);
    expect(sent).toEqual([{ sweepId: SWEEP, shards: [{ shard: '07', cursor: '20' }], part: 4 }]);
    expect(result).toMatchObject({ checked: 20, continued: true });
  });

  it('queues a continuation instead of starting a page when the run is nearly out of time', async () => {
    const entries = Array.from({ length: 30 }, (_, i) => entry(i));
    const { deps, index, sent } = setup(entries, { pageSize: 10, timeReserveMs: 30_000 });
    let remaining = 100_000;
    const budget = { remainingMs: () => (remaining -= 40_000) };
    const result = await checkShare(deps, share(), budget);
    expect(index.reads).toHaveLength(1);
    expect(sent).toEqual([{ sweepId: SWEEP, shards: [{ shard: '07', cursor: '10' }], part: 1 }]);
    expect(result.continued).toBe(true);
  });

  it('queues nothing when the shard ends within the budget', async () => {
    const { deps, sent } = setup(Array.from({ length: 20 }, (_, i) => entry(i)), { pageSize: 10, maxPagesPerRun: 2 });
    // Two full pages and the shard ends exactly: the second page has no next cursor.
    const result = await checkShare(deps, share(), plenty);
    expect(sent).toEqual([]);
    expect(result.continued).toBe(false);
  });

  it('a retried share neither revokes twice nor skips: revoked sessions left the index, the rest is checked again', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => entry(i));
    const first = setup(entries, { batchConcurrency: 1, batchSize: 2 } as Partial<SweepOptions>);
    for (const e of entries) first.checker.outcomes.set(tokenOf(e), dead(460));
    let calls = 0;
    first.revokeSession.mockImplementation(async (sessionId: string) => {
      if (++calls === 3) throw new Error('worker died');
      first.revoked.push({ sessionId, reason: 'password_changed' });
      return { result: 'revoked' };
    });
    await expect(checkShare(first.deps, share(), plenty)).rejects.toBeInstanceOf(ShareFailedError);
    const survivors = entries.filter((e) => !first.revoked.some((r) => r.sessionId === e.sessionId));
    const retry = setup(survivors);
    for (const e of survivors) retry.checker.outcomes.set(tokenOf(e), dead(460));
    await checkShare(retry.deps, share(), plenty);
    const all = [...first.revoked, ...retry.revoked].map((r) => r.sessionId).sort();
    expect(all).toEqual(entries.map((e) => e.sessionId).sort());
  });
});

describe('Facebook app usage', () => {
  it('pauses before each batch while usage is in the slow-down band', async () => {
    const entries = Array.from({ length: 150 }, (_, i) => entry(i));
    const { deps, checker, sleep } = setup(entries, { pageSize: 500, batchConcurrency: 1 });
    checker.usageAfterBatch = () => 65;
    const result = await checkShare(deps, share(), plenty);
    expect(checker.batches).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[1500], [1500]]);
    expect(result).toMatchObject({ checked: 150, valid: 150, deferred: 0, stoppedForAppUsage: false });
  });

  it('stops at the stop threshold: the rest of the page is deferred, no continuation is queued', async () => {
    const entries = Array.from({ length: 150 }, (_, i) => entry(i));
    const { deps, checker, sent, index } = setup(entries, { pageSize: 100, batchConcurrency: 1 });
    checker.usageAfterBatch = () => 85;
    const result = await checkShare(deps, share(), plenty);
    expect(checker.batches).toHaveLength(1);
    expect(result).toMatchObject({ checked: 100, valid: 50, deferred: 50, deferredByCause: { app_usage: 50 }, stoppedForAppUsage: true, continued: false });
    expect(index.reads).toHaveLength(1);
    expect(sent).toEqual([]);
  });

  it('stops later shares of the same sweep before any read; a new sweep probes again', async () => {
    const { deps, checker, index } = setup([entry(1)]);
    checker.usageAfterBatch = () => 95;
    await checkShare(deps, share(), plenty);
    const readsBefore = index.reads.length;
    const stopped = await checkShare(deps, share({}, { shard: '08' }), plenty);
    expect(stopped).toMatchObject({ stoppedForAppUsage: true, pages: 0, checked: 0 });
    expect(index.reads).toHaveLength(readsBefore);
    checker.usageAfterBatch = () => 10;
    const next = await checkShare(deps, share({ sweepId: 'sweep-next' }), plenty);
    expect(next).toMatchObject({ stoppedForAppUsage: false, checked: 1, valid: 1 });
  });

  it('refuses a slow-down threshold above the stop threshold', () => {
    expect(() => new AppUsageGate({ slowdownPercent: 90, stopPercent: 80 })).toThrow(RangeError);
  });
});

describe('only a verdict about this session revokes', () => {
  const described = (data: Record<string, unknown>): DebugTokenAnswer => ({ kind: 'described', token: { scopes: [], metadata: {}, ...data } as never });
  it.each([
    ['is_valid false without an error', described({ ...about, isValid: false })],
    ['is_valid false with a transient error', described({ ...about, isValid: false, error: { code: 2, isTransient: true, message: 'retry' } })],
    ['a valid answer without app_id, user_id or type', described({ isValid: true })],
    ['a dead answer about another app', described({ ...about, appId: '999', isValid: false, error: { code: 190, subcode: 460 } })],
    ['a dead answer about another Facebook user', described({ ...about, userId: '3', isValid: false, error: { code: 190, subcode: 460 } })],
    ['190 with an unknown subcode', described({ ...about, isValid: false, error: { code: 190, subcode: 999 } })],
  ])('%s: deferred and counted as unrecognised_answer, logged without the token', async (_label, answer) => {
    const entries = [entry(1, { facebookUserId: '2' }), entry(2, { facebookUserId: '2' })];
    const { deps, checker, revokeSession } = setup(entries);
    const warn = vi.spyOn(logger, 'warn');
    for (const e of entries) checker.outcomes.set(tokenOf(e), answer);
    const result = await checkShare(deps, share(), plenty);
    expect(revokeSession).not.toHaveBeenCalled();
    expect(result).toMatchObject({ checked: 2, deferred: 2, revoked: 0, deferredByCause: { unrecognised_answer: 2 } });
    const logged = JSON.stringify(warn.mock.calls);
    expect(warn.mock.calls.some(([message]) => message === 'unrecognised_answer')).toBe(true);
    expect(logged).not.toContain('token-of-');
    warn.mockRestore();
  });

  it('revokes on a dead answer about the session\'s own Facebook user and our app', async () => {
    const entries = [entry(1, { facebookUserId: '2' })];
    const { deps, checker, revoked } = setup(entries);
    checker.outcomes.set(tokenOf(entries[0]!), dead(460));
    await checkShare(deps, share(), plenty);
    expect(revoked).toEqual([{ sessionId: entries[0]!.sessionId, reason: 'password_changed' }]);
  });
});

describe('our own misconfiguration never revokes', () => {
  it.each([
    ['Facebook says the tokens are another app\'s (wrong_app)', (): TokenCheckOutcome => ({ kind: 'wrong_app' })],
    ['Facebook refuses our credentials', (): TokenCheckOutcome => new GraphMisconfiguredError({ status: 400, code: 1, message: 'Error validating client secret.' })],
  ])('%s: errors counted, the share stops, one misconfigured line, nobody revoked', async (_label, outcome) => {
    const entries = Array.from({ length: 120 }, (_, i) => entry(i + 1));
    const { deps, checker, revokeSession, index } = setup(entries, { pageSize: 60, batchConcurrency: 1 });
    const error = vi.spyOn(logger, 'error');
    for (const e of entries) checker.outcomes.set(tokenOf(e), outcome());
    const result = await checkShare(deps, share(), plenty);
    expect(revokeSession).not.toHaveBeenCalled();
    expect(checker.batches).toHaveLength(1);
    expect(index.reads).toHaveLength(1);
    expect(result.errors).toBe(50);
    expect(result.revoked).toBe(0);
    expect(result.misconfigured).toBeDefined();
    expect(error.mock.calls.filter(([message]) => message === 'misconfigured')).toHaveLength(1);
    error.mockRestore();
  });
});
