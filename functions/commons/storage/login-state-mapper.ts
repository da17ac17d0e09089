import type { LoginStateRecord } from '#commons/web-login/ports';
import { numberField, optionalStringField, type StoredItem, stringField } from './item-fields.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { toEpochSeconds } from './ttl.ts';

/**
 * A web sign-in state (`OAUTHSTATE#<sha256 of state>`): keyed by the state's hash, so the table
 * never holds a usable state; holds the PKCE verifier, where to return, and the SHA-256 of the
 * nonce in the browser's login cookie; for a re-authentication, also the session and the hash of
 * the `auth_nonce`.
 */
export function loginStateItem(record: LoginStateRecord): StoredItem {
  return {
    ...keys.loginState(record.stateHash),
    entity: 'loginState',
    nonceHash: record.nonceHash,
    codeVerifier: record.codeVerifier,
    returnTo: record.returnTo,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    ...(record.reauth ? { reauthSessionId: record.reauth.sessionId, reauthNonceHash: record.reauth.authNonceHash } : {}),
    [TTL_ATTRIBUTE]: toEpochSeconds(record.expiresAt),
  };
}

export function loginStateFromItem(stateHash: string, item: StoredItem): LoginStateRecord {
  const reauthSessionId = optionalStringField(item, 'reauthSessionId');
  return {
    stateHash,
    nonceHash: stringField(item, 'nonceHash'),
    codeVerifier: stringField(item, 'codeVerifier'),
    returnTo: stringField(item, 'returnTo'),
    createdAt: numberField(item, 'createdAt'),
    expiresAt: numberField(item, 'expiresAt'),
    // A state issued to re-authenticate a session names it and the nonce's hash.
    ...(reauthSessionId !== undefined ? { reauth: { sessionId: reauthSessionId, authNonceHash: stringField(item, 'reauthNonceHash') } } : {}),
  };
}

/** Whether a state item has passed its time (it may still be there: TTL deletion is lazy). */
export function loginStateExpired(item: StoredItem, now: number): boolean {
  return (typeof item.expiresAt === 'number' ? item.expiresAt : 0) <= now;
}
