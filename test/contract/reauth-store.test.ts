import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReauthStore } from '#commons/storage/reauth-store';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SessionStore } from '#commons/storage/session-store';
import { type ContractTable, startContractTable } from '#test/support/contract-table';

/**
 * ReauthStore against DynamoDB Local: the nonce is spent and the session refreshed in one
 * transaction, exactly once however many completions race, and a refused commit writes nothing.
 */
let table: ContractTable;
let store: ReauthStore;
let sessions: SessionStore;
let counter = 0;

beforeAll(async () => {
  table = await startContractTable();
  store = new ReauthStore(table.doc, table.tableName);
  sessions = new SessionStore(table.doc, table.tableName);
});
afterAll(async () => table?.close());

/** A live session holding a session-info token, and an issued nonce for it. */
async function sessionWithNonce(nonceExpiresIn = 600_000) {
  counter += 1;
  const now = Date.now();
  const id = `ses_${String(counter).padStart(22, '0')}`;
  await sessions.createSession({
    session: {
      id,
      userId: `usr_${counter}`,
      facebookUserId: `10${counter}`,
      tokenHash: 'a'.repeat(64),
      createdAt: now,
      expiresAt: now + 86_400_000,
      authTime: now - 3_600_000,
      signInMethod: 'web',
      sealedToken: 'sealed-old',
      sessionInfoTokenHash: `old-${counter}`,
    },
  });
  const nonceHash = `nonce-${counter}`;
  await store.putChallenge({ nonceHash, sessionId: id, userId: `usr_${counter}`, facebookUserId: `10${counter}`, createdAt: now, expiresAt: now + nonceExpiresIn, status: 'issued' });
  return { id, userId: `usr_${counter}`, nonceHash };
}

const refresh = (session: { id: string; userId: string }, tag: string) => ({
  sessionId: session.id,
  userId: session.userId,
  authTime: Date.now(),
  sealedToken: `sealed-${tag}`,
  sessionInfoTokenHash: `new-${session.id}-${tag}`,
});

describe('ReauthStore.putChallenge and getChallenge', () => {
  it('store the nonce under its hash, issued, with a TTL a day past its expiry, and read it back', async () => {
    const session = await sessionWithNonce();
    const item = await table.getItem({ pk: `REAUTH#${session.nonceHash}`, sk: 'REAUTH' });
    expect(item).toMatchObject({ entity: 'reauthNonce', sessionId: session.id, userId: session.userId, status: 'issued' });
    expect(item!.ttl).toBe(Math.ceil(((item!.expiresAt as number) + 86_400_000) / 1000));
    await expect(store.getChallenge(session.nonceHash)).resolves.toMatchObject({ sessionId: session.id, status: 'issued' });
    await expect(store.getChallenge('never-issued')).resolves.toBeUndefined();
  });
});

describe('ReauthStore.commitReauthentication', () => {
  it('of ten racing commits on one nonce, exactly one completes; the rest see it spent', async () => {
    const session = await sessionWithNonce();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.commitReauthentication(session.nonceHash, refresh(session, String(i)))));
    expect(results.filter((r) => r.status === 'completed')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'nonce_spent')).toHaveLength(9);
    const winner = results.findIndex((r) => r.status === 'completed');
    const stored = await sessions.getSession(session.id);
    expect(stored?.authTime).toBeGreaterThan(Date.now() - 60_000);
    expect(await store.getChallenge(session.nonceHash)).toMatchObject({ status: 'spent', spentAt: expect.any(Number) });
    const item = await table.getItem({ pk: `SESSION#${session.id}`, sk: 'SESSION' });
    expect(item).toMatchObject({ sealedToken: `sealed-${winner}`, sessionInfoTokenHash: `new-${session.id}-${winner}` });
  });

  it("refuses another session's nonce, an expired one, and a revoked session, writing nothing", async () => {
    const mine = await sessionWithNonce();
    const other = await sessionWithNonce();
    expect(await store.commitReauthentication(other.nonceHash, refresh(mine, 'x'))).toEqual({ status: 'nonce_unknown' });
    expect(await store.commitReauthentication('never-issued', refresh(mine, 'x'))).toEqual({ status: 'nonce_unknown' });

    const expired = await sessionWithNonce(-1000);
    expect(await store.commitReauthentication(expired.nonceHash, refresh(expired, 'x'))).toEqual({ status: 'nonce_expired' });

    const revoked = await sessionWithNonce();
    await new RevocationStore(table.doc, table.tableName, { retentionMs: 86_400_000 }).revokeSession(revoked.id, 'logged_out');
    expect(await store.commitReauthentication(revoked.nonceHash, refresh(revoked, 'x'))).toEqual({ status: 'session_ended' });

    for (const untouched of [mine, other, expired, revoked]) {
      expect(await store.getChallenge(untouched.nonceHash)).toMatchObject({ status: 'issued' });
    }
    expect((await sessions.getSession(mine.id))?.authTime).toBeLessThan(Date.now() - 3_000_000);
  });
});
