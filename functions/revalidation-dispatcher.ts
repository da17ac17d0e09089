import { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { traced } from '#commons/platform/tracer';
import { envOf, readConfig, storeEnv, sweepQueueEnv } from '#commons/platform/config';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { logger } from '#commons/platform/logger';
import { flushMetrics, measure, MetricName } from '#commons/platform/metrics';
import { sweepIdFor } from '#commons/revalidation/revalidation';
import { dispatchSweep } from '#commons/revalidation/shard-cursors';
import { SqsShareQueue } from '#commons/revalidation/sweep-queue';
import { ShardCursorStore } from '#commons/storage/shard-cursor-store';
import { sweepShards } from '#commons/storage/schema';

const config = readConfig(envOf(sweepQueueEnv, storeEnv));
const queue = new SqsShareQueue(traced(new SQSClient({})), config.SWEEP_QUEUE_URL);
const cursors = new ShardCursorStore(createDocumentClient(), config.TABLE_NAME);

/** Started by the EventBridge schedule: queues the sweep, each shard from its cursor, and says how far behind it is. */
export const handler = async (event: Pick<ScheduledEvent, 'id' | 'time'>) => {
  const result = await dispatchSweep(queue, cursors, sweepIdFor(event.time, event.id), sweepShards(), Date.now());
  measure(MetricName.SweepLagSeconds, 'Seconds', result.lagSeconds);
  flushMetrics();
  logger.info('sweep dispatched', { sweepId: result.sweepId, shares: result.shares, lagSeconds: result.lagSeconds });
  return result;
};
