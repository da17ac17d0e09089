import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from '#commons/platform/zod';
import { EnvelopeOpener } from '#commons/crypto/vault';
import { loadAppSecret } from '#commons/facebook/app-secret';
import { createGraphClient } from '#commons/facebook/graph-client';
import { createDocumentClient, createKmsClient } from '#commons/platform/aws-clients';
import { envOf, facebookEnv, revocationEnv, storeEnv, sweepQueueEnv, sweepWorkerEnv, vaultEnv } from '#commons/platform/config';
import { count, MetricName, metrics } from '#commons/platform/metrics';
import { traced } from '#commons/platform/tracer';
import { CapacityMeter } from '#commons/storage/capacity-meter';
import { RevocationStore } from '#commons/storage/revocation-store';
import { ShardCursorStore } from '#commons/storage/shard-cursor-store';
import { SweepIndex } from '#commons/storage/sweep-index';
import { SweepTallyStore } from '#commons/storage/sweep-tally-store';
import { ParameterGuardOverride } from './guard-override-parameter.ts';
import { LocalGuardOverride, MassRevocationGuard } from './mass-revocation-guard.ts';
import { AppUsageGate } from './app-usage-gate.ts';
import { SqsShareQueue } from './sweep-queue.ts';
import { SweepWorker } from './sweep-worker.ts';

/** What the revalidation worker needs: the table, the opening key, Facebook, the queue and its pacing. */
export const revalidationWorkerEnv = envOf(storeEnv, vaultEnv, facebookEnv, revocationEnv, sweepQueueEnv, sweepWorkerEnv);
export type RevalidationWorkerConfig = z.output<typeof revalidationWorkerEnv>;

/**
 * Without `MASS_REVOCATION_OVERRIDE_PARAMETER` (the local stack) the guard's switch is this one,
 * which `POST /_local/revalidate` turns on for a sweep.
 */
export const localGuardOverride = new LocalGuardOverride();

/**
 * Builds the worker once per cold start, as `sessions/sign-in-wiring.ts` does for sign-in; the app
 * secret is fetched here, before the first share.
 */
export async function createRevalidationWorker(config: RevalidationWorkerConfig, doc: DynamoDBDocumentClient = createDocumentClient()): Promise<SweepWorker> {
  const meter = new CapacityMeter();
  meter.attach(doc);
  // A batch of 50 checks takes longer than the single check GRAPH_TIMEOUT_MS is sized for.
  const graph = createGraphClient(config, await loadAppSecret(config), config.SWEEP_GRAPH_TIMEOUT_MS);
  const guard = new MassRevocationGuard(
    new SweepTallyStore(doc, config.TABLE_NAME),
    config.MASS_REVOCATION_OVERRIDE_PARAMETER ? new ParameterGuardOverride(traced(new SSMClient({})), config.MASS_REVOCATION_OVERRIDE_PARAMETER) : localGuardOverride,
    {
      maxSharePercent: config.MASS_REVOCATION_MAX_PERCENT,
      minRevocations: config.MASS_REVOCATION_MIN_SESSIONS,
      onTripped: () => count(MetricName.MassRevocationGuardTripped),
    },
  );
  return new SweepWorker({
    index: new SweepIndex(doc, config.TABLE_NAME),
    cursors: new ShardCursorStore(doc, config.TABLE_NAME),
    revocations: new RevocationStore(doc, config.TABLE_NAME, { retentionMs: config.REVOCATION_RETENTION_DAYS * 86_400_000 }),
    // The only function allowed kms:Decrypt; unwrapped data keys stay cached across shares.
    vault: new EnvelopeOpener(createKmsClient(), config.KMS_KEY_ID),
    checker: graph.batchChecker(),
    appId: config.FACEBOOK_APP_ID,
    queue: new SqsShareQueue(traced(new SQSClient({})), config.SWEEP_QUEUE_URL),
    usage: new AppUsageGate({ slowdownPercent: config.APP_USAGE_SLOWDOWN_PERCENT, stopPercent: config.APP_USAGE_STOP_PERCENT }),
    guard,
    options: {
      pageSize: config.SWEEP_PAGE_SIZE,
      maxPagesPerRun: config.SWEEP_MAX_PAGES_PER_RUN,
      batchConcurrency: config.SWEEP_BATCH_CONCURRENCY,
      slowdownPauseMs: config.APP_USAGE_SLOWDOWN_PAUSE_MS,
      timeReserveMs: config.SWEEP_TIME_RESERVE_SECONDS * 1000,
      shareTargetSessions: config.SWEEP_SHARE_TARGET_SESSIONS,
    },
    meter,
    retryBackoff: { baseSeconds: config.SWEEP_RETRY_BASE_SECONDS, maxSeconds: config.SWEEP_RETRY_MAX_SECONDS },
    metrics,
  });
}
