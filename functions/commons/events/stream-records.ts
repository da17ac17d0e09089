import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamChange } from './stream-mapping.ts';

/**
 * A DynamoDB stream record as Lambda hands it over, as a change with plain images. Lambda's
 * typings and the SDK's describe the same wire shape of attribute values.
 */
export function changeFromRecord(record: DynamoDBRecord): StreamChange {
  const data = record.dynamodb ?? {};
  const image = (value: unknown) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);
  const oldImage = image(data.OldImage);
  const newImage = image(data.NewImage);
  return {
    eventName: record.eventName ?? 'MODIFY',
    sequenceNumber: data.SequenceNumber ?? '',
    keys: image(data.Keys) ?? {},
    ...(oldImage ? { oldImage } : {}),
    ...(newImage ? { newImage } : {}),
  };
}
