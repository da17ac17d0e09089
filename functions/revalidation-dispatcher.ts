import { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { readConfig, sweepQueueEnv } from '#commons/config';
import { logger } from '#commons/logger';
import { dispatchSweep, sweepIdFor } from '#commons/revalidation';
import { SqsShareQueue } from '#commons/sweep-queue';

const config = readConfig(sweepQueueEnv);
const queue = new SqsShareQueue(new SQSClient({}), config.SWEEP_QUEUE_URL);

/** Started by the EventBridge schedule: queues one share per shard of the sweep index. */
export const handler = async (event: Pick<ScheduledEvent, 'id' | 'time'>) => {
  const result = await dispatchSweep(queue, sweepIdFor(event.time, event.id));
  logger.info('sweep dispatched', { sweepId: result.sweepId, shares: result.shares });
  return result;
};
