import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '#local/dynamodb-local';
import { ensureTable } from '#local/table';

/**
 * A fresh table, built from the shared schema, on a DynamoDB Local of its own: what the stores'
 * contract tests run against. Reads go around the stores, so a test sees the items as stored.
 */
export interface ContractTable {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  getItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined>;
  putItem(item: Record<string, unknown>): Promise<void>;
  /** Every item whose pk starts with `prefix`. */
  itemsWithPrefix(prefix: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startContractTable(): Promise<ContractTable> {
  const local = await startDynamoDbLocal();
  const client = new DynamoDBClient({ endpoint: local.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tableName = `contract-${randomUUID()}`;
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    client.destroy();
    await local.close();
    throw error;
  }
  const doc = DynamoDBDocumentClient.from(client);
  return {
    doc,
    tableName,
    async getItem(key) {
      return (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
    },
    async putItem(item) {
      await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    },
    async itemsWithPrefix(prefix) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({ TableName: tableName, ConsistentRead: true, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': prefix }, ExclusiveStartKey: start }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async close() {
      client.destroy();
      await local.close();
    },
  };
}

/** Collects an async iterable, for the stores' paged reads. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const value of iterable) all.push(value);
  return all;
}
