import type { StoredItem } from './item-fields.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { toEpochSeconds } from './ttl.ts';

/**
 * The outbox item of a sign-out (`ENDED#<sessionId>`), written in the same transaction that
 * deletes the session. A deleted item says nothing of why it went (a sign-out, the erasure of a
 * person, a replaced session all look the same on the stream), so the sign-out says it here: the
 * stream's INSERT of this item is the `Session Ended` event. It names the session and the person,
 * nothing secret, and goes after a day (the stream keeps records for 24 hours).
 */
export const SESSION_ENDED_RETENTION_MS = 24 * 3600 * 1000;

export function sessionEndedItem(sessionId: string, userId: string, endedAt: number): StoredItem {
  return {
    ...keys.sessionEnded(sessionId),
    entity: 'sessionEnded',
    sessionId,
    userId,
    endedAt,
    [TTL_ATTRIBUTE]: toEpochSeconds(endedAt + SESSION_ENDED_RETENTION_MS),
  };
}
