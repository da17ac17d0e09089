import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgePublisher } from '#commons/events/eventbridge-publisher';
import { publishChanges } from '#commons/events/publish-changes';
import { changeFromRecord } from '#commons/events/stream-records';
import { eventBusEnv, readConfig } from '#commons/platform/config';
import { logger } from '#commons/platform/logger';
import { traced } from '#commons/platform/tracer';

const config = readConfig(eventBusEnv);
const publisher = new EventBridgePublisher(traced(new EventBridgeClient({})), config.EVENT_BUS_NAME, {
  onCallFailed: (error) => logger.warn('PutEvents failed', { error: (error as Error).name }),
});

/**
 * The table's stream → the Session Guard event bus. The event source mapping hands over batches
 * (up to 100 records, gathered for a moment), so a sweep revoking thousands of sessions costs tens
 * of invocations, not thousands; the events go out 10 per PutEvents call. A partial batch response
 * names the first change not published: Lambda retries from there, splits the batch on repeated
 * failure, and sends what still fails to the dead-letter queue.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const outcome = await publishChanges(event.Records.map(changeFromRecord), publisher);
  const counts = { records: event.Records.length, published: outcome.published, ignored: outcome.ignored };
  if (outcome.retryFrom === undefined) {
    logger.info('stream batch published', counts);
    return { batchItemFailures: [] };
  }
  logger.warn('stream batch not fully published', { ...counts, retryFrom: outcome.retryFrom, failure: outcome.failure });
  return { batchItemFailures: [{ itemIdentifier: outcome.retryFrom }] };
};
