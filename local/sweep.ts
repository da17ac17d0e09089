import { localGuardOverride } from '#commons/revalidation/worker-wiring';
import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ShareReport } from '#commons/revalidation/sweep-worker';
import type { ShareCounts } from '#commons/revalidation/revalidation';
import type { LocalRoute } from './api-gateway.ts';
import { sendLocalJson } from './local-json.ts';
import { type SqsEmulator, type SqsMessage, startSqsEmulator } from '#local/emulators/sqs';

/**
 * The scheduled revalidation on one machine. Stands in for what AWS provides around the two
 * functions: the EventBridge schedule (a timer), SQS (the SQS emulator, spoken to by the real
 * `SqsShareQueue` over the wire) and the SQS event-source mapping (a poller that hands the worker
 * real SQS-shaped events, honours its partial batch responses, retries failed shares with backoff
 * and lets the queue's redrive policy move a share that keeps failing to the dead-letter queue).
 *
 * Also serves `POST /_local/revalidate` (local only, never deployed): runs a whole sweep now,
 * waits for every share and continuation to finish and answers the summary.
 *
 * Use: `const sweep = createLocalSweep(); const stack = await startLocalStack({ localRoutes:
 * [sweep.route] }); await sweep.start();` (start after the stack, which sets the environment the
 * functions read when first imported).
 */
export interface LocalSweepOptions {
  /** Seconds between automatic sweeps; 0 turns the timer off. @default 0 */
  readonly intervalSeconds?: number;
  /** Worker invocations at once (the event source's maximum concurrency). @default 5 */
  readonly concurrency?: number;
  /** Messages per worker invocation (the event source's batch size). @default 2 */
  readonly batchSize?: number;
  /** Receives before a share moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /**
   * First pause before a failed share is retried, doubling per attempt. It replaces the worker's
   * own backoff (30 s and up, set with ChangeMessageVisibility) so local retries take moments. @default 100
   */
  readonly retryDelayMs?: number;
  /** The worker's simulated Lambda timeout, which its time budget reads. @default 180000 */
  readonly workerTimeoutMs?: number;
  /** Where sweep results are printed when the timer runs one. @default console.log */
  readonly log?: (line: string) => void;
}

export interface SweepRunOptions {
  /**
   * The operator's switch for the mass-revocation guard, for this sweep only (in AWS: the SSM
   * parameter `MASS_REVOCATION_OVERRIDE_PARAMETER`). Body `{"allowMassRevocation": true}`.
   */
  readonly allowMassRevocation?: boolean;
}

/** A whole sweep: every share's counts added up, and how the shares went. */
export interface SweepSummary extends ShareCounts {
  readonly sweepId: string;
  /** Worker runs over shares: one per share, plus continuations and retries. */
  shareRuns: number;
  continuations: number;
  failedShareRuns: number;
  sharesStoppedForAppUsage: number;
  /** Shares stopped because Facebook refused our credentials or app, and what it said (first seen). */
  sharesMisconfigured: number;
  misconfigured?: string;
  /** Shares that went to the dead-letter queue during this sweep. */
  deadLettered: number;
  /** Shards checked to their end (their cursor wrapped to the head); 64 when a sweep gets through everything. */
  passesCompleted: number;
  /** Shares queued by workers for shards they handed on (big populations fan out). */
  sharesHandedOn: number;
  /** How far behind the sweep was when it started (the dispatcher's `SweepLagSeconds`). */
  lagSeconds: number;
  dynamo: { requests: number; readUnits: number; writeUnits: number };
  durationMs: number;
}

export interface LocalSweep {
  readonly route: LocalRoute;
  start(): Promise<void>;
  /** A whole sweep, now (after any sweep already running). */
  runSweep(options?: SweepRunOptions): Promise<SweepSummary>;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly sqs: SqsEmulator;
  close(): Promise<void>;
}

