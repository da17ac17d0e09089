import { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { loadAppSecret } from '#commons/facebook/app-secret';
import { AppUsageGate } from '#commons/revalidation/app-usage-gate';
import { createDocumentClient, createKmsClient } from '#commons/platform/aws-clients';
import { CapacityMeter } from '#commons/storage/capacity-meter';
import { facebookEnv, readConfig, revocationEnv, storeEnv, sweepQueueEnv, sweepWorkerEnv, vaultEnv } from '#commons/platform/config';
import { GraphBatchChecker } from '#commons/facebook/graph-batch';
import { createGraphClient } from '#commons/facebook/graph-client';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SweepIndex } from '#commons/storage/sweep-index';
import { SqsShareQueue } from '#commons/revalidation/sweep-queue';
import { SweepWorker } from '#commons/revalidation/sweep-worker';
import { EnvelopeVault } from '#commons/crypto/vault';

const config = readConfig(storeEnv.and(vaultEnv).and(facebookEnv).and(revocationEnv).and(sweepQueueEnv).and(sweepWorkerEnv));
const meter = new CapacityMeter();
const doc = createDocumentClient();
meter.attach(doc);
// A batch of 50 checks takes longer than the single check GRAPH_TIMEOUT_MS is sized for.
const graph = createGraphClient(config, await loadAppSecret(config), config.SWEEP_GRAPH_TIMEOUT_MS);

/** The worker, exported so the local stack can sum its share reports into a sweep summary. */
export const worker = new SweepWorker({
  index: new SweepIndex(doc, config.TABLE_NAME),
  revocations: new RevocationStore(doc, config.TABLE_NAME, { retentionMs: config.REVOCATION_RETENTION_DAYS * 86_400_000 }),
  // The only function allowed kms:Decrypt; unwrapped data keys stay cached across shares.
  vault: new EnvelopeVault(createKmsClient(), config.KMS_KEY_ID),
  checker: new GraphBatchChecker(graph),
  queue: new SqsShareQueue(new SQSClient({}), config.SWEEP_QUEUE_URL),
  usage: new AppUsageGate({ slowdownPercent: config.APP_USAGE_SLOWDOWN_PERCENT, stopPercent: config.APP_USAGE_STOP_PERCENT }),
  options: {
    pageSize: config.SWEEP_PAGE_SIZE,
    maxPagesPerRun: config.SWEEP_MAX_PAGES_PER_RUN,
    batchConcurrency: config.SWEEP_BATCH_CONCURRENCY,
    slowdownPauseMs: config.APP_USAGE_SLOWDOWN_PAUSE_MS,
    timeReserveMs: config.SWEEP_TIME_RESERVE_SECONDS * 1000,
  },
  meter,
  retryBackoff: { baseSeconds: config.SWEEP_RETRY_BASE_SECONDS, maxSeconds: config.SWEEP_RETRY_MAX_SECONDS },
  metrics: new Metrics({ namespace: 'SessionGuard', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'session-guard' }),
});

/** SQS event source (batch of shares, partial batch responses). */
export const handler = (event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => worker.handle(event, context);
