import { describe, expect, it } from 'vitest';
import {
  CONFIRMATION_CODE_PATTERN,
  confirmationCodeFor,
  dataDeletionStatusUrl,
  deletePersonData,
} from '#commons/facebook-callbacks/data-deletion';
import { verifySignedRequest } from '#commons/facebook-callbacks/signed-request';
import { signSignedRequest } from '#local/signed-request-signer';
import type { DataDeletionCounts, DataDeletionRecord, DataDeletionSubject, StoredSessionRef } from '#commons/facebook-callbacks/ports';

const NOW = Date.UTC(2025, 0, 15, 12);
const NOW_S = NOW / 1000;
const CODE = 'ABCDEFGHIJKLMNOPQRSTUVWX';

/**
 * An in-memory table for one person: what the store would hold, so a test can read back exactly
 * what is left. `indexLag` makes the byUser index miss the newest sessions on its first read.
 */
function fakeStore(options: { sessions?: StoredSessionRef[]; user?: boolean; indexLagPasses?: number; failDeleteAfter?: number } = {}) {
  const sessions = new Map((options.sessions ?? []).map((s) => [s.sessionId, s]));
  const locks = new Set((options.sessions ?? []).flatMap((s) => (s.sessionInfoTokenHash ? [s.sessionInfoTokenHash] : [])));
  let userRecord = options.user !== false;
  let link = options.user !== false;
  const records = new Map<string, DataDeletionRecord>();
  let queries = 0;
  let deleteBatches = 0;
  let failDeleteAfter = options.failDeleteAfter;
  let marked = false;
  let marks = 0;
  const subjects = new Map<string, DataDeletionSubject>();
  /** Audit records naming the person, by our id and by Facebook id. */
  const audits = { byUserId: 2, byFacebookUserId: 1 };
  const auditErasures: { userId?: string; facebookUserId: string }[] = [];
  const hidden = new Set(options.indexLagPasses ? [...sessions.keys()].slice(-1) : []);
  return {
    sessions,
    locks,
    records,
    subjects,
    marks: () => marks,
    /** The person signs in again after their data was erased: a new link. */
    comesBack: () => {
      link = true;
      userRecord = true;
    },
    left: () => ({ sessions: sessions.size, locks: locks.size, userRecord, link }),
    audits,
    auditErasures,
    /** DynamoDB is back: deletes succeed again. */
    heal: () => {
      failDeleteAfter = undefined;
    },
    deps: {
      recordRetentionMs: 90 * 86400_000,
      personData: {
        getDataDeletion: async (code: string) => records.get(code),
        markDeletionStarted: async (facebookUserId: string) => {
          marked = true;
          marks++;
          return link ? { id: 'usr_x', facebookUserId, createdAt: 1 } : undefined;
        },
        async *sessionPagesOfUser(userId: string) {
          expect(userId).toBe('usr_x');
          queries++;
          const visible = [...sessions.values()].filter((s) => !(hidden.has(s.sessionId) && queries <= (options.indexLagPasses ?? 0)));
          for (let i = 0; i < visible.length; i += 2) yield visible.slice(i, i + 2);
        },
        async deleteSessions(refs: readonly StoredSessionRef[]) {
          // The link is marked before anything of theirs is deleted, so no sign-in slips in meanwhile.
          expect(marked).toBe(true);
          deleteBatches++;
          if (failDeleteAfter !== undefined && deleteBatches > failDeleteAfter) throw new Error('throttled');
          for (const ref of refs) {
            sessions.delete(ref.sessionId);
            if (ref.sessionInfoTokenHash) locks.delete(ref.sessionInfoTokenHash);
          }
        },
        async deleteAuditRecordsAbout(person: { userId?: string; facebookUserId: string }) {
          // Before the link goes, so a retry still knows our id for the person.
          expect(link || options.user === false).toBe(true);
          auditErasures.push(person);
          const count = (person.userId === 'usr_x' ? audits.byUserId : 0) + (person.facebookUserId === '42' ? audits.byFacebookUserId : 0);
          if (person.userId === 'usr_x') audits.byUserId = 0;
          if (person.facebookUserId === '42') audits.byFacebookUserId = 0;
          return count;
        },
        async deleteUser(userId: string, facebookUserId: string) {
          expect([userId, facebookUserId]).toEqual(['usr_x', '42']);
          expect(audits).toEqual({ byUserId: 0, byFacebookUserId: 0 });
          // The link must outlive every other record of the person.
          expect(sessions.size).toBe(0);
          const count = Number(userRecord) + Number(link);
          userRecord = false;
          link = false;
          return count;
        },
        async startDataDeletion(code: string, retentionMs: number, person: DataDeletionSubject) {
          if (records.get(code)?.status !== 'completed') subjects.set(code, { ...subjects.get(code), ...person });
          const record = records.get(code) ?? { confirmationCode: code, status: 'in_progress' as const, requestedAt: NOW, expiresAt: NOW + retentionMs };
          records.set(code, record);
          return record;
        },
        async completeDataDeletion(code: string, deleted: DataDeletionCounts) {
          const record: DataDeletionRecord = { ...records.get(code)!, status: 'completed', completedAt: NOW + 1, deleted };
          records.set(code, record);
          return record;
        },
      },
    },
  };
}

