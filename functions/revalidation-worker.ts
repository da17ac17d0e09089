import type { Context, SQSEvent } from 'aws-lambda';
import { readConfig } from '#commons/platform/config';
import { createRevalidationWorker, revalidationWorkerEnv } from '#commons/revalidation/worker-wiring';

/** The worker, exported so the local stack can sum its share reports into a sweep summary. */
export const worker = await createRevalidationWorker(readConfig(revalidationWorkerEnv));

/** SQS event source (batch of shares, partial batch responses). */
export const handler = (event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => worker.handle(event, context);