type DispatcherHandler = (event: { id: string; time: string }) => Promise<{ sweepId: string; shares: number; lagSeconds: number }>;
type WorkerModule = {
  handler: (event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse>;
  worker: { onShareReport(listener: (report: ShareReport) => void): () => void };
};

export function createLocalSweep(options: LocalSweepOptions = {}): LocalSweep {
  const concurrency = options.concurrency ?? 5;
  const batchSize = options.batchSize ?? 2;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const workerTimeoutMs = options.workerTimeoutMs ?? 180_000;
  const log = options.log ?? ((line: string) => console.log(line));

  let sqs: SqsEmulator | undefined;
  let queueUrl = '';
  let deadLetterQueueUrl = '';
  let dispatcher: DispatcherHandler | undefined;
  let workerModule: WorkerModule | undefined;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  async function start(): Promise<void> {
    sqs = await startSqsEmulator();
    deadLetterQueueUrl = sqs.createQueue('session-guard-sweep-dlq');
    queueUrl = sqs.createQueue('session-guard-sweep', {
      visibilityTimeoutMs: 6 * workerTimeoutMs,
      redrive: { deadLetterQueueUrl, maxReceiveCount },
    });
    const env = process.env;
    env.AWS_ENDPOINT_URL_SQS = sqs.url;
    env.SWEEP_QUEUE_URL = queueUrl;
    // EMF lines on stdout help nobody locally; set it to false to see them.
    env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    dispatcher = ((await import('#functions/revalidation-dispatcher')) as { handler: DispatcherHandler }).handler;
    workerModule = (await import('#functions/revalidation-worker')) as WorkerModule;
    const interval = options.intervalSeconds ?? 0;
    if (interval > 0) {
      timer = setInterval(() => {
        runSweep()
          .then((summary) => log(`[sweep] ${describe(summary)}`))
          .catch((error: unknown) => log(`[sweep] failed: ${(error as Error).message}`));
      }, interval * 1000);
      timer.unref();
    }
  }

  function runSweep(runOptions: SweepRunOptions = {}): Promise<SweepSummary> {
    const next = chain.then(() => sweepOnce(runOptions));
    chain = next.catch(() => undefined);
    return next;
  }

  async function sweepOnce(runOptions: SweepRunOptions): Promise<SweepSummary> {
    if (!sqs || !dispatcher || !workerModule || closed) throw new Error('the local sweep is not running');
    const started = Date.now();
    const deadBefore = sqs.depth(deadLetterQueueUrl);
    const { sweepId, lagSeconds } = await dispatcher({ id: randomUUID(), time: new Date().toISOString() });
    if (runOptions.allowMassRevocation) localGuardOverride.allow(sweepId);
    const summary: SweepSummary = {
      sweepId,
      checked: 0,
      valid: 0,
      revoked: 0,
      deferred: 0,
      errors: 0,
      skipped: 0,
      revokedByReason: {},
      deferredByCause: {},
      shareRuns: 0,
      continuations: 0,
      failedShareRuns: 0,
      sharesStoppedForAppUsage: 0,
      sharesMisconfigured: 0,
      deadLettered: 0,
      passesCompleted: 0,
      sharesHandedOn: 0,
      lagSeconds,
      dynamo: { requests: 0, readUnits: 0, writeUnits: 0 },
      durationMs: 0,
    };
    const stopListening = workerModule.worker.onShareReport((report) => {
      if (report.sweepId !== sweepId) return;
      summary.shareRuns += 1;
      for (const key of ['checked', 'valid', 'revoked', 'deferred', 'errors', 'skipped'] as const) summary[key] += report[key];
      addCounts(summary.revokedByReason, report.revokedByReason);
      addCounts(summary.deferredByCause, report.deferredByCause);
      if (report.continued) summary.continuations += 1;
      summary.passesCompleted += report.passesCompleted;
      summary.sharesHandedOn += report.handedOn;
      if (report.failed) summary.failedShareRuns += 1;
      if (report.stoppedForAppUsage) summary.sharesStoppedForAppUsage += 1;
      if (report.misconfigured !== undefined) {
        summary.sharesMisconfigured += 1;
        summary.misconfigured ??= report.misconfigured;
      }
      summary.dynamo.requests += report.dynamo.requests;
      summary.dynamo.readUnits += report.dynamo.readUnits;
      summary.dynamo.writeUnits += report.dynamo.writeUnits;
    });
    try {
      await drain();
    } finally {
      stopListening();
    }
    const deadAfter = sqs.depth(deadLetterQueueUrl);
    summary.deadLettered = deadAfter.visible + deadAfter.inFlight - (deadBefore.visible + deadBefore.inFlight);
    summary.durationMs = Date.now() - started;
    return summary;
  }

  /** The event-source mapping: invoke the worker until the queue is empty. */
  async function drain(): Promise<void> {
    const queue = sqs!;
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      while (inFlight.size < concurrency) {
        const messages = queue.receive(queueUrl, batchSize, 6 * workerTimeoutMs);
        if (messages.length === 0) break;
        const invocation = invoke(messages).finally(() => inFlight.delete(invocation));
        inFlight.add(invocation);
      }
      if (inFlight.size > 0) {
        await Promise.race(inFlight);
        continue;
      }
      const depth = queue.depth(queueUrl);
      if (depth.visible + depth.inFlight === 0) return;
      // Only failed shares waiting out their retry delay are left.
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(depth.nextVisibleInMs ?? 10, 5), 1000)));
    }
  }

  async function invoke(messages: SqsMessage[]): Promise<void> {
    const deadline = Date.now() + workerTimeoutMs;
    const context = { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), awsRequestId: randomUUID() };
    let failed: Set<string>;
    try {
      const response = await workerModule!.handler({ Records: messages.map((m) => toRecord(m, queueUrl)) }, context);
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      // A function error fails the whole batch, as with Lambda.
      failed = new Set(messages.map((m) => m.messageId));
    }
    for (const message of messages) {
      if (failed.has(message.messageId)) {
        sqs!.changeVisibility(queueUrl, message.receiptHandle!, Math.min(retryDelayMs * 2 ** (message.receiveCount - 1), 5_000));
      } else {
        sqs!.delete(queueUrl, message.receiptHandle!);
      }
    }
  }

  const route: LocalRoute = {
    method: 'POST',
    path: '/_local/revalidate',
    async handle(_request, response, body) {
      const send = (status: number, body: unknown) => sendLocalJson(response, status, body);
      if (!dispatcher) return send(503, { error: { code: 'sweep_not_started', message: 'The local sweep has not started.' } });
      try {
        const options = body.length > 0 ? (JSON.parse(body.toString('utf8')) as SweepRunOptions) : {};
        send(200, await runSweep({ allowMassRevocation: options.allowMassRevocation === true }));
      } catch (error) {
        send(500, { error: { code: 'sweep_failed', message: (error as Error).message } });
      }
    },
  };

  return {
    route,
    start,
    runSweep,
    get queueUrl() {
      return queueUrl;
    },
    get deadLetterQueueUrl() {
      return deadLetterQueueUrl;
    },
    get sqs() {
      if (!sqs) throw new Error('the local sweep has not started');
      return sqs;
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await chain;
      await sqs?.close();
    },
  };
}

function toRecord(message: SqsMessage, queueUrl: string): SQSRecord {
  const name = queueUrl.split('/').pop() ?? 'queue';
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle!,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'AIDALOCALSESSIONGUARD',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    },
    messageAttributes: {},
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${process.env.AWS_REGION ?? 'us-east-1'}:000000000000:${name}`,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
  };
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const [key, value] of Object.entries(from) as [K, number][]) into[key] = (into[key] ?? 0) + value;
}

/** One line for the console. */
export function describe(summary: SweepSummary): string {
  const reasons = Object.entries(summary.revokedByReason).map(([reason, n]) => `${reason} ${n}`).join(', ');
  return (
    `${summary.sweepId}: checked ${summary.checked}, valid ${summary.valid}, revoked ${summary.revoked}${reasons ? ` (${reasons})` : ''}, ` +
    `deferred ${summary.deferred}, errors ${summary.errors}, skipped ${summary.skipped} in ${summary.durationMs} ms` +
    (summary.misconfigured !== undefined ? `; MISCONFIGURED: ${summary.misconfigured}` : '')
  );
}