const sessionsOf = (n: number): StoredSessionRef[] => Array.from({ length: n }, (_, i) => ({ sessionId: `ses_${i}`, ...(i % 2 === 0 ? { sessionInfoTokenHash: `h${i}` } : {}) }));

describe('deletePersonData', () => {
  it('deletes every session, token lock, the user record and the link, and completes the record with counts', async () => {
    const store = fakeStore({ sessions: sessionsOf(5) });
    const record = await deletePersonData(store.deps, '42', CODE);
    expect(store.left()).toEqual({ sessions: 0, locks: 0, userRecord: false, link: false });
    expect(record).toEqual({
      confirmationCode: CODE,
      status: 'completed',
      requestedAt: NOW,
      completedAt: NOW + 1,
      deleted: { sessions: 5, userRecords: 2 },
      expiresAt: NOW + 90 * 86400_000,
    });
  });

  it('erases the operators’ audit records that named the person, by our id and by Facebook id, before the link', async () => {
    const store = fakeStore({ sessions: sessionsOf(1) });
    await deletePersonData(store.deps, '42', CODE);
    expect(store.auditErasures).toEqual([{ facebookUserId: '42', userId: 'usr_x' }]);
    expect(store.audits).toEqual({ byUserId: 0, byFacebookUserId: 0 });
  });

  it('erases audit records by Facebook id even for a person we no longer hold a link for', async () => {
    const store = fakeStore({ user: false });
    await deletePersonData(store.deps, '42', CODE);
    expect(store.auditErasures).toEqual([{ facebookUserId: '42' }]);
    expect(store.audits.byFacebookUserId).toBe(0);
  });

  it('queries the index again when it lagged behind a new session, and counts each session once', async () => {
    const store = fakeStore({ sessions: sessionsOf(3), indexLagPasses: 1 });
    const record = await deletePersonData(store.deps, '42', CODE);
    expect(store.left().sessions).toBe(0);
    expect(record.deleted).toEqual({ sessions: 3, userRecords: 2 });
  });

  it('completes with zero counts for a person we hold nothing on (never seen, or already deleted)', async () => {
    const store = fakeStore({ user: false });
    await expect(deletePersonData(store.deps, '42', CODE)).resolves.toMatchObject({ status: 'completed', deleted: { sessions: 0, userRecords: 0 } });
  });

  it('returns a completed record as it is when the same request comes again', async () => {
    const store = fakeStore({ sessions: sessionsOf(2) });
    const first = await deletePersonData(store.deps, '42', CODE);
    const again = await deletePersonData(store.deps, '42', CODE);
    expect(again).toEqual(first);
  });

  it('names the person (Facebook id, and our user id when we knew them) on the record while it runs', async () => {
    const store = fakeStore({ sessions: sessionsOf(1) });
    await deletePersonData(store.deps, '42', CODE);
    expect(store.subjects.get(CODE)).toEqual({ facebookUserId: '42', userId: 'usr_x' });
    const stranger = fakeStore({ user: false });
    await deletePersonData(stranger.deps, '42', CODE);
    expect(stranger.subjects.get(CODE)).toEqual({ facebookUserId: '42' });
  });

  it('marks nobody when a completed request comes again: a person who came back since can still sign in', async () => {
    const store = fakeStore({ sessions: sessionsOf(1) });
    const first = await deletePersonData(store.deps, '42', CODE);
    store.comesBack();
    await expect(deletePersonData(store.deps, '42', CODE)).resolves.toEqual(first);
    expect(store.marks()).toBe(1);
    expect(store.left()).toMatchObject({ userRecord: true, link: true });
  });

  it('leaves the record in progress and the link in place when a step fails, so a retry finishes the job', async () => {
    const store = fakeStore({ sessions: sessionsOf(6), failDeleteAfter: 1 });
    await expect(deletePersonData(store.deps, '42', CODE)).rejects.toThrow('throttled');
    expect(store.records.get(CODE)!.status).toBe('in_progress');
    expect(store.left().link).toBe(true);
    store.heal();
    const record = await deletePersonData(store.deps, '42', CODE);
    expect(record.status).toBe('completed');
    expect(store.left()).toEqual({ sessions: 0, locks: 0, userRecord: false, link: false });
  });
});

