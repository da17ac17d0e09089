import { describe, expect, it } from 'vitest';
import type { NewSession } from '#commons/sessions/model';
import { CorruptItemError } from '#commons/storage/item-fields';
import {
  lockHashOfSessionItem,
  SESSION_ATTRIBUTES,
  sessionFromItem,
  sessionItem,
  sessionVisibleUntil,
  storedSessionRefFromItem,
  SWEEP_ENTRY_ATTRIBUTES,
  sweepEntryFromItem,
} from '#commons/storage/session-mapper';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 250);
const DAY = 86_400_000;

const session: NewSession = {
  id: 'ses_1',
  userId: 'usr_1',
  facebookUserId: '42',
  tokenHash: 'c'.repeat(64),
  createdAt: NOW,
  expiresAt: NOW + DAY + 1,
  authTime: NOW - 60_000,
  sealedToken: 'v1.sealed',
  sessionInfoTokenHash: 'b'.repeat(64),
};

describe('session mapper', () => {
  it('writes the session item with its own key, both index keys and a TTL in epoch seconds', () => {
    expect(sessionItem(session)).toEqual({
      pk: 'SESSION#ses_1',
      sk: 'SESSION',
      userPk: 'USER#usr_1',
      userSk: 'SESSION#2025-01-15T12:00:00.250Z#ses_1',
      sweepShard: expect.stringMatching(/^\d{2}$/),
      sweepKey: 'ses_1',
      entity: 'session',
      sessionId: 'ses_1',
      userId: 'usr_1',
      facebookUserId: '42',
      tokenHash: 'c'.repeat(64),
      createdAt: NOW,
      expiresAt: NOW + DAY + 1,
      authTime: NOW - 60_000,
      status: 'active',
      sealedToken: 'v1.sealed',
      sessionInfoTokenHash: 'b'.repeat(64),
      ttl: Math.ceil((NOW + DAY + 1) / 1000),
    });
  });

  it('reads a session back without storage keys, TTL or sealed token', () => {
    const item = sessionItem(session);
    expect(sessionFromItem(item)).toStrictEqual({
      id: 'ses_1',
      userId: 'usr_1',
      facebookUserId: '42',
      tokenHash: 'c'.repeat(64),
      createdAt: NOW,
      expiresAt: NOW + DAY + 1,
      authTime: NOW - 60_000,
      status: 'active',
    });
    expect(SESSION_ATTRIBUTES).not.toContain('sealedToken');
  });

  it('reads a revocation record with its reason and time', () => {
    const item = { ...sessionItem(session), status: 'revoked', revokedReason: 'password_changed', revokedAt: NOW };
    expect(sessionFromItem(item)).toMatchObject({ status: 'revoked', revokedReason: 'password_changed', revokedAt: NOW });
  });

  it('sees a live session until it expires and a revocation record until its TTL', () => {
    const item = sessionItem(session);
    expect(sessionVisibleUntil(item)).toBe(NOW + DAY + 1);
    expect(sessionVisibleUntil({ ...item, status: 'revoked', ttl: 1_800_000_000 })).toBe(1_800_000_000_000);
  });

  it('refuses an item with a missing or mistyped attribute, naming the attribute and not its value', () => {
    const { tokenHash: _dropped, ...withoutHash } = sessionItem(session);
    expect(() => sessionFromItem(withoutHash)).toThrow(CorruptItemError);
    expect(() => sessionFromItem({ ...sessionItem(session), expiresAt: String(NOW) })).toThrow(/expiresAt/);
    const unknownStatus = () => sessionFromItem({ ...sessionItem(session), status: 'zombie-secret' });
    expect(unknownStatus).toThrow(/status/);
    expect(unknownStatus).not.toThrow(/zombie-secret/);
  });

  it('reads the sweep index projection, sealed token optional', () => {
    expect(SWEEP_ENTRY_ATTRIBUTES).toEqual(['sweepKey', 'userId', 'facebookUserId', 'sealedToken', 'expiresAt', 'status']);
    const projected = { sweepKey: 'ses_1', userId: 'usr_1', facebookUserId: '42', sealedToken: 'v1.x', expiresAt: 5, status: 'active' };
    expect(sweepEntryFromItem(projected)).toStrictEqual({ sessionId: 'ses_1', userId: 'usr_1', facebookUserId: '42', sealedToken: 'v1.x', expiresAt: 5, status: 'active' });
    const { sealedToken: _gone, ...midRevocation } = projected;
    expect(sweepEntryFromItem(midRevocation)).toStrictEqual({ sessionId: 'ses_1', userId: 'usr_1', facebookUserId: '42', expiresAt: 5, status: 'active' });
    const { facebookUserId: _missing, ...withoutFacebookId } = projected;
    expect(() => sweepEntryFromItem(withoutFacebookId)).toThrow(/facebookUserId/);
  });

  it('reads a bare session reference and the lock hash a session holds', () => {
    expect(storedSessionRefFromItem({ sessionId: 'ses_1', sessionInfoTokenHash: 'h' })).toStrictEqual({ sessionId: 'ses_1', sessionInfoTokenHash: 'h' });
    expect(storedSessionRefFromItem({ sessionId: 'ses_2' })).toStrictEqual({ sessionId: 'ses_2' });
    expect(lockHashOfSessionItem({ sessionInfoTokenHash: 'h' })).toBe('h');
    expect(lockHashOfSessionItem({})).toBeUndefined();
    expect(lockHashOfSessionItem(undefined)).toBeUndefined();
  });

  it('records how the session was opened, reads it back, and leaves it out for older items', () => {
    const web = { ...session, signInMethod: 'web' as const };
    expect(sessionItem(web)).toMatchObject({ signInMethod: 'web' });
    expect(sessionFromItem(sessionItem(web)).signInMethod).toBe('web');
    expect(sessionItem(session)).not.toHaveProperty('signInMethod');
    expect(sessionFromItem(sessionItem(session))).not.toHaveProperty('signInMethod');
    expect(SESSION_ATTRIBUTES).toContain('signInMethod');
    expect(() => sessionFromItem({ ...sessionItem(session), signInMethod: 'carrier_pigeon' })).toThrow(CorruptItemError);
  });
});
