import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ShardCursor, ShardCursorRepository } from '#commons/revalidation/shard-cursors';
import { isConditionFailure } from './conditions.ts';
import { keys, SHARD_CURSOR_SORT_PREFIX, shardCursorPartition } from './keys.ts';
import { TABLE_KEY } from './schema.ts';
import { shardCursorFromItem, shardCursorItem } from './shard-cursor-mapper.ts';

/**
 * The sweep's per-shard cursors, all in one partition: one Query reads the 64 of them (small
 * items, a few read units). Every write is conditional on the pass it belongs to, so a stale run
 * changes nothing; a write that loses that race answers false instead of throwing.
 */
export class ShardCursorStore implements ShardCursorRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readAll(): Promise<ShardCursor[]> {
    const cursors: ShardCursor[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `${TABLE_KEY.partition} = :pk AND begins_with(${TABLE_KEY.sort}, :shard)`,
          ExpressionAttributeValues: { ':pk': shardCursorPartition(), ':shard': SHARD_CURSOR_SORT_PREFIX },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      cursors.push(...(page.Items ?? []).map(shardCursorFromItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return cursors;
  }

  start(shard: string, passStartedAt: number): Promise<boolean> {
    return this.conditional(new PutCommand({ TableName: this.tableName, Item: shardCursorItem({ shard, passStartedAt }), ConditionExpression: `attribute_not_exists(${TABLE_KEY.partition})` }));
  }

  advance(shard: string, pass: number, cursor: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.shardCursor(shard),
        ConditionExpression: 'passStartedAt = :pass',
        UpdateExpression: 'SET #cursor = :cursor',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: { ':pass': pass, ':cursor': cursor },
      }),
    );
  }

  completePass(shard: string, pass: number, at: number): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.shardCursor(shard),
        ConditionExpression: 'passStartedAt = :pass',
        UpdateExpression: 'SET passStartedAt = :next REMOVE #cursor',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: { ':pass': pass, ':next': at },
      }),
    );
  }

  private async conditional(command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      await (command instanceof PutCommand ? this.doc.send(command) : this.doc.send(command));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
