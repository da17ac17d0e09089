import { numberField, type StoredItem, stringField } from './item-fields.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { fromEpochSeconds, toEpochSeconds } from './ttl.ts';

/**
 * The session-info token lock (`SITOKEN#<sha256>`): which session holds a token, so each token has
 * at most one live session. It lives exactly as long as that session.
 */
export function tokenLockItem(sessionInfoTokenHash: string, sessionId: string, expiresAt: number): StoredItem {
  return { ...keys.sessionInfoToken(sessionInfoTokenHash), entity: 'sessionInfoTokenLock', sessionId, [TTL_ATTRIBUTE]: toEpochSeconds(expiresAt) };
}

/** The session holding the lock, or undefined once the lock has expired (TTL deletion is lazy). */
export function lockHolderFromItem(item: StoredItem, now: number): string | undefined {
  if (fromEpochSeconds(numberField(item, TTL_ATTRIBUTE)) <= now) return undefined;
  return stringField(item, 'sessionId');
}
