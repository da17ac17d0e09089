import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, EVENT_DETAILS, type SessionGuardEvent } from '#commons/events/catalog';
import { eventForChange, eventIdFor, type StreamChange } from '#commons/events/stream-mapping';
import { isSignOutReason, REVOCATION_REASONS } from '#commons/sessions/model';
import { CorruptItemError } from '#commons/storage/item-fields';

/**
 * The mapping from item changes to events, on images shaped exactly as the stores write them
 * (every attribute, secrets included, so the scan at the end means something).
 */
const T = Date.UTC(2026, 10, 28, 12, 0, 0, 0);
const SECRETS = {
  tokenHash: 'f'.repeat(64),
  sealedToken: 'sealed-v1.SECRET-SEALED-VALUE',
  sessionInfoTokenHash: 'e'.repeat(64),
};

const sessionItem = {
  pk: 'SESSION#ses_1',
  sk: 'SESSION',
  userPk: 'USER#usr_1',
  userSk: 'SESSION#2026-11-28T12:00:00.000Z#ses_1',
  sweepShard: '07',
  sweepKey: 'ses_1',
  entity: 'session',
  sessionId: 'ses_1',
  userId: 'usr_1',
  facebookUserId: '1000042',
  createdAt: T,
  expiresAt: T + 3_600_000,
  authTime: T - 60_000,
  status: 'active',
  signInMethod: 'session_info_token',
  ttl: Math.ceil((T + 3_600_000) / 1000),
  ...SECRETS,
};
const { sealedToken: _sealed, sweepShard: _shard, sweepKey: _key, ...revokedBase } = sessionItem;
const revokedItem = { ...revokedBase, status: 'revoked', revokedReason: 'password_changed', revokedAt: T + 1000, ttl: Math.ceil((T + 90 * 86_400_000) / 1000) };

let sequence = 100;
function change(eventName: StreamChange['eventName'], images: { old?: Record<string, unknown>; new?: Record<string, unknown> }): StreamChange {
  const item = (images.new ?? images.old)!;
  return {
    eventName,
    sequenceNumber: String(sequence++).padStart(21, '0'),
    keys: { pk: item.pk, sk: item.sk },
    ...(images.old ? { oldImage: images.old } : {}),
    ...(images.new ? { newImage: images.new } : {}),
  };
}

/** The person's Facebook-id link, where the deauthorize callback marks the removal. */
const link = { pk: 'FBUSER#1000042', sk: 'FBUSER', entity: 'facebookUser', userId: 'usr_1', createdAt: T - 86_400_000, linkVersion: 0 };
const user = { pk: 'USER#usr_1', sk: 'USER', entity: 'user', userId: 'usr_1', facebookUserId: '1000042', createdAt: T - 86_400_000 };
const deletionInProgress = { pk: 'DELETION#ABCDEFGHIJKLMNOPQRSTUVWX', sk: 'DELETION', entity: 'dataDeletion', status: 'in_progress', requestedAt: T, ttl: 1, facebookUserId: '1000042', userId: 'usr_1' };
const { facebookUserId: _f, userId: _u, ...deletionBase } = deletionInProgress;
const deletionCompleted = { ...deletionBase, status: 'completed', completedAt: T + 50, sessionsDeleted: 2, userRecordsDeleted: 2 };

/** One change of every kind that is an event. */
const EVENT_CHANGES: Record<string, StreamChange> = {
  'Session Opened': change('INSERT', { new: sessionItem }),
  'Session Ended': change('INSERT', { new: { pk: 'ENDED#ses_1', sk: 'ENDED', entity: 'sessionEnded', sessionId: 'ses_1', userId: 'usr_1', endedAt: T + 5, ttl: 1 } }),
  'Session Revoked': change('MODIFY', { old: sessionItem, new: revokedItem }),
  'Person Removed App': change('MODIFY', { old: link, new: { ...link, appRemovedAt: T + 7000, linkVersion: 1 } }),
  'Person Data Deletion Requested': change('MODIFY', { old: deletionInProgress, new: deletionCompleted }),
  'Person Reauthenticated': change('MODIFY', { old: sessionItem, new: { ...sessionItem, authTime: T + 9000, sealedToken: 'sealed-v1.ANOTHER', sessionInfoTokenHash: 'a'.repeat(64) } }),
};

const mapped = (c: StreamChange) => eventForChange(c) as SessionGuardEvent;

