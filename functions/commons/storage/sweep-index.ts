import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SweepEntry, SweepIndexReader, SweepPage } from '#commons/revalidation/ports';
import { keys } from './keys.ts';
import { projectionOf } from './projection.ts';
import { SWEEP_INDEX } from './schema.ts';
import { decodeSweepCursor, encodeSweepCursor } from './sweep-cursor.ts';
import { SWEEP_ENTRY_ATTRIBUTES, sweepEntryFromItem } from './session-mapper.ts';

/**
 * Reads the sparse `sweep` index one shard and one page at a time, eventually consistent (GSIs
 * offer nothing else) and only the projected attributes, so a page of 500 sessions costs a few read
 * units. The cursor is opaque (`sweep-cursor.ts`); a cursor from another shard is refused.
 */
export class SweepIndex implements SweepIndexReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readPage(shard: string, options: { readonly cursor?: string; readonly limit: number }): Promise<SweepPage> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: SWEEP_INDEX.name,
        KeyConditionExpression: `${SWEEP_INDEX.partitionKey} = :shard`,
        ExpressionAttributeValues: { ':shard': shard },
        ...projectionOf(SWEEP_ENTRY_ATTRIBUTES),
        Limit: options.limit,
        ...(options.cursor ? { ExclusiveStartKey: decodeSweepCursor(options.cursor, shard) } : {}),
      }),
    );
    const entries = (page.Items ?? []).map(sweepEntryFromItem);
    return { entries, ...(page.LastEvaluatedKey ? { nextCursor: encodeSweepCursor(page.LastEvaluatedKey) } : {}) };
  }

  /**
   * The cursor a page would end with had it ended at `entry`: the index key of a session is its
   * shard and its session id (`keys.sweep`), its table key follows from the session id.
   */
  cursorAfter(shard: string, entry: Pick<SweepEntry, 'sessionId'>): string {
    return encodeSweepCursor({ ...keys.session(entry.sessionId), [SWEEP_INDEX.partitionKey]: shard, [SWEEP_INDEX.sortKey]: entry.sessionId });
  }
}
