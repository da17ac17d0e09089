import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { AppUsageGate } from '#commons/revalidation/app-usage-gate';
import { CapacityMeter } from '#commons/storage/capacity-meter';
import type { TokenCheckOutcome } from '#commons/facebook/graph-batch';
import type { SweepEntry, SweepPage } from '#commons/revalidation/ports';
import { encodeShare, type SweepShare } from '#commons/revalidation/sweep-queue';
import { retryDelaySeconds, type ShareReport, SweepWorker, type SweepWorkerDeps } from '#commons/revalidation/sweep-worker';

const NOW = Date.now();
const entries: SweepEntry[] = [1, 2, 3].map((n) => ({ sessionId: `ses_${n}`, userId: `usr_${n}`, facebookUserId: '2', sealedToken: `sealed-${n}`, expiresAt: NOW + 3_600_000, status: 'active' }));

function record(id: string, body: string, receiveCount = 1): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  };
}
const shareBody = (shard: string) => encodeShare({ sweepId: 'sweep-w', shards: [{ shard }], part: 0 } satisfies SweepShare);

function makeWorker(failingShard?: string, extra: Partial<SweepWorkerDeps> = {}) {
  const metrics = {
    addMetric: vi.fn(),
    addMetadata: vi.fn(),
    publishStoredMetrics: vi.fn(),
    singleMetric: vi.fn(() => ({ addDimension: vi.fn().mockReturnThis(), addMetric: vi.fn() })),
  };
  const deps: SweepWorkerDeps = {
    index: {
      readPage: async (shard: string): Promise<SweepPage> => {
        if (shard === failingShard) throw Object.assign(new Error('no access'), { name: 'AccessDeniedException' });
        return { entries };
      },
      cursorAfter: (_shard: string, entry: { sessionId: string }) => entry.sessionId,
    },
    appId: '1',
    revocations: { revokeSession: async () => ({ result: 'revoked', userId: 'u' }) },
    vault: { open: async (_s: string, b: { sessionId: string }) => `EAAsecret-${b.sessionId}` },
    checker: {
      appUsagePercent: undefined,
      debugTokens: async (tokens: readonly string[]): Promise<TokenCheckOutcome[]> =>
        tokens.map((t) => {
          const about = { appId: '1', userId: '2', type: 'USER', scopes: [], metadata: {} };
          return { kind: 'described', token: t.endsWith('ses_2') ? { ...about, isValid: false, error: { code: 190, subcode: 460 } } : { ...about, isValid: true } };
        }),
    },
    queue: { send: async () => undefined },
    usage: new AppUsageGate({ slowdownPercent: 60, stopPercent: 80 }),
    options: { pageSize: 100, maxPagesPerRun: 5, batchConcurrency: 2, slowdownPauseMs: 0, timeReserveMs: 1000 },
    meter: new CapacityMeter(),
    metrics: metrics as unknown as SweepWorkerDeps['metrics'],
    ...extra,
  };
  return { worker: new SweepWorker(deps), metrics };
}

const context = { getRemainingTimeInMillis: () => 120_000 };