describe('eventForChange', () => {
  it('maps a new session to Session Opened, with how it was opened (mobile or web)', () => {
    const event = mapped(EVENT_CHANGES['Session Opened']!);
    expect(event).toEqual({
      detailType: 'Session Opened',
      time: '2026-11-28T12:00:00.000Z',
      detail: {
        eventId: expect.any(String),
        sessionId: 'ses_1',
        userId: 'usr_1',
        facebookUserId: '1000042',
        via: 'mobile',
        createdAt: '2026-11-28T12:00:00.000Z',
        expiresAt: '2026-11-28T13:00:00.000Z',
      },
    });
    expect(mapped(change('INSERT', { new: { ...sessionItem, signInMethod: 'web' } })).detail).toMatchObject({ via: 'web' });
    expect(mapped(change('INSERT', { new: { ...sessionItem, signInMethod: 'access_token' } })).detail).toMatchObject({ via: 'mobile' });
  });

  it('maps an active session turned revoked to Session Revoked with its reason, and a sign-out reason to Session Ended', () => {
    expect(mapped(EVENT_CHANGES['Session Revoked']!)).toEqual({
      detailType: 'Session Revoked',
      time: '2026-11-28T12:00:01.000Z',
      detail: { eventId: expect.any(String), sessionId: 'ses_1', userId: 'usr_1', facebookUserId: '1000042', reason: 'password_changed', revokedAt: '2026-11-28T12:00:01.000Z' },
    });
    for (const reason of ['signed_out', 'signed_out_everywhere']) {
      expect(mapped(change('MODIFY', { old: sessionItem, new: { ...revokedItem, revokedReason: reason } }))).toEqual({
        detailType: 'Session Ended',
        time: '2026-11-28T12:00:01.000Z',
        detail: { eventId: expect.any(String), sessionId: 'ses_1', userId: 'usr_1', endedAt: '2026-11-28T12:00:01.000Z' },
      });
    }
  });

  it('maps every revocation reason that is not a sign-out to Session Revoked, the cap ending an oldest session (replaced) included', () => {
    for (const reason of REVOCATION_REASONS.filter((candidate) => !isSignOutReason(candidate))) {
      const event = mapped(change('MODIFY', { old: sessionItem, new: { ...revokedItem, revokedReason: reason } }));
      expect(event.detailType).toBe('Session Revoked');
      expect(event.detail).toMatchObject({ reason, sessionId: 'ses_1', userId: 'usr_1', facebookUserId: '1000042' });
    }
    expect(REVOCATION_REASONS).toContain('replaced');
  });

  it('maps an operator ending a session (one, or every one of an offboarded person) to Session Revoked with that reason', () => {
    for (const reason of ['ended_by_operator', 'offboarded']) {
      expect(mapped(change('MODIFY', { old: sessionItem, new: { ...revokedItem, revokedReason: reason } }))).toEqual({
        detailType: 'Session Revoked',
        time: '2026-11-28T12:00:01.000Z',
        detail: { eventId: expect.any(String), sessionId: 'ses_1', userId: 'usr_1', facebookUserId: '1000042', reason, revokedAt: '2026-11-28T12:00:01.000Z' },
      });
    }
  });

  it.each(REVOCATION_REASONS)('a session ended with reason %s is exactly one event over its whole life (revocation, record kept, TTL removal)', (reason) => {
    const record = { ...revokedItem, revokedReason: reason };
    const life = [
      change('MODIFY', { old: sessionItem, new: record }),
      // A later retry of the same revocation (conditional, so the record only moves its TTL) and the record's expiry.
      change('MODIFY', { old: record, new: { ...record, ttl: record.ttl + 1 } }),
      change('REMOVE', { old: record }),
    ];
    const events = life.map(eventForChange).filter((event) => event !== undefined);
    expect(events.map((event) => event.detailType)).toEqual([isSignOutReason(reason) ? 'Session Ended' : 'Session Revoked']);
  });

  it("maps the sign-out's outbox item to Session Ended", () => {
    expect(mapped(EVENT_CHANGES['Session Ended']!)).toEqual({
      detailType: 'Session Ended',
      time: '2026-11-28T12:00:00.005Z',
      detail: { eventId: expect.any(String), sessionId: 'ses_1', userId: 'usr_1', endedAt: '2026-11-28T12:00:00.005Z' },
    });
  });

  it("maps appRemovedAt set or moved on to Person Removed App, and nothing else on the person's link or user record", () => {
    expect(mapped(EVENT_CHANGES['Person Removed App']!)).toEqual({
      detailType: 'Person Removed App',
      time: '2026-11-28T12:00:07.000Z',
      detail: { eventId: expect.any(String), userId: 'usr_1', facebookUserId: '1000042', at: '2026-11-28T12:00:07.000Z' },
    });
    const removed = { ...link, appRemovedAt: T, linkVersion: 1 };
    expect(mapped(change('MODIFY', { old: removed, new: { ...removed, appRemovedAt: T + 1, linkVersion: 2 } })).detailType).toBe('Person Removed App');
    expect(eventForChange(change('MODIFY', { old: removed, new: { ...removed, somethingElse: 1 } }))).toBeUndefined();
    // A data deletion marks the link too (its version, deletingSince): no removal in that.
    expect(eventForChange(change('MODIFY', { old: removed, new: { ...removed, linkVersion: 2, deletingSince: T + 2 } }))).toBeUndefined();
    expect(eventForChange(change('INSERT', { new: link }))).toBeUndefined();
    expect(eventForChange(change('INSERT', { new: user }))).toBeUndefined();
    // The user record carries no removal of its own any more: one write path, one event.
    expect(eventForChange(change('MODIFY', { old: user, new: { ...user, appRemovedAt: T + 7000 } }))).toBeUndefined();
  });

  it('maps a deletion record completing to Person Data Deletion Requested, with the ids from the old image only', () => {
    expect(mapped(EVENT_CHANGES['Person Data Deletion Requested']!)).toEqual({
      detailType: 'Person Data Deletion Requested',
      time: '2026-11-28T12:00:00.000Z',
      detail: { eventId: expect.any(String), userId: 'usr_1', facebookUserId: '1000042', confirmationCode: 'ABCDEFGHIJKLMNOPQRSTUVWX', at: '2026-11-28T12:00:00.000Z' },
    });
    const { userId: _unknown, ...strangerInProgress } = deletionInProgress;
    expect(mapped(change('MODIFY', { old: strangerInProgress, new: deletionCompleted })).detail).toMatchObject({ userId: null, facebookUserId: '1000042' });
    // Started before records named anyone: there is nothing to tell.
    expect(eventForChange(change('MODIFY', { old: deletionBase, new: deletionCompleted }))).toBeUndefined();
    expect(eventForChange(change('INSERT', { new: deletionInProgress }))).toBeUndefined();
  });

  it('maps a later authTime on a live session to Person Reauthenticated', () => {
    expect(mapped(EVENT_CHANGES['Person Reauthenticated']!)).toEqual({
      detailType: 'Person Reauthenticated',
      time: '2026-11-28T12:00:09.000Z',
      detail: { eventId: expect.any(String), sessionId: 'ses_1', userId: 'usr_1', facebookUserId: '1000042', authTime: '2026-11-28T12:00:09.000Z' },
    });
  });

  it('makes no event of removals, token locks, sign-in states, a revoked record changing, or a session change that reports nothing', () => {
    const none: StreamChange[] = [
      change('REMOVE', { old: sessionItem }),
      change('REMOVE', { old: revokedItem }),
      change('REMOVE', { old: user }),
      change('REMOVE', { old: link }),
      change('INSERT', { new: { pk: 'SITOKEN#' + 'e'.repeat(64), sk: 'SITOKEN', entity: 'sessionInfoTokenLock', sessionId: 'ses_1', ttl: 1 } }),
      change('INSERT', { new: { pk: 'OAUTHSTATE#x', sk: 'OAUTHSTATE', entity: 'loginState', ttl: 1 } }),
      change('INSERT', { new: user }),
      change('INSERT', { new: { ...revokedItem } }),
      change('MODIFY', { old: revokedItem, new: { ...revokedItem, revokedReason: 'invalid' } }),
      change('MODIFY', { old: sessionItem, new: { ...sessionItem, authTime: sessionItem.authTime - 1 } }),
      change('MODIFY', { old: deletionCompleted, new: deletionCompleted }),
    ];
    for (const c of none) expect(eventForChange(c)).toBeUndefined();
  });

  it('refuses an item it cannot read, naming the attribute', () => {
    const { userId: _missing, ...broken } = sessionItem;
    expect(() => eventForChange(change('INSERT', { new: broken }))).toThrow(CorruptItemError);
    expect(() => eventForChange(change('INSERT', { new: broken }))).toThrow(/userId/);
  });

  it('gives each change a stable UUID: the same record mapped twice has the same id, another change another', () => {
    const opened = EVENT_CHANGES['Session Opened']!;
    expect(mapped(opened).detail.eventId).toBe(mapped({ ...opened }).detail.eventId);
    expect(mapped(opened).detail.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ids = Object.values(EVENT_CHANGES).map((c) => mapped(c).detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(eventIdFor({ keys: opened.keys, sequenceNumber: '1' }, 'Session Opened')).not.toBe(eventIdFor({ keys: opened.keys, sequenceNumber: '2' }, 'Session Opened'));
  });

  it('covers every detail type, each event valid against its schema', () => {
    expect(Object.keys(EVENT_CHANGES).sort()).toEqual([...DETAIL_TYPES].sort());
    for (const [detailType, c] of Object.entries(EVENT_CHANGES)) {
      const event = mapped(c);
      expect(event.detailType).toBe(detailType);
      expect(EVENT_DETAILS[event.detailType].safeParse(event.detail).success).toBe(true);
    }
  });

  it('never puts a token, a hash, a cookie or a sealed value in any event', () => {
    const events = Object.values(EVENT_CHANGES).map(mapped);
    const text = JSON.stringify(events);
    for (const secret of [...Object.values(SECRETS), 'sealed-v1.ANOTHER', 'a'.repeat(64)]) expect(text).not.toContain(secret);
    for (const event of events) {
      for (const field of Object.keys(event.detail)) expect(field).not.toMatch(/token|hash|sealed|cookie|secret/i);
      // Nothing that looks like a hash or a sealed value either.
      for (const value of Object.values(event.detail)) expect(String(value)).not.toMatch(/^[0-9a-f]{64}$|^sealed|^sg1\./);
    }
  });
});
