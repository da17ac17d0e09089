import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredItem } from './item-fields.ts';
import { keys, userSessionsPrefix } from './keys.ts';
import { projectionOf } from './projection.ts';
import { BY_USER_INDEX } from './schema.ts';

/**
 * A person's session items (live or revoked), one `byUser` page at a time, with only `attributes`.
 * Shared by the stores that revoke and erase a person's sessions.
 */
export function userSessionPages(
  doc: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  attributes: readonly string[],
): AsyncGenerator<StoredItem[]> {
  return byUserPages(doc, tableName, keys.user(userId).pk, userSessionsPrefix(), attributes);
}

/** The items of one `byUser` partition whose sort key starts with `prefix`, a page at a time. */
export async function* byUserPages(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  prefix: string,
  attributes: readonly string[],
): AsyncGenerator<StoredItem[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: BY_USER_INDEX.name,
        KeyConditionExpression: `${BY_USER_INDEX.partitionKey} = :pk AND begins_with(${BY_USER_INDEX.sortKey}, :prefix)`,
        ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
        ...projectionOf(attributes),
        ExclusiveStartKey: start,
      }),
    );
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}
