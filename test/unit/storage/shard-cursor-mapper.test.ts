import { describe, expect, it } from 'vitest';
import { CorruptItemError } from '#commons/storage/item-fields';
import { shardCursorFromItem, shardCursorItem } from '#commons/storage/shard-cursor-mapper';

describe('shard cursor mapper', () => {
  it('stores a shard\'s pass and position under the one cursor partition, and reads it back', () => {
    const item = shardCursorItem({ shard: '07', passStartedAt: 1_700_000_000_000, cursor: 'WyJhIl0' });
    expect(item).toEqual({ pk: 'SWEEPCURSOR#sweep', sk: 'SHARD#07', entity: 'shardCursor', shard: '07', passStartedAt: 1_700_000_000_000, cursor: 'WyJhIl0' });
    expect(shardCursorFromItem(item)).toEqual({ shard: '07', passStartedAt: 1_700_000_000_000, cursor: 'WyJhIl0' });
  });

  it('at the head there is no cursor attribute at all', () => {
    const item = shardCursorItem({ shard: '00', passStartedAt: 5 });
    expect('cursor' in item).toBe(false);
    expect(shardCursorFromItem(item)).toStrictEqual({ shard: '00', passStartedAt: 5 });
  });

  it('refuses an item without its pass', () => {
    expect(() => shardCursorFromItem({ shard: '00' })).toThrow(CorruptItemError);
  });
});
