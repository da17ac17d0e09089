import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredItem } from './item-fields.ts';
import { TABLE_KEY } from './schema.ts';

/**
 * Every item of one partition whose sort key starts with `sortKeyPrefix`, all pages: for the small
 * partitions read whole (the credential inventory, the sweep's shard cursors).
 */
export async function partitionItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  query: { readonly partitionKey: string; readonly sortKeyPrefix: string; readonly consistentRead?: boolean },
): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: `${TABLE_KEY.partition} = :pk AND begins_with(${TABLE_KEY.sort}, :prefix)`,
        ExpressionAttributeValues: { ':pk': query.partitionKey, ':prefix': query.sortKeyPrefix },
        ...(query.consistentRead ? { ConsistentRead: true } : {}),
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
