import { describe, expect, it } from 'vitest';
import { hashReauthNonce, isReauthNonce, newReauthNonce, REAUTH_NONCE_LENGTH } from '#commons/reauth/reauth-nonce';

describe('re-authentication nonces', () => {
  it('are alphanumeric, 32 characters (about 190 random bits, over the 128 required), and never repeat', () => {
    const nonces = new Set(Array.from({ length: 2000 }, newReauthNonce));
    expect(nonces.size).toBe(2000);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(REAUTH_NONCE_LENGTH * Math.log2(62)).toBeGreaterThan(128);
  });

  it('use the whole alphabet', () => {
    const seen = new Set([...Array.from({ length: 200 }, newReauthNonce).join('')]);
    expect(seen.size).toBe(62);
  });

  it('are recognised by shape before anything touches the table', () => {
    expect(isReauthNonce(newReauthNonce())).toBe(true);
    for (const value of ['', 'a'.repeat(31), 'a'.repeat(33), `${'a'.repeat(31)}-`, `${'a'.repeat(31)}é`]) expect(isReauthNonce(value)).toBe(false);
  });

  it('are stored only as their SHA-256', () => {
    expect(hashReauthNonce('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
