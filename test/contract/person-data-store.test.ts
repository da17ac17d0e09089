import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewSession, User } from '#commons/sessions/model';
import { AuditStore } from '#commons/storage/audit-store';
import { PersonDataStore } from '#commons/storage/person-data-store';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SessionStore } from '#commons/storage/session-store';
import { collect, type ContractTable, startContractTable } from '#test/support/contract-table';

/** PersonDataStore against DynamoDB Local: a person erased item by item, and the anonymous record. */
const T0 = Date.now();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let table: ContractTable;
let sessions: SessionStore;
let store: PersonDataStore;
let counter = 0;

beforeAll(async () => {
  table = await startContractTable();
  sessions = new SessionStore(table.doc, table.tableName, () => T0);
  store = new PersonDataStore(table.doc, table.tableName, () => T0);
});
afterAll(async () => table?.close());

const unique = (prefix: string) => `${prefix}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;

/** A person with `count` sessions (the first one creates them), each holding its own token lock. */
async function personWithSessions(count: number): Promise<{ user: User; sessions: NewSession[] }> {
  const user: User = { id: unique('usr'), facebookUserId: unique('fb'), createdAt: T0 };
  const created: NewSession[] = [];
  for (let i = 0; i < count; i++) {
    const session: NewSession = {
      id: unique('ses'),
      userId: user.id,
      facebookUserId: user.facebookUserId,
      tokenHash: unique('hash'),
      createdAt: T0 + i,
      expiresAt: T0 + HOUR,
      authTime: T0,
      sealedToken: 'v1.sealed.token',
      sessionInfoTokenHash: unique('sit'),
    };
    await sessions.createSession({ session, ...(i === 0 ? { newUser: user } : {}) });
    created.push(session);
  }
  return { user, sessions: created };
}

describe('PersonDataStore on DynamoDB Local', () => {
  it("lists a person's sessions, live and revoked, with the token lock each holds", async () => {
    const { user, sessions: mine } = await personWithSessions(3);
    await new RevocationStore(table.doc, table.tableName, { retentionMs: DAY }).revokeSession(mine[1]!.id, 'logged_out');
    const refs = (await collect(store.sessionPagesOfUser(user.id))).flat();
    expect(refs.sort((a, b) => a.sessionId.localeCompare(b.sessionId))).toEqual(
      mine.map((s) => ({ sessionId: s.id, sessionInfoTokenHash: s.sessionInfoTokenHash })).sort((a, b) => a.sessionId.localeCompare(b.sessionId)),
    );
  });

  it('deletes every session and token lock, past the 25 keys of one batch', async () => {
    const { user, sessions: mine } = await personWithSessions(15);
    await store.deleteSessions(mine.map((s) => ({ sessionId: s.id, sessionInfoTokenHash: s.sessionInfoTokenHash })));
    for (const session of mine) {
      expect(await table.getItem({ pk: `SESSION#${session.id}`, sk: 'SESSION' })).toBeUndefined();
      expect(await table.getItem({ pk: `SITOKEN#${session.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toBeUndefined();
    }
    await expect(collect(store.sessionPagesOfUser(user.id))).resolves.toEqual([]);
  });

  it("deletes the operators' audit records that name the person, by our id or Facebook id, and no one else's", async () => {
    const audit = new AuditStore(table.doc, table.tableName, { retentionMs: DAY });
    const { user } = await personWithSessions(1);
    const other = { id: unique('usr'), facebookUserId: unique('fb') };
    const operator = { principal: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' };
    const entry = (action: string, target: Record<string, string>, at: number) => ({ action, operator, target, outcome: 'done' as const, at });
    // 30 about the person by our id: more than one batch of deletes.
    for (let i = 0; i < 30; i++) await audit.record(entry('sessions.list', { userId: user.id }, T0 + i));
    await audit.record(entry('sessions.list', { facebookUserId: user.facebookUserId }, T0));
    await audit.record(entry('sessions.list', { userId: other.id }, T0));
    await audit.record(entry('sessions.list', { facebookUserId: other.facebookUserId }, T0));
    await audit.record(entry('session.end', { id: 'ses_someone' }, T0));
    const before = await table.itemsWithPrefix('AUDIT#');

    await expect(store.deleteAuditRecordsAbout({ userId: user.id, facebookUserId: user.facebookUserId })).resolves.toBe(31);

    const after = await table.itemsWithPrefix('AUDIT#');
    expect(before.length - after.length).toBe(31);
    const targets = after.map((item) => JSON.stringify(item.target));
    expect(targets.some((target) => target.includes(user.id) || target.includes(user.facebookUserId))).toBe(false);
    for (const kept of [other.id, other.facebookUserId, 'ses_someone']) expect(targets.some((target) => target.includes(kept))).toBe(true);
    // Sessions share the person's index partition; their listing is untouched by audit records.
    expect((await collect(store.sessionPagesOfUser(user.id))).flat()).toHaveLength(1);
    await expect(store.deleteAuditRecordsAbout({ facebookUserId: user.facebookUserId })).resolves.toBe(0);
  });

  it('deletes the user and the Facebook-id link, counting what existed', async () => {
    const { user } = await personWithSessions(1);
    await expect(store.deleteUser(user.id, user.facebookUserId)).resolves.toBe(2);
    expect(await table.getItem({ pk: `USER#${user.id}`, sk: 'USER' })).toBeUndefined();
    expect(await table.getItem({ pk: `FBUSER#${user.facebookUserId}`, sk: 'FBUSER' })).toBeUndefined();
    await expect(store.deleteUser(user.id, user.facebookUserId)).resolves.toBe(0);
  });

  it('writes a deletion record naming the person while in progress, keeps the first one on a repeat, then completes it once and anonymous', async () => {
    const code = unique('CODE');
    const subject = { facebookUserId: '42', userId: 'usr_x' };
    await expect(store.startDataDeletion(code, 90 * DAY, subject)).resolves.toEqual({ confirmationCode: code, status: 'in_progress', requestedAt: T0, expiresAt: Math.ceil((T0 + 90 * DAY) / 1000) * 1000 });
    expect(await table.getItem({ pk: `DELETION#${code}`, sk: 'DELETION' })).toEqual({
      pk: `DELETION#${code}`, sk: 'DELETION', entity: 'dataDeletion', status: 'in_progress', requestedAt: T0, ttl: Math.ceil((T0 + 90 * DAY) / 1000), ...subject,
    });
    const repeat = new PersonDataStore(table.doc, table.tableName, () => T0 + 5000);
    // A retry after the user record went finds no user id; the first attempt's stays.
    await expect(repeat.startDataDeletion(code, DAY, { facebookUserId: '42' })).resolves.toMatchObject({ requestedAt: T0, expiresAt: Math.ceil((T0 + 90 * DAY) / 1000) * 1000 });
    expect(await table.getItem({ pk: `DELETION#${code}`, sk: 'DELETION' })).toMatchObject(subject);

    const done = await repeat.completeDataDeletion(code, { sessions: 3, userRecords: 2 });
    expect(done).toEqual({ confirmationCode: code, status: 'completed', requestedAt: T0, completedAt: T0 + 5000, deleted: { sessions: 3, userRecords: 2 }, expiresAt: Math.ceil((T0 + 90 * DAY) / 1000) * 1000 });
    expect(await table.getItem({ pk: `DELETION#${code}`, sk: 'DELETION' })).toMatchObject({ status: 'completed', completedAt: T0 + 5000, sessionsDeleted: 3, userRecordsDeleted: 2 });
    const completed = await table.getItem({ pk: `DELETION#${code}`, sk: 'DELETION' });
    expect(completed).not.toHaveProperty('facebookUserId');
    expect(completed).not.toHaveProperty('userId');
    // A repeat after completion hands back the record and writes the ids back nowhere.
    await expect(store.startDataDeletion(code, DAY, subject)).resolves.toEqual(done);
    expect(await table.getItem({ pk: `DELETION#${code}`, sk: 'DELETION' })).toEqual(completed);
    // A racing duplicate finishing second gets the first one's record, read back from the failed condition.
    await expect(store.completeDataDeletion(code, { sessions: 0, userRecords: 0 })).resolves.toEqual(done);
    await expect(store.getDataDeletion(code)).resolves.toEqual(done);
  });

  it('answers no record for an unknown code or one past its retention, and refuses to complete a missing one', async () => {
    const code = unique('CODE');
    await expect(store.getDataDeletion(code)).resolves.toBeUndefined();
    await expect(store.completeDataDeletion(code, { sessions: 0, userRecords: 0 })).rejects.toThrow(/vanished/);
    expect(await table.getItem({ pk: `DELETION#${code}`, sk: 'DELETION' })).toBeUndefined();
    await store.startDataDeletion(code, DAY, { facebookUserId: '42' });
    const later = new PersonDataStore(table.doc, table.tableName, () => T0 + 2 * DAY);
    await expect(later.getDataDeletion(code)).resolves.toBeUndefined();
  });
});
