import { count, countBy, MetricName, type MetricsSink } from '#commons/platform/metrics';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type CapacityMeter, type CapacityTally, emptyTally } from '#commons/storage/capacity-meter';
import { logger } from '#commons/platform/logger';
import { checkShare, emptyShareResult, type RevalidationDeps, ShareFailedError, type ShareResult } from './revalidation.ts';
import { decodeShare } from './sweep-queue.ts';

/**
 * The SQS side of the revalidation worker: one share per message, checked one after another,
 * with SQS partial batch responses, so a share that fails is retried alone and, after the redrive
 * limit, lands in the dead-letter queue. Retries back off exponentially: a failed share's message
 * is hidden for `baseSeconds × 2^(receives − 1)` (capped) before SQS hands it out again, so a
 * struggling dependency is not hammered while it recovers.
 *
 * Each share ends with one structured log line (`share checked` / `share failed`) holding its
 * counts and the DynamoDB units it consumed, EMF metrics (one per outcome), and a report to any
 * listener (the local stack sums them into a sweep summary).
 */
export interface ShareReport extends ShareResult {
  readonly failed: boolean;
  readonly durationMs: number;
  readonly dynamo: CapacityTally;
}

export type ShareReportListener = (report: ShareReport) => void;

export type SweepMetrics = MetricsSink;

export interface RetryBackoff {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

export interface SweepWorkerDeps extends RevalidationDeps {
  readonly meter: CapacityMeter;
  readonly metrics?: SweepMetrics;
  /** Without it (or a queue that cannot delay), a failed share returns after the queue's visibility timeout. */
  readonly retryBackoff?: RetryBackoff;
}

/** How long a share that failed on its `receiveCount`-th receive waits before the next. */
export function retryDelaySeconds(receiveCount: number, backoff: RetryBackoff): number {
  const exponent = Math.max(0, Math.min(receiveCount - 1, 20));
  return Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** exponent);
}

export class SweepWorker {
  private readonly listeners = new Set<ShareReportListener>();

  constructor(private readonly deps: SweepWorkerDeps) {}

  /** Calls `listener` after every share; answers a function that stops it. */
  onShareReport(listener: ShareReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async handle(event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    for (const record of event.Records) {
      const ok = await this.handleRecord(record, context);
      if (!ok) {
        batchItemFailures.push({ itemIdentifier: record.messageId });
        await this.delayRetry(record);
      }
    }
    return { batchItemFailures };
  }

  private async delayRetry(record: SQSRecord): Promise<void> {
    const { retryBackoff, queue } = this.deps;
    if (!retryBackoff || !queue.retryLater) return;
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    const delaySeconds = retryDelaySeconds(receiveCount, retryBackoff);
    try {
      await queue.retryLater(record.receiptHandle, delaySeconds);
    } catch (error) {
      // The share is still reported failed; it just comes back after the queue's own timeout.
      logger.warn('could not delay the retry of a failed share', { messageId: record.messageId, receiveCount, delaySeconds, errorName: (error as Error).name });
    }
  }

  private async handleRecord(record: SQSRecord, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<boolean> {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    let share;
    try {
      share = decodeShare(record.body);
    } catch (error) {
      // Retried like any failure, so a malformed message ends up in the dead-letter queue to read.
      logger.error('share message refused', { messageId: record.messageId, receiveCount, errorName: (error as Error).name, error: (error as Error).message });
      return false;
    }
    const started = Date.now();
    let result: ShareResult;
    let failed = false;
    const tally = emptyTally();
    try {
      result = await this.deps.meter.run(tally, () => checkShare(this.deps, share, { remainingMs: () => context.getRemainingTimeInMillis() }));
    } catch (error) {
      failed = true;
      result = error instanceof ShareFailedError ? error.result : emptyShareResult(share);
      const reason = error instanceof ShareFailedError ? error.cause : error;
      const cause = reason instanceof Error ? reason : undefined;
      logger.error('share failed', {
        ...summaryFields(result),
        messageId: record.messageId,
        receiveCount,
        errorName: cause?.name ?? 'unknown',
        error: cause?.message ?? String(reason),
      });
    }
    const report: ShareReport = { ...result, failed, durationMs: Date.now() - started, dynamo: tally };
    if (!failed) {
      // An empty shard says nothing worth keeping at info level (64 lines every sweep otherwise).
      const level = result.pages <= 1 && result.checked + result.skipped === 0 && !result.stoppedForAppUsage ? 'debug' : 'info';
      logger[level]('share checked', { ...summaryFields(result), receiveCount, durationMs: report.durationMs, dynamo: tally });
    }
    this.publishMetrics(report);
    for (const listener of this.listeners) listener(report);
    return !failed;
  }

  private publishMetrics(report: ShareReport): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    metrics.addMetadata('sweepId', report.sweepId);
    const counts: [MetricName, number][] = [
      [MetricName.SessionsChecked, report.checked],
      [MetricName.SessionsValid, report.valid],
      [MetricName.SessionsRevoked, report.revoked],
      [MetricName.SessionsDeferred, report.deferred],
      [MetricName.SessionCheckErrors, report.errors],
      [MetricName.SessionsSkipped, report.skipped],
      [MetricName.SweepSharesFailed, report.failed ? 1 : 0],
      [MetricName.SweepSharesCompleted, !report.failed && !report.continued ? 1 : 0],
      // A shard checked to its end: the NoCompletedSweep alarm watches these.
      [MetricName.SweepPassesCompleted, report.passesCompleted],
      [MetricName.SweepSharesStoppedForAppUsage, report.stoppedForAppUsage ? 1 : 0],
      // Facebook refused our credentials or app: alarm on any non-zero value.
      [MetricName.SweepSharesMisconfigured, report.misconfigured !== undefined ? 1 : 0],
      // The same signal feeds the Misconfigured alarm, which watches every Graph caller.
      [MetricName.Misconfigured, report.misconfigured !== undefined ? 1 : 0],
      [MetricName.SessionsUnrecognisedAnswer, report.deferredByCause.unrecognised_answer ?? 0],
      [MetricName.SweepDynamoReadUnits, report.dynamo.readUnits],
      [MetricName.SweepDynamoWriteUnits, report.dynamo.writeUnits],
    ];
    for (const [name, value] of counts) count(name, value, metrics);
    metrics.publishStoredMetrics();
    for (const [reason, value] of Object.entries(report.revokedByReason)) {
      countBy(MetricName.SessionsRevokedByReason, 'reason', reason, value, metrics);
    }
  }
}

function summaryFields(result: ShareResult) {
  return {
    sweepId: result.sweepId,
    shard: result.shard,
    part: result.part,
    pages: result.pages,
    checked: result.checked,
    valid: result.valid,
    revoked: result.revoked,
    deferred: result.deferred,
    errors: result.errors,
    skipped: result.skipped,
    revokedByReason: result.revokedByReason,
    deferredByCause: result.deferredByCause,
    continued: result.continued,
    passesCompleted: result.passesCompleted,
    handedOn: result.handedOn,
    stoppedForAppUsage: result.stoppedForAppUsage,
    ...(result.misconfigured !== undefined ? { misconfigured: result.misconfigured } : {}),
  };
}
