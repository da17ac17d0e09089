import type { ReauthChallenge, ReauthChallengeStatus } from '#commons/reauth/ports';
import { enumField, numberField, optionalNumberField, type StoredItem, stringField } from './item-fields.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { fromEpochSeconds, toEpochSeconds } from './ttl.ts';

/**
 * A re-authentication nonce (`REAUTH#<sha256 of nonce>`): keyed by the nonce's hash, so the table
 * never holds a usable nonce; bound to a session and its Facebook user; `issued` until one
 * completion spends it. Kept a day past its expiry, so a late replay is still recognised as one.
 */
export const SPENT_NONCE_RETENTION_MS = 24 * 3600_000;

const STATUSES: readonly ReauthChallengeStatus[] = ['issued', 'spent'];

export function reauthNonceItem(challenge: ReauthChallenge): StoredItem {
  return {
    ...keys.reauthNonce(challenge.nonceHash),
    entity: 'reauthNonce',
    sessionId: challenge.sessionId,
    userId: challenge.userId,
    facebookUserId: challenge.facebookUserId,
    createdAt: challenge.createdAt,
    expiresAt: challenge.expiresAt,
    status: challenge.status,
    [TTL_ATTRIBUTE]: toEpochSeconds(challenge.expiresAt + SPENT_NONCE_RETENTION_MS),
  };
}

export function reauthNonceFromItem(nonceHash: string, item: StoredItem): ReauthChallenge {
  const spentAt = optionalNumberField(item, 'spentAt');
  return {
    nonceHash,
    sessionId: stringField(item, 'sessionId'),
    userId: stringField(item, 'userId'),
    facebookUserId: stringField(item, 'facebookUserId'),
    createdAt: numberField(item, 'createdAt'),
    expiresAt: numberField(item, 'expiresAt'),
    status: enumField(item, 'status', STATUSES),
    ...(spentAt !== undefined ? { spentAt } : {}),
  };
}

/** Whether the item is past its retention (it may still be there: TTL deletion is lazy). */
export function reauthNonceGone(item: StoredItem, now: number): boolean {
  return fromEpochSeconds(numberField(item, TTL_ATTRIBUTE)) <= now;
}
