import { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { traced } from '#commons/platform/tracer';
import { readConfig, sweepQueueEnv } from '#commons/platform/config';
import { logger } from '#commons/platform/logger';
import { dispatchSweep, sweepIdFor } from '#commons/revalidation/revalidation';
import { SqsShareQueue } from '#commons/revalidation/sweep-queue';
import { sweepShards } from '#commons/storage/schema';

const config = readConfig(sweepQueueEnv);
const queue = new SqsShareQueue(traced(new SQSClient({})), config.SWEEP_QUEUE_URL);

/** Started by the EventBridge schedule: queues one share per shard of the sweep index. */
export const handler = async (event: Pick<ScheduledEvent, 'id' | 'time'>) => {
  const result = await dispatchSweep(queue, sweepIdFor(event.time, event.id), sweepShards());
  logger.info('sweep dispatched', { sweepId: result.sweepId, shares: result.shares });
  return result;
};