describe('SweepWorker (SQS side)', () => {
  it('answers a partial batch response naming only the shares that failed', async () => {
    const { worker } = makeWorker('02');
    const event: SQSEvent = { Records: [record('m1', shareBody('01')), record('m2', shareBody('02')), record('m3', '{"not":"a share"}'), record('m4', shareBody('04'))] };
    const response = await worker.handle(event, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] });
  });

  it('reports each share to listeners with its counts, and whether it failed', async () => {
    const { worker } = makeWorker('02');
    const reports: ShareReport[] = [];
    const stop = worker.onShareReport((r) => reports.push(r));
    await worker.handle({ Records: [record('m1', shareBody('01')), record('m2', shareBody('02'))] }, context);
    stop();
    await worker.handle({ Records: [record('m3', shareBody('03'))] }, context);
    expect(reports.map((r) => [r.shard, r.failed, r.checked, r.valid, r.revoked])).toEqual([
      ['01', false, 3, 2, 1],
      ['02', true, 0, 0, 0],
    ]);
    expect(reports[0]!.revokedByReason).toEqual({ password_changed: 1 });
  });

  it('publishes one EMF metric per outcome, and revocations by reason', async () => {
    const { worker, metrics } = makeWorker();
    await worker.handle({ Records: [record('m1', shareBody('01'))] }, context);
    const published = Object.fromEntries(metrics.addMetric.mock.calls.map(([name, , value]) => [name, value]));
    expect(published).toMatchObject({ SessionsChecked: 3, SessionsValid: 2, SessionsRevoked: 1, SessionsDeferred: 0, SessionCheckErrors: 0, SweepSharesFailed: 0, SweepSharesCompleted: 1, SweepSharesMisconfigured: 0, Misconfigured: 0, SessionsUnrecognisedAnswer: 0 });
    expect(metrics.publishStoredMetrics).toHaveBeenCalledTimes(1);
    expect(metrics.singleMetric).toHaveBeenCalledTimes(1);
  });

  it('publishes SweepSharesMisconfigured when Facebook refuses our credentials, and revokes nobody', async () => {
    const revokeSession = vi.fn(async () => ({ result: 'revoked' as const, userId: 'u' }));
    const { worker, metrics } = makeWorker(undefined, {
      revocations: { revokeSession },
      checker: { appUsagePercent: undefined, debugTokens: async (tokens) => tokens.map(() => ({ kind: 'wrong_app' as const })) },
    });
    await worker.handle({ Records: [record('m1', shareBody('01'))] }, context);
    const published = Object.fromEntries(metrics.addMetric.mock.calls.map(([name, , value]) => [name, value]));
    expect(published).toMatchObject({ SweepSharesMisconfigured: 1, SessionCheckErrors: 3, SessionsRevoked: 0, SweepSharesFailed: 0 });
    expect(revokeSession).not.toHaveBeenCalled();
  });

  it('logs ids and counts, never a Facebook token', async () => {
    const { worker } = makeWorker();
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const original = console.info;
    const logged: string[] = [];
    console.info = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    try {
      await worker.handle({ Records: [record('m1', shareBody('01'))] }, context);
    } finally {
      spy.mockRestore();
      console.info = original;
    }
    const output = [...writes, ...logged].join('\n');
    expect(output).toContain('session revoked');
    expect(output).toContain('ses_2');
    expect(output).not.toContain('EAAsecret');
    expect(output).not.toContain('sealed-');
  });
});

describe('SweepWorker retry backoff', () => {
  const backoff = { baseSeconds: 30, maxSeconds: 900 };

  it('doubles the wait with each receive, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelaySeconds(n, backoff))).toEqual([30, 60, 120, 240, 480, 900, 900]);
    expect(retryDelaySeconds(0, backoff)).toBe(30);
    expect(retryDelaySeconds(10_000, backoff)).toBe(900);
  });

  it('hides only the failed shares, for the wait their receive count calls for', async () => {
    const delayed: Array<[string, number]> = [];
    const queue = { send: async () => undefined, retryLater: async (handle: string, seconds: number) => void delayed.push([handle, seconds]) };
    const { worker } = makeWorker('02', { queue, retryBackoff: backoff });
    const event: SQSEvent = { Records: [record('m1', shareBody('01')), record('m2', shareBody('02'), 3), record('m3', '{"not":"a share"}')] };
    const response = await worker.handle(event, context);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m2', 'm3']);
    expect(delayed).toEqual([
      ['rh-m2', 120],
      ['rh-m3', 30],
    ]);
  });

  it('still reports the share failed when the queue cannot delay it (the visibility timeout applies)', async () => {
    const queue = { send: async () => undefined, retryLater: async () => Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' })) };
    const { worker } = makeWorker('02', { queue, retryBackoff: backoff });
    const response = await worker.handle({ Records: [record('m2', shareBody('02'))] }, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
  });

  it('leaves successful shares alone', async () => {
    const retryLater = vi.fn(async () => undefined);
    const { worker } = makeWorker(undefined, { queue: { send: async () => undefined, retryLater }, retryBackoff: backoff });
    await worker.handle({ Records: [record('m1', shareBody('01'))] }, context);
    expect(retryLater).not.toHaveBeenCalled();
  });
});
