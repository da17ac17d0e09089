import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewSession, User } from '#commons/sessions/model';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SessionStore } from '#commons/storage/session-store';
import { collect, type ContractTable, startContractTable } from '#test/support/contract-table';

/** RevocationStore against DynamoDB Local: the revocation record as stored, and revoking once. */
const T0 = Date.now();
const HOUR = 3_600_000;
const RETENTION_MS = 90 * 24 * HOUR;
let table: ContractTable;
let sessions: SessionStore;
let revocations: RevocationStore;
let counter = 0;

beforeAll(async () => {
  table = await startContractTable();
  sessions = new SessionStore(table.doc, table.tableName, () => T0);
  revocations = new RevocationStore(table.doc, table.tableName, { retentionMs: RETENTION_MS }, () => T0 + 1000);
});
afterAll(async () => table?.close());

const unique = (prefix: string) => `${prefix}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;

async function signedIn(user: User = { id: unique('usr'), facebookUserId: unique('fb'), createdAt: T0 }, isNew = true): Promise<NewSession> {
  const session: NewSession = {
    id: unique('ses'),
    userId: user.id,
    facebookUserId: user.facebookUserId,
    tokenHash: unique('hash'),
    createdAt: T0 + counter,
    expiresAt: T0 + HOUR,
    authTime: T0,
    sealedToken: 'v1.sealed.token',
    sessionInfoTokenHash: unique('sit'),
  };
  await sessions.createSession({ session, ...(isNew ? { newUser: user } : {}) });
  return session;
}

describe('RevocationStore on DynamoDB Local', () => {
  it('turns a live session into its revocation record: sealed token and sweep keys gone, reason kept until the retention ends', async () => {
    const session = await signedIn();
    await expect(revocations.revokeSession(session.id, 'password_changed')).resolves.toEqual({ result: 'revoked', userId: session.userId });

    const record = await table.getItem({ pk: `SESSION#${session.id}`, sk: 'SESSION' });
    expect(record).toMatchObject({
      status: 'revoked',
      revokedReason: 'password_changed',
      revokedAt: T0 + 1000,
      ttl: Math.ceil((T0 + 1000 + RETENTION_MS) / 1000),
      userPk: `USER#${session.userId}`,
      sessionInfoTokenHash: session.sessionInfoTokenHash,
    });
    expect(record).not.toHaveProperty('sealedToken');
    expect(record).not.toHaveProperty('sweepShard');
    expect(record).not.toHaveProperty('sweepKey');
    expect(await table.getItem({ pk: `SITOKEN#${session.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toBeUndefined();
    await expect(sessions.getSession(session.id)).resolves.toMatchObject({ status: 'revoked', revokedReason: 'password_changed', revokedAt: T0 + 1000 });
  });

  it('revokes once: a repeated revocation changes nothing, and an unknown session is not created', async () => {
    const session = await signedIn();
    await revocations.revokeSession(session.id, 'logged_out');
    const before = await table.getItem({ pk: `SESSION#${session.id}`, sk: 'SESSION' });
    await expect(revocations.revokeSession(session.id, 'expired')).resolves.toEqual({ result: 'not_active' });
    expect(await table.getItem({ pk: `SESSION#${session.id}`, sk: 'SESSION' })).toEqual(before);

    const missing = unique('ses');
    await expect(revocations.revokeSession(missing, 'expired')).resolves.toEqual({ result: 'not_active' });
    expect(await table.getItem({ pk: `SESSION#${missing}`, sk: 'SESSION' })).toBeUndefined();
  });

  it('leaves a token lock that already points at another session', async () => {
    const session = await signedIn();
    await table.putItem({ pk: `SITOKEN#${session.sessionInfoTokenHash}`, sk: 'SITOKEN', entity: 'sessionInfoTokenLock', sessionId: 'ses_newer', ttl: Math.ceil((T0 + HOUR) / 1000) });
    await expect(revocations.revokeSession(session.id, 'app_removed')).resolves.toMatchObject({ result: 'revoked' });
    expect(await table.getItem({ pk: `SITOKEN#${session.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toMatchObject({ sessionId: 'ses_newer' });
  });

  it("lists every session of a person, live and revoked, and nobody else's", async () => {
    const user: User = { id: unique('usr'), facebookUserId: unique('fb'), createdAt: T0 };
    const first = await signedIn(user);
    const second = await signedIn(user, false);
    const third = await signedIn(user, false);
    await signedIn();
    await revocations.revokeSession(second.id, 'logged_out');
    const refs = await collect(revocations.sessionsOfUser(user.id));
    expect(refs.map((ref) => ref.sessionId).sort()).toEqual([first.id, second.id, third.id].sort());
    expect(Object.fromEntries(refs.map((ref) => [ref.sessionId, ref.status]))).toEqual({ [first.id]: 'active', [second.id]: 'revoked', [third.id]: 'active' });
    expect(refs.every((ref) => typeof ref.createdAt === 'number' && typeof ref.expiresAt === 'number')).toBe(true);
    await expect(collect(revocations.sessionsOfUser(unique('usr')))).resolves.toEqual([]);
  });

  it('marks an app removal on the person\'s link, bumping its version; nobody for an unknown Facebook id', async () => {
    const user: User = { id: unique('usr'), facebookUserId: unique('fb'), createdAt: T0 };
    await signedIn(user);
    await expect(revocations.markAppRemoved(user.facebookUserId, T0 + 5000)).resolves.toMatchObject({ id: user.id, linkVersion: 1, appRemovedAt: T0 + 5000 });
    await expect(revocations.markAppRemoved(user.facebookUserId, T0 + 6000)).resolves.toMatchObject({ linkVersion: 2, appRemovedAt: T0 + 6000 });
    // Facebook repeating an earlier callback changes nothing, and still names the person.
    await expect(revocations.markAppRemoved(user.facebookUserId, T0 + 5000)).resolves.toMatchObject({ id: user.id, linkVersion: 2, appRemovedAt: T0 + 6000 });
    await expect(revocations.markAppRemoved(unique('fb'), T0)).resolves.toBeUndefined();
  });
});
