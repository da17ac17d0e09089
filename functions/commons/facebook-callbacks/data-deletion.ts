import { createHmac } from 'node:crypto';
import type { DataDeletionRecord, PersonDataRepository } from './ports.ts';
import type { SignedRequestPayload } from './signed-request.ts';

/**
 * Facebook's data-deletion callback: erase everything held on one person, and leave behind only
 * an anonymous record (confirmation code, status, times, counts) that the status page shows.
 *
 * What goes: every session record (live sessions with their sealed Facebook tokens, and the
 * revocation records kept for audit), the session-info token locks, the admin API's audit records
 * that name the person, the user record and the Facebook-id link. The order makes a crash harmless: the link goes last, so a retried callback
 * still finds the person and finishes the job. It is marked first: a sign-in that read it before
 * fails its own transaction, and one that reads it during the deletion waits (503), so no live
 * session is left behind for an erased person.
 */
export interface DataDeletionDeps {
  readonly personData: Pick<
    PersonDataRepository,
    | 'getDataDeletion'
    | 'markDeletionStarted'
    | 'sessionPagesOfUser'
    | 'deleteSessions'
    | 'deleteAuditRecordsAbout'
    | 'deleteUser'
    | 'startDataDeletion'
    | 'completeDataDeletion'
  >;
  /** How long the deletion record and its status page are kept. */
  readonly recordRetentionMs: number;
}

/** 24 characters of RFC 4648 base32: 120 bits, letters and digits only, as Facebook asks. */
export const CONFIRMATION_CODE_PATTERN = /^[A-Z2-7]{24}$/;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The confirmation code for one signed request: an HMAC under the app secret of what the request
 * says once decoded (the person, `issued_at` and the signature's bytes), never of its text: the
 * same request re-encoded (padding, the spare bits of the last base64 character) is still one
 * request, so it gets one code and one record, and cannot run the deletion again. Facebook's own
 * retries get the same code too, yet the record needs no user id or Facebook id to be found again,
 * and nobody without the app secret can link a code to a person.
 */
export function confirmationCodeFor(request: Pick<SignedRequestPayload, 'userId' | 'issuedAt' | 'signature'>, appSecret: string): string {
  const digest = createHmac('sha256', appSecret)
    .update(`session-guard/data-deletion/v2\n${request.userId}\n${request.issuedAt}\n${request.signature.toString('hex')}`, 'utf8')
    .digest();
  let bits = 0;
  let value = 0;
  let code = '';
  for (const byte of digest.subarray(0, 15)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      code += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return code;
}

/** The status page Facebook shows the person: `<base>/v1/facebook/data-deletion/<code>`. */
export function dataDeletionStatusUrl(publicBaseUrl: string, confirmationCode: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/v1/facebook/data-deletion/${confirmationCode}`;
}

/** Rounds of byUser queries; more than one only when the index lags behind new sessions. */
const MAX_QUERY_PASSES = 3;

/**
 * Deletes everything held on the person and completes the deletion record for this code.
 * Idempotent: a record already completed is returned as it is; one left `in_progress` by a
 * failed attempt is finished (every step deletes unconditionally and tolerates absence).
 */
export async function deletePersonData(
  deps: DataDeletionDeps,
  facebookUserId: string,
  confirmationCode: string,
): Promise<DataDeletionRecord> {
  // A request already done is answered as it was, before anything is marked: the person may have
  // come back since, and a replayed request must not hold up their new sign-ins.
  const done = await deps.personData.getDataDeletion(confirmationCode);
  if (done?.status === 'completed') return done;
  const user = await deps.personData.markDeletionStarted(facebookUserId);
  // The record holds whose data this is until it completes: its completion, on the table's
  // stream, is the `Person Data Deletion Requested` event that tells the app to erase its own.
  const record = await deps.personData.startDataDeletion(confirmationCode, deps.recordRetentionMs, {
    facebookUserId,
    ...(user ? { userId: user.id } : {}),
  });
  if (record.status === 'completed') return record;

  let sessionsDeleted = 0;
  let userRecords = 0;
  if (user) {
    const seen = new Set<string>();
    for (let pass = 0; pass < MAX_QUERY_PASSES; pass++) {
      let found = 0;
      for await (const page of deps.personData.sessionPagesOfUser(user.id)) {
        const fresh = page.filter((session) => !seen.has(session.sessionId));
        for (const session of fresh) seen.add(session.sessionId);
        found += fresh.length;
        if (fresh.length > 0) await deps.personData.deleteSessions(fresh);
      }
      // Nothing new: the index has nothing more of theirs (deleted ones may linger in it briefly).
      if (found === 0) break;
    }
    sessionsDeleted = seen.size;
  }
  // Operators' audit records that named the person (by our id, or by Facebook id even when we no
  // longer hold a link). Anything else stored per person goes here too, before the user record and
  // the link, so a retry can still find it. Web sign-in state (OAUTHSTATE#) needs nothing: it is
  // written before anyone is known, names no one, and lives 10 minutes.
  await deps.personData.deleteAuditRecordsAbout({ facebookUserId, ...(user ? { userId: user.id } : {}) });
  if (user) userRecords = await deps.personData.deleteUser(user.id, facebookUserId);
  return deps.personData.completeDataDeletion(confirmationCode, { sessions: sessionsDeleted, userRecords });
}
