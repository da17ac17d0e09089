import { describe, expect, it } from 'vitest';
import type { ReauthChallenge } from '#commons/reauth/ports';
import { CorruptItemError } from '#commons/storage/item-fields';
import { reauthNonceFromItem, reauthNonceGone, reauthNonceItem } from '#commons/storage/reauth-nonce-mapper';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0, 250);
const challenge: ReauthChallenge = {
  nonceHash: 'h'.repeat(64),
  sessionId: 'ses_1',
  userId: 'usr_1',
  facebookUserId: '101',
  createdAt: NOW,
  expiresAt: NOW + 600_000,
  status: 'issued',
};

describe('re-authentication nonce mapper', () => {
  it('writes the nonce under its hash, issued, with a TTL a day past its expiry', () => {
    expect(reauthNonceItem(challenge)).toEqual({
      pk: `REAUTH#${'h'.repeat(64)}`,
      sk: 'REAUTH',
      entity: 'reauthNonce',
      sessionId: 'ses_1',
      userId: 'usr_1',
      facebookUserId: '101',
      createdAt: NOW,
      expiresAt: NOW + 600_000,
      status: 'issued',
      ttl: Math.ceil((NOW + 600_000 + 86_400_000) / 1000),
    });
  });

  it('reads it back, a spent one with its time, and refuses a corrupt one', () => {
    expect(reauthNonceFromItem(challenge.nonceHash, reauthNonceItem(challenge))).toStrictEqual(challenge);
    const spent = { ...reauthNonceItem(challenge), status: 'spent', spentAt: NOW + 1000 };
    expect(reauthNonceFromItem(challenge.nonceHash, spent)).toStrictEqual({ ...challenge, status: 'spent', spentAt: NOW + 1000 });
    expect(() => reauthNonceFromItem(challenge.nonceHash, { ...reauthNonceItem(challenge), status: 'used' })).toThrow(CorruptItemError);
  });

  it('calls the item gone once its TTL has passed', () => {
    const item = reauthNonceItem(challenge);
    expect(reauthNonceGone(item, NOW + 600_000 + 86_399_000)).toBe(false);
    expect(reauthNonceGone(item, NOW + 600_000 + 86_401_000)).toBe(true);
  });
});
