import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrentUpdateError, PersonChangedError } from '#commons/platform/errors';
import type { NewSession, User } from '#commons/sessions/model';
import { PersonDataStore } from '#commons/storage/person-data-store';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SessionStore } from '#commons/storage/session-store';
import { type ContractTable, startContractTable } from '#test/support/contract-table';

/** SessionStore against DynamoDB Local: what it writes, read back as stored, and its conditions. */
const T0 = Date.now();
const HOUR = 3_600_000;
let table: ContractTable;
let store: SessionStore;
let counter = 0;

beforeAll(async () => {
  table = await startContractTable();
  store = new SessionStore(table.doc, table.tableName, () => T0);
});
afterAll(async () => table?.close());

function unique(prefix: string): string {
  counter += 1;
  return `${prefix}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
}

function person(): User {
  return { id: unique('usr'), facebookUserId: unique('fb'), createdAt: T0 };
}

function newSession(user: User, overrides: Partial<NewSession> = {}): NewSession {
  return {
    id: unique('ses'),
    userId: user.id,
    facebookUserId: user.facebookUserId,
    tokenHash: unique('hash'),
    createdAt: T0,
    expiresAt: T0 + HOUR + 1,
    authTime: T0 - 60_000,
    sealedToken: 'v1.sealed.token',
    sessionInfoTokenHash: unique('sit'),
    ...overrides,
  };
}

describe('SessionStore on DynamoDB Local', () => {
  it('writes the link, the user, the token lock and the session, and reads each back', async () => {
    const user = person();
    const session = newSession(user);
    await store.createSession({ session, newUser: user });

    expect(await table.getItem({ pk: `FBUSER#${user.facebookUserId}`, sk: 'FBUSER' })).toEqual({
      pk: `FBUSER#${user.facebookUserId}`, sk: 'FBUSER', entity: 'facebookUser', userId: user.id, createdAt: T0, linkVersion: 0,
    });
    expect(await table.getItem({ pk: `USER#${user.id}`, sk: 'USER' })).toEqual({
      pk: `USER#${user.id}`, sk: 'USER', entity: 'user', userId: user.id, facebookUserId: user.facebookUserId, createdAt: T0,
    });
    expect(await table.getItem({ pk: `SITOKEN#${session.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toEqual({
      pk: `SITOKEN#${session.sessionInfoTokenHash}`, sk: 'SITOKEN', entity: 'sessionInfoTokenLock', sessionId: session.id, ttl: Math.ceil(session.expiresAt / 1000),
    });
    expect(await table.getItem({ pk: `SESSION#${session.id}`, sk: 'SESSION' })).toEqual({
      pk: `SESSION#${session.id}`,
      sk: 'SESSION',
      userPk: `USER#${user.id}`,
      userSk: `SESSION#${new Date(T0).toISOString()}#${session.id}`,
      sweepShard: expect.stringMatching(/^\d{2}$/),
      sweepKey: session.id,
      entity: 'session',
      sessionId: session.id,
      userId: user.id,
      facebookUserId: user.facebookUserId,
      tokenHash: session.tokenHash,
      createdAt: T0,
      expiresAt: session.expiresAt,
      authTime: session.authTime,
      status: 'active',
      sealedToken: 'v1.sealed.token',
      sessionInfoTokenHash: session.sessionInfoTokenHash,
      ttl: Math.ceil(session.expiresAt / 1000),
    });

    await expect(store.getUserByFacebookId(user.facebookUserId)).resolves.toEqual({ ...user, linkVersion: 0 });
    await expect(store.getSessionIdForSessionInfoToken(session.sessionInfoTokenHash)).resolves.toBe(session.id);
    await expect(store.getSession(session.id)).resolves.toStrictEqual({
      id: session.id,
      userId: user.id,
      facebookUserId: user.facebookUserId,
      tokenHash: session.tokenHash,
      createdAt: T0,
      expiresAt: session.expiresAt,
      authTime: session.authTime,
      status: 'active',
    });
  });

  it('answers nothing for a person, token or session it does not hold', async () => {
    await expect(store.getUserByFacebookId(unique('fb'))).resolves.toBeUndefined();
    await expect(store.getSessionIdForSessionInfoToken(unique('sit'))).resolves.toBeUndefined();
    await expect(store.getSession(unique('ses'))).resolves.toBeUndefined();
  });

  it('refuses a second new user for the same Facebook id, writing nothing of that sign-in', async () => {
    const user = person();
    await store.createSession({ session: newSession(user), newUser: user });
    const rival = { ...person(), facebookUserId: user.facebookUserId };
    const lost = newSession(rival);
    await expect(store.createSession({ session: lost, newUser: rival })).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect(await table.getItem({ pk: `USER#${rival.id}`, sk: 'USER' })).toBeUndefined();
    expect(await table.getItem({ pk: `SESSION#${lost.id}`, sk: 'SESSION' })).toBeUndefined();
    expect(await table.getItem({ pk: `SITOKEN#${lost.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toBeUndefined();
  });

  it('keeps one live session per token: a second sign-in must name the session it replaces', async () => {
    const user = person();
    const first = newSession(user);
    await store.createSession({ session: first, newUser: user });
    const second = newSession(user, { sessionInfoTokenHash: first.sessionInfoTokenHash });
    await expect(store.createSession({ session: second })).rejects.toBeInstanceOf(ConcurrentUpdateError);
    await expect(store.createSession({ session: second, replacesSessionId: 'ses_not_the_holder' })).rejects.toBeInstanceOf(ConcurrentUpdateError);

    await store.createSession({ session: second, replacesSessionId: first.id });
    expect(await table.getItem({ pk: `SESSION#${first.id}`, sk: 'SESSION' })).toBeUndefined();
    expect(await table.getItem({ pk: `SITOKEN#${first.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toMatchObject({ sessionId: second.id });
  });

  it('takes over a token lock whose session has expired, even before TTL removes it', async () => {
    const user = person();
    const old = newSession(user);
    await store.createSession({ session: old, newUser: user });
    const later = new SessionStore(table.doc, table.tableName, () => T0 + 2 * HOUR);
    await expect(later.getSessionIdForSessionInfoToken(old.sessionInfoTokenHash)).resolves.toBeUndefined();
    await expect(later.getSession(old.id)).resolves.toBeUndefined();
    const fresh = newSession(user, { sessionInfoTokenHash: old.sessionInfoTokenHash, createdAt: T0 + 2 * HOUR, expiresAt: T0 + 3 * HOUR });
    await later.createSession({ session: fresh });
    expect(await table.getItem({ pk: `SITOKEN#${old.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toMatchObject({ sessionId: fresh.id });
  });

  it('deletes a session with its token lock', async () => {
    const user = person();
    const session = newSession(user);
    await store.createSession({ session, newUser: user });
    await store.deleteSession(session.id);
    expect(await table.getItem({ pk: `SESSION#${session.id}`, sk: 'SESSION' })).toBeUndefined();
    expect(await table.getItem({ pk: `SITOKEN#${session.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toBeUndefined();
    // The sign-out's outbox item: the stream turns its INSERT into `Session Ended`.
    expect(await table.getItem({ pk: `ENDED#${session.id}`, sk: 'ENDED' })).toEqual({
      pk: `ENDED#${session.id}`, sk: 'ENDED', entity: 'sessionEnded', sessionId: session.id, userId: user.id, endedAt: T0, ttl: Math.ceil((T0 + 24 * HOUR) / 1000),
    });
    await expect(store.deleteSession(session.id)).resolves.toBeUndefined();
  });

  it('deletes only the session when its token lock already belongs to a newer session', async () => {
    const user = person();
    const session = newSession(user);
    await store.createSession({ session, newUser: user });
    await table.putItem({ pk: `SITOKEN#${session.sessionInfoTokenHash}`, sk: 'SITOKEN', entity: 'sessionInfoTokenLock', sessionId: 'ses_newer', ttl: Math.ceil((T0 + HOUR) / 1000) });
    await store.deleteSession(session.id);
    expect(await table.getItem({ pk: `SESSION#${session.id}`, sk: 'SESSION' })).toBeUndefined();
    expect(await table.getItem({ pk: `SITOKEN#${session.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toMatchObject({ sessionId: 'ses_newer' });
  });

  it('keeps a revocation record that races a sign-out or a sign-in replacing the session', async () => {
    const revocations = new RevocationStore(table.doc, table.tableName, { retentionMs: HOUR });
    const user = person();
    const first = newSession(user);
    await store.createSession({ session: first, newUser: user });
    // A sign-in read the lock (pointing at `first`); the sweep revokes `first` and, before it
    // releases the lock, the sign-in writes: the lock is taken over, the record stays.
    await revocations.revokeSession(first.id, 'password_changed');
    await table.putItem({ pk: `SITOKEN#${first.sessionInfoTokenHash}`, sk: 'SITOKEN', entity: 'sessionInfoTokenLock', sessionId: first.id, ttl: Math.ceil((T0 + HOUR) / 1000) });
    const second = newSession(user, { sessionInfoTokenHash: first.sessionInfoTokenHash });
    await store.createSession({ session: second, replacesSessionId: first.id, knownUser: { ...user, linkVersion: 0 } });
    expect(await table.getItem({ pk: `SESSION#${first.id}`, sk: 'SESSION' })).toMatchObject({ status: 'revoked', revokedReason: 'password_changed' });
    expect(await table.getItem({ pk: `SITOKEN#${first.sessionInfoTokenHash}`, sk: 'SITOKEN' })).toMatchObject({ sessionId: second.id });

    // A sign-out of a session revoked after it was authenticated leaves the record too.
    await revocations.revokeSession(second.id, 'logged_out');
    await store.deleteSession(second.id);
    expect(await table.getItem({ pk: `SESSION#${second.id}`, sk: 'SESSION' })).toMatchObject({ status: 'revoked', revokedReason: 'logged_out' });
  });

  it("refuses a sign-in whose person's link changed since it was read (app removal, data deletion), writing nothing", async () => {
    const revocations = new RevocationStore(table.doc, table.tableName, { retentionMs: HOUR });
    const personData = new PersonDataStore(table.doc, table.tableName, () => T0);
    const user = person();
    await store.createSession({ session: newSession(user), newUser: user });
    const read = (await store.getUserByFacebookId(user.facebookUserId))!;
    await revocations.markAppRemoved(user.facebookUserId, T0);
    const late = newSession(user);
    await expect(store.createSession({ session: late, knownUser: read })).rejects.toBeInstanceOf(PersonChangedError);
    expect(await table.getItem({ pk: `SESSION#${late.id}`, sk: 'SESSION' })).toBeUndefined();

    const reread = (await store.getUserByFacebookId(user.facebookUserId))!;
    expect(reread.linkVersion).toBe(1);
    await personData.markDeletionStarted(user.facebookUserId);
    await expect(store.createSession({ session: newSession(user), knownUser: reread })).rejects.toBeInstanceOf(PersonChangedError);
    await expect(store.getUserByFacebookId(user.facebookUserId)).resolves.toMatchObject({ linkVersion: 2, deletingSince: T0 });
  });
});
