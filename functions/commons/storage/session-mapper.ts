import type { RevocationReason } from '#commons/platform/errors';
import type { StoredSessionRef } from '#commons/facebook-callbacks/ports';
import type { SweepEntry } from '#commons/revalidation/ports';
import { type NewSession, type Session, type SessionStatus, SIGN_IN_METHODS } from '#commons/sessions/model';
import type { UserSessionRef } from '#commons/sessions/ports';
import { enumField, numberField, optionalNumberField, optionalStringField, type StoredItem, stringField } from './item-fields.ts';
import { keys } from './keys.ts';
import { SWEEP_INDEX, TTL_ATTRIBUTE } from './schema.ts';
import { fromEpochSeconds, toEpochSeconds } from './ttl.ts';

/**
 * The session item (`SESSION#<id>`): the session, its sealed Facebook token, the hash of the
 * session-info token it holds, and its keys in the `byUser` and `sweep` indexes. Read back through
 * three projections: the session itself, the sweep index entry, and a bare reference (for
 * erasing a person). Storage keys never reach the domain objects.
 */
const STATUSES: readonly SessionStatus[] = ['active', 'revoked'];

export function sessionItem(session: NewSession): StoredItem {
  return {
    ...keys.session(session.id),
    ...keys.userSessions(session.userId, session.createdAt, session.id),
    ...keys.sweep(session.id),
    entity: 'session',
    sessionId: session.id,
    userId: session.userId,
    facebookUserId: session.facebookUserId,
    tokenHash: session.tokenHash,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    authTime: session.authTime,
    status: 'active',
    ...(session.signInMethod !== undefined ? { signInMethod: session.signInMethod } : {}),
    ...(session.device !== undefined ? { device: session.device } : {}),
    sealedToken: session.sealedToken,
    sessionInfoTokenHash: session.sessionInfoTokenHash,
    [TTL_ATTRIBUTE]: toEpochSeconds(session.expiresAt),
  };
}

/** What `sessionFromItem` reads: everything but the sealed token and the index keys. */
export const SESSION_ATTRIBUTES = [
  'sessionId', 'userId', 'facebookUserId', 'tokenHash', 'createdAt', 'expiresAt', 'authTime', 'status', 'signInMethod', 'device', 'revokedReason', 'revokedAt', TTL_ATTRIBUTE,
] as const;

export function sessionFromItem(item: StoredItem): Session {
  const revokedReason = optionalStringField(item, 'revokedReason');
  const device = optionalStringField(item, 'device');
  return {
    id: stringField(item, 'sessionId'),
    userId: stringField(item, 'userId'),
    facebookUserId: stringField(item, 'facebookUserId'),
    tokenHash: stringField(item, 'tokenHash'),
    createdAt: numberField(item, 'createdAt'),
    expiresAt: numberField(item, 'expiresAt'),
    authTime: numberField(item, 'authTime'),
    status: enumField(item, 'status', STATUSES),
    // Absent on sessions written before they were recorded.
    ...(item.signInMethod !== undefined ? { signInMethod: enumField(item, 'signInMethod', SIGN_IN_METHODS) } : {}),
    ...(device !== undefined ? { device } : {}),
    // Written only by the revocation store, from a RevocationReason.
    ...(revokedReason !== undefined
      ? { revokedReason: revokedReason as RevocationReason, revokedAt: optionalNumberField(item, 'revokedAt') }
      : {}),
  };
}

/**
 * Until when a session item is to be seen: a live session until it expires, a revocation record
 * (kept for audit, and so a revoked client learns why) until its TTL. TTL deletion is lazy.
 */
export function sessionVisibleUntil(item: StoredItem): number {
  return enumField(item, 'status', STATUSES) === 'revoked' ? fromEpochSeconds(numberField(item, TTL_ATTRIBUTE)) : numberField(item, 'expiresAt');
}

/** What the `sweep` index projects, plus its sort key (the session id). */
export const SWEEP_ENTRY_ATTRIBUTES = [SWEEP_INDEX.sortKey, ...SWEEP_INDEX.projection.nonKeyAttributes] as const;

export function sweepEntryFromItem(item: StoredItem): SweepEntry {
  const sealedToken = optionalStringField(item, 'sealedToken');
  return {
    sessionId: stringField(item, SWEEP_INDEX.sortKey),
    userId: stringField(item, 'userId'),
    facebookUserId: stringField(item, 'facebookUserId'),
    ...(sealedToken !== undefined ? { sealedToken } : {}),
    expiresAt: numberField(item, 'expiresAt'),
    status: enumField(item, 'status', STATUSES),
  };
}

export const USER_SESSION_REF_ATTRIBUTES = ['sessionId', 'createdAt', 'expiresAt', 'status'] as const;

export function userSessionRefFromItem(item: StoredItem): UserSessionRef {
  return {
    sessionId: stringField(item, 'sessionId'),
    createdAt: numberField(item, 'createdAt'),
    expiresAt: numberField(item, 'expiresAt'),
    status: enumField(item, 'status', STATUSES),
  };
}

export const SESSION_REF_ATTRIBUTES = ['sessionId', 'sessionInfoTokenHash'] as const;

export function storedSessionRefFromItem(item: StoredItem): StoredSessionRef {
  const sessionInfoTokenHash = optionalStringField(item, 'sessionInfoTokenHash');
  return { sessionId: stringField(item, 'sessionId'), ...(sessionInfoTokenHash !== undefined ? { sessionInfoTokenHash } : {}) };
}

/** The hash of the session-info token a session item holds a lock for, if any. */
export function lockHashOfSessionItem(item: StoredItem | undefined): string | undefined {
  return item ? optionalStringField(item, 'sessionInfoTokenHash') : undefined;
}
