import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { traced } from './tracer.ts';

/**
 * SDK clients, made once per cold start and traced (each call an X-Ray subsegment, in Lambda with
 * tracing on). Endpoints come from the SDK's own settings (`AWS_ENDPOINT_URL_DYNAMODB`,
 * `AWS_ENDPOINT_URL_KMS`), so local and AWS use the same code.
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createKmsClient(): KMSClient {
  return traced(new KMSClient({}));
}
