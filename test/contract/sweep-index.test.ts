import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepEntry } from '#commons/revalidation/ports';
import type { NewSession } from '#commons/sessions/model';
import { RevocationStore } from '#commons/storage/revocation-store';
import { sweepShards } from '#commons/storage/schema';
import { SessionStore } from '#commons/storage/session-store';
import { SweepCursorError } from '#commons/storage/sweep-cursor';
import { SweepIndex } from '#commons/storage/sweep-index';
import { type ContractTable, startContractTable } from '#test/support/contract-table';

/** SweepIndex against DynamoDB Local: every live session in exactly one shard, page by page. */
const T0 = Date.now();
const HOUR = 3_600_000;
let table: ContractTable;
let sessions: SessionStore;
let index: SweepIndex;
const created: NewSession[] = [];

beforeAll(async () => {
  table = await startContractTable();
  sessions = new SessionStore(table.doc, table.tableName, () => T0);
  index = new SweepIndex(table.doc, table.tableName);
  for (let i = 0; i < 40; i++) {
    const session: NewSession = {
      id: `ses_${String(i).padStart(3, '0')}`,
      userId: `usr_${i % 4}`,
      facebookUserId: `fb_${i % 4}`,
      tokenHash: `hash_${i}`,
      createdAt: T0 + i,
      expiresAt: T0 + HOUR + i,
      authTime: T0,
      sealedToken: `v1.sealed.${i}`,
      sessionInfoTokenHash: `sit_${i}`,
    };
    await sessions.createSession({ session });
    created.push(session);
  }
});
afterAll(async () => table?.close());

async function readShard(shard: string, limit: number): Promise<{ entries: SweepEntry[]; pages: number }> {
  const entries: SweepEntry[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await index.readPage(shard, { limit, ...(cursor ? { cursor } : {}) });
    entries.push(...page.entries);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { entries, pages };
}

describe('SweepIndex on DynamoDB Local', () => {
  it('finds every live session once across the 64 shards, with what the projection holds', async () => {
    const all: SweepEntry[] = [];
    for (const shard of sweepShards()) all.push(...(await readShard(shard, 7)).entries);
    expect(all.map((e) => e.sessionId).sort()).toEqual(created.map((s) => s.id));
    const sample = created[5]!;
    expect(all.find((e) => e.sessionId === sample.id)).toStrictEqual({
      sessionId: sample.id,
      userId: sample.userId,
      facebookUserId: sample.facebookUserId,
      sealedToken: sample.sealedToken,
      expiresAt: sample.expiresAt,
      status: 'active',
    });
  });

  it('pages through a shard with opaque cursors, and refuses a cursor in another shard', async () => {
    const item = await table.getItem({ pk: `SESSION#${created[0]!.id}`, sk: 'SESSION' });
    const shard = String(item!.sweepShard);
    const whole = await readShard(shard, 100);
    const paged = await readShard(shard, 1);
    expect(paged.entries).toEqual(whole.entries);
    expect(paged.pages).toBeGreaterThanOrEqual(whole.entries.length);

    const first = await index.readPage(shard, { limit: 1 });
    expect(first.nextCursor).toBeDefined();
    expect(first.nextCursor).not.toContain('SESSION#');
    const other = sweepShards().find((s) => s !== shard)!;
    await expect(index.readPage(other, { limit: 1, cursor: first.nextCursor! })).rejects.toBeInstanceOf(SweepCursorError);
  });

  it('drops a revoked session from the index (the index is sparse over live sessions)', async () => {
    const victim = created[1]!;
    const item = await table.getItem({ pk: `SESSION#${victim.id}`, sk: 'SESSION' });
    await new RevocationStore(table.doc, table.tableName, { retentionMs: HOUR }).revokeSession(victim.id, 'expired');
    const { entries } = await readShard(String(item!.sweepShard), 100);
    expect(entries.map((e) => e.sessionId)).not.toContain(victim.id);
  });
});
