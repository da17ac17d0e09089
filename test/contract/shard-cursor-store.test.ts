import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepEntry } from '#commons/revalidation/ports';
import type { NewSession } from '#commons/sessions/model';
import { SessionStore } from '#commons/storage/session-store';
import { ShardCursorStore } from '#commons/storage/shard-cursor-store';
import { SweepIndex } from '#commons/storage/sweep-index';
import { type ContractTable, startContractTable } from '#test/support/contract-table';

/** ShardCursorStore against DynamoDB Local: the items as stored, and writes conditional on the pass. */
const T0 = Date.now();
let table: ContractTable;
let cursors: ShardCursorStore;

beforeAll(async () => {
  table = await startContractTable();
  cursors = new ShardCursorStore(table.doc, table.tableName);
});
afterAll(async () => table?.close());

describe('ShardCursorStore on DynamoDB Local', () => {
  it('keeps the cursors of passes in progress in one partition, read back with one Query', async () => {
    expect(await cursors.readAll()).toEqual([]);
    expect(await cursors.advance('07', T0, 'cursor-07')).toBe(true);
    expect(await cursors.advance('09', T0)).toBe(true);
    expect((await cursors.readAll()).sort((a, b) => a.shard.localeCompare(b.shard))).toStrictEqual([
      { shard: '07', passStartedAt: T0, cursor: 'cursor-07' },
      { shard: '09', passStartedAt: T0 },
    ]);
    expect(await table.getItem({ pk: 'SWEEPCURSOR#sweep', sk: 'SHARD#07' })).toStrictEqual({ pk: 'SWEEPCURSOR#sweep', sk: 'SHARD#07', entity: 'shardCursor', shard: '07', passStartedAt: T0, cursor: 'cursor-07' });
  });

  it('moves and ends a pass only for the run whose pass it is; an ended pass leaves no item', async () => {
    expect(await cursors.advance('12', T0, 'cursor-a')).toBe(true);
    expect(await cursors.advance('12', T0 - 1, 'cursor-stale')).toBe(false);
    expect(await cursors.advance('12', T0, 'cursor-b')).toBe(true);
    expect((await cursors.readAll()).find((c) => c.shard === '12')).toStrictEqual({ shard: '12', passStartedAt: T0, cursor: 'cursor-b' });
    expect(await cursors.completePass('12', T0 - 1)).toBe(false);
    expect(await cursors.completePass('12', T0)).toBe(true);
    // The same pass cannot end twice (a retried share).
    expect(await cursors.completePass('12', T0)).toBe(false);
    expect(await table.getItem({ pk: 'SWEEPCURSOR#sweep', sk: 'SHARD#12' })).toBeUndefined();
    // At its head again, the shard takes the next pass's first cursor.
    expect(await cursors.advance('12', T0 + 900_000, 'cursor-c')).toBe(true);
  });

  it('a cursor made after an entry resumes the shard just after it', async () => {
    const sessions = new SessionStore(table.doc, table.tableName, () => T0);
    const index = new SweepIndex(table.doc, table.tableName);
    for (let i = 0; i < 6; i++) {
      const session: NewSession = {
        id: `ses_cursor_${i}`,
        userId: 'usr_cursor',
        facebookUserId: 'fb_cursor',
        tokenHash: `hash_cursor_${i}`,
        createdAt: T0 + i,
        expiresAt: T0 + 3_600_000,
        authTime: T0,
        sealedToken: `v1.sealed.${i}`,
        sessionInfoTokenHash: `sit_cursor_${i}`,
      };
      await sessions.createSession({ session });
      await table.putItem({ ...(await table.getItem({ pk: `SESSION#${session.id}`, sk: 'SESSION' })), sweepShard: '33' });
    }
    const all: readonly SweepEntry[] = (await index.readPage('33', { limit: 100 })).entries;
    expect(all).toHaveLength(6);
    const rest = await index.readPage('33', { limit: 100, cursor: index.cursorAfter('33', all[2]!) });
    expect(rest.entries.map((e) => e.sessionId)).toEqual(all.slice(3).map((e) => e.sessionId));
  });
});
