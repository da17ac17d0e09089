import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './metrics.ts';

/**
 * The one X-Ray tracer (Powertools Tracer; active only inside Lambda with tracing on). AWS SDK
 * clients are wrapped where they are made (aws-clients.ts); Graph calls get a subsegment each in
 * graph-telemetry.ts.
 *
 * `captureHTTPsRequests` is off on purpose: it records every outgoing URL, and Graph URLs carry
 * the token being checked, our app token (app id|app secret) and appsecret_proof in the query
 * string. No handler result or error is captured either: answers hold session tokens.
 */
export const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });

/** An AWS SDK v3 client whose calls are X-Ray subsegments (unchanged outside Lambda). */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}
