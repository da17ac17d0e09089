import type { LoginStateRecord } from '#commons/web-login/ports';
import { numberField, type StoredItem, stringField } from './item-fields.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { toEpochSeconds } from './ttl.ts';

/**
 * A web sign-in state (`OAUTHSTATE#<sha256 of state>`): keyed by the state's hash, so the table
 * never holds a usable state; holds the PKCE verifier, where to return, and the SHA-256 of the
 * nonce in the browser's login cookie.
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
    [TTL_ATTRIBUTE]: toEpochSeconds(record.expiresAt),
  };
}

export function loginStateFromItem(stateHash: string, item: StoredItem): LoginStateRecord {
  return {
    stateHash,
    nonceHash: stringField(item, 'nonceHash'),
    codeVerifier: stringField(item, 'codeVerifier'),
    returnTo: stringField(item, 'returnTo'),
    createdAt: numberField(item, 'createdAt'),
    expiresAt: numberField(item, 'expiresAt'),
  };
}

/** Whether a state item has passed its time (it may still be there: TTL deletion is lazy). */
export function loginStateExpired(item: StoredItem, now: number): boolean {
  return (typeof item.expiresAt === 'number' ? item.expiresAt : 0) <= now;
}
