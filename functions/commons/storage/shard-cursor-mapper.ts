import type { ShardCursor } from '#commons/revalidation/shard-cursors';
import { numberField, optionalStringField, type StoredItem, stringField } from './item-fields.ts';
import { keys } from './keys.ts';

export const SHARD_CURSOR_ENTITY = 'shardCursor';

/** A shard cursor as stored (`SWEEPCURSOR#sweep` / `SHARD#<nn>`); `cursor` absent at the head. */
export function shardCursorItem(cursor: ShardCursor): StoredItem {
  return {
    ...keys.shardCursor(cursor.shard),
    entity: SHARD_CURSOR_ENTITY,
    shard: cursor.shard,
    passStartedAt: cursor.passStartedAt,
    ...(cursor.cursor !== undefined ? { cursor: cursor.cursor } : {}),
  };
}

export function shardCursorFromItem(item: StoredItem): ShardCursor {
  const cursor = optionalStringField(item, 'cursor');
  return { shard: stringField(item, 'shard'), passStartedAt: numberField(item, 'passStartedAt'), ...(cursor !== undefined ? { cursor } : {}) };
}