describe('confirmationCodeFor', () => {
  const request = { userId: '42', issuedAt: 1_700_000_000, signature: Buffer.alloc(32, 7) };

  it('is 24 base32 characters (letters and digits), the same for the same request and secret', () => {
    const code = confirmationCodeFor(request, 'secret');
    expect(code).toMatch(CONFIRMATION_CODE_PATTERN);
    expect(code).toMatch(/^[A-Za-z0-9]+$/);
    expect(confirmationCodeFor({ ...request, signature: Buffer.alloc(32, 7) }, 'secret')).toBe(code);
  });

  it('differs for another person, another issued_at, another signature or another secret', () => {
    const code = confirmationCodeFor(request, 'secret');
    expect(confirmationCodeFor({ ...request, userId: '43' }, 'secret')).not.toBe(code);
    expect(confirmationCodeFor({ ...request, issuedAt: request.issuedAt + 1 }, 'secret')).not.toBe(code);
    expect(confirmationCodeFor({ ...request, signature: Buffer.alloc(32, 8) }, 'secret')).not.toBe(code);
    expect(confirmationCodeFor(request, 'secret2')).not.toBe(code);
  });

  it('is one code for every encoding of one signed request (padding, spare bits of the signature)', () => {
    const signedRequest = signSignedRequest({ user_id: '42', issued_at: NOW_S }, 'secret', NOW_S * 1000);
    const [signature, payload] = signedRequest.split('.') as [string, string];
    // 32 bytes are 43 base64 characters (258 bits): the last one's 2 low bits decode to nothing.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spare = alphabet[alphabet.indexOf(signature.at(-1)!) ^ 0b11]!;
    const variants = [signedRequest, `${signature}=.${payload}`, `${signature.slice(0, -1)}${spare}.${payload}`];
    expect(new Set(variants).size).toBe(3);
    const codes = variants.map((variant) => confirmationCodeFor(verifySignedRequest(variant, 'secret', { now: NOW_S * 1000 }), 'secret'));
    expect(new Set(codes).size).toBe(1);
  });
});

describe('dataDeletionStatusUrl', () => {
  it('puts the code under /v1/facebook/data-deletion/ of the public base URL', () => {
    expect(dataDeletionStatusUrl('https://api.example.com', CODE)).toBe(`https://api.example.com/v1/facebook/data-deletion/${CODE}`);
    expect(dataDeletionStatusUrl('https://api.example.com/auth/', CODE)).toBe(`https://api.example.com/auth/v1/facebook/data-deletion/${CODE}`);
  });
});
