import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ShardCursor, ShardCursorRepository } from '#commons/revalidation/shard-cursors';
import { isConditionFailure } from './conditions.ts';
import { keys, SHARD_CURSOR_SORT_PREFIX, shardCursorPartition } from './keys.ts';
import { partitionItems } from './partition-items.ts';
import { TABLE_KEY } from './schema.ts';
import { SHARD_CURSOR_ENTITY, shardCursorFromItem } from './shard-cursor-mapper.ts';

/**
 * The sweep's cursors of shards whose pass is in progress, all in one partition: one Query reads
 * them (small items, a few read units). A shard at its head has no item. Every write is
 * conditional on the pass it belongs to, so a stale run changes nothing; a write that loses that
 * race answers false instead of throwing.
 */
export class ShardCursorStore implements ShardCursorRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readAll(): Promise<ShardCursor[]> {
    return (await partitionItems(this.doc, this.tableName, { partitionKey: shardCursorPartition(), sortKeyPrefix: SHARD_CURSOR_SORT_PREFIX })).map(shardCursorFromItem);
  }

  advance(shard: string, pass: number, cursor?: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.shardCursor(shard),
        // A pass in progress is moved only by its own runs; a shard at its head takes any.
        ConditionExpression: `attribute_not_exists(${TABLE_KEY.partition}) OR passStartedAt = :pass`,
        UpdateExpression: `SET entity = :entity, #shard = :shard, passStartedAt = :pass${cursor ? ', #cursor = :cursor' : ' REMOVE #cursor'}`,
        // Both are DynamoDB reserved words.
        ExpressionAttributeNames: { '#shard': 'shard', '#cursor': 'cursor' },
        ExpressionAttributeValues: { ':entity': SHARD_CURSOR_ENTITY, ':shard': shard, ':pass': pass, ...(cursor ? { ':cursor': cursor } : {}) },
      }),
    );
  }

  completePass(shard: string, pass: number): Promise<boolean> {
    return this.conditional(
      new DeleteCommand({ TableName: this.tableName, Key: keys.shardCursor(shard), ConditionExpression: 'passStartedAt = :pass', ExpressionAttributeValues: { ':pass': pass } }),
    );
  }

  private async conditional(command: UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await (command instanceof UpdateCommand ? this.doc.send(command) : this.doc.send(command));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
