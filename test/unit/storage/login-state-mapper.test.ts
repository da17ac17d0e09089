import { describe, expect, it } from 'vitest';
import { CorruptItemError } from '#commons/storage/item-fields';
import { loginStateExpired, loginStateFromItem, loginStateItem } from '#commons/storage/login-state-mapper';
import type { LoginStateRecord } from '#commons/web-login/ports';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 250);
const record: LoginStateRecord = { stateHash: 's'.repeat(64), nonceHash: 'n'.repeat(64), codeVerifier: 'v'.repeat(43), returnTo: '/account', createdAt: NOW, expiresAt: NOW + 600_000 };

describe('login state mapper', () => {
  it('writes the state under its hash, with a TTL in epoch seconds', () => {
    expect(loginStateItem(record)).toEqual({
      pk: `OAUTHSTATE#${'s'.repeat(64)}`,
      sk: 'OAUTHSTATE',
      entity: 'loginState',
      nonceHash: 'n'.repeat(64),
      codeVerifier: 'v'.repeat(43),
      returnTo: '/account',
      createdAt: NOW,
      expiresAt: NOW + 600_000,
      ttl: Math.ceil((NOW + 600_000) / 1000),
    });
  });

  it('reads the record back, keys and TTL left out', () => {
    expect(loginStateFromItem(record.stateHash, loginStateItem(record))).toStrictEqual(record);
    expect(() => loginStateFromItem(record.stateHash, { nonceHash: 'n' })).toThrow(CorruptItemError);
  });

  it('calls a state expired from its expiresAt on, or when it has none', () => {
    expect(loginStateExpired(loginStateItem(record), NOW + 599_999)).toBe(false);
    expect(loginStateExpired(loginStateItem(record), NOW + 600_000)).toBe(true);
    expect(loginStateExpired({}, NOW)).toBe(true);
  });

  it('keeps the session and nonce hash of a re-authentication state, and reads them back', () => {
    const reauth = { ...record, reauth: { sessionId: 'ses_1', authNonceHash: 'a'.repeat(64) } };
    expect(loginStateItem(reauth)).toMatchObject({ reauthSessionId: 'ses_1', reauthNonceHash: 'a'.repeat(64) });
    expect(loginStateFromItem(record.stateHash, loginStateItem(reauth))).toStrictEqual(reauth);
    expect(() => loginStateFromItem(record.stateHash, { ...loginStateItem(record), reauthSessionId: 'ses_1' })).toThrow(CorruptItemError);
  });
});
