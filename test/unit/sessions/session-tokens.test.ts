import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Wrap (not replace) timingSafeEqual so a test can see the comparison go through it.
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const crypto = await import('node:crypto');
const { isSessionId, issueSessionToken, newSessionId, newUserId, sessionIdOf, sha256Hex, tokenMatchesHash } = await import(
  '#commons/sessions/session-tokens'
);

const TOKEN_SHAPE = /^sg1\.(ses_[A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

afterEach(() => {
  vi.mocked(crypto.timingSafeEqual).mockClear();
});

describe('session ids', () => {
  it('makes session ids of the form ses_<22 base64url chars> (128 random bits) and recognises them', () => {
    const id = newSessionId();
    expect(id).toMatch(/^ses_[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id.slice(4), 'base64url')).toHaveLength(16);
    expect(isSessionId(id)).toBe(true);
  });

  it('makes user ids of the form usr_<22 base64url chars> that are not mistaken for session ids', () => {
    const id = newUserId();
    expect(id).toMatch(/^usr_[A-Za-z0-9_-]{22}$/);
    expect(isSessionId(id)).toBe(false);
  });

  it('rejects session-id lookalikes', () => {
    const id = newSessionId();
    for (const lookalike of [`${id}x`, id.slice(0, -1), `SES_${id.slice(4)}`, ` ${id}`, `${id}\n`, `ses_${'+'.repeat(22)}`]) {
      expect(isSessionId(lookalike), lookalike).toBe(false);
    }
  });
});

describe('issueSessionToken', () => {
  it('issues sg1.<sessionId>.<43 base64url chars> carrying the given session id', () => {
    const sessionId = newSessionId();
    const { token } = issueSessionToken(sessionId);
    const match = TOKEN_SHAPE.exec(token);
    expect(match).not.toBeNull();
    expect(match?.[1]).toBe(sessionId);
  });

  it('puts at least 256 random bits (32 bytes) of secret in the token', () => {
    const { token } = issueSessionToken(newSessionId());
    const secret = token.split('.')[2]!;
    expect(Buffer.from(secret, 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('issues a different token every time, even for the same session id', () => {
    const sessionId = newSessionId();
    const tokens = new Set(Array.from({ length: 200 }, () => issueSessionToken(sessionId).token));
    expect(tokens.size).toBe(200);
  });

  it('returns as hash the SHA-256 hex of the whole token, not of the secret alone', () => {
    const { token, tokenHash } = issueSessionToken(newSessionId());
    expect(tokenHash).toBe(createHash('sha256').update(token, 'utf8').digest('hex'));
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash).not.toBe(createHash('sha256').update(token.split('.')[2]!, 'utf8').digest('hex'));
    expect(sha256Hex(token)).toBe(tokenHash);
  });
});

describe('sessionIdOf', () => {
  it('returns the session id a well-formed token claims', () => {
    const sessionId = newSessionId();
    expect(sessionIdOf(issueSessionToken(sessionId).token)).toBe(sessionId);
  });

  it('rejects tokens that only look like ours', () => {
    const sessionId = newSessionId();
    const { token } = issueSessionToken(sessionId);
    const secret = token.split('.')[2]!;
    const lookalikes = [
      '',
      token.replace(/^sg1/, 'sg2'),
      token.replace(/^sg1/, 'SG1'),
      `${token}.extra`,
      `${token}A`,
      token.slice(0, -1),
      `sg1.${sessionId}`,
      `sg1.${sessionId}.`,
      `sg1.usr_${sessionId.slice(4)}.${secret}`,
      `sg1.${sessionId.slice(0, -1)}.${secret}`,
      `sg1.${sessionId}.${secret.slice(0, -1)}+`,
      `Bearer ${token}`,
      ` ${token}`,
      `${token}\n`,
      `${token} `,
    ];
    for (const lookalike of lookalikes) expect(sessionIdOf(lookalike), JSON.stringify(lookalike)).toBeUndefined();
  });
});

describe('tokenMatchesHash', () => {
  it('accepts the token its hash was made from, comparing in constant time', () => {
    const { token, tokenHash } = issueSessionToken(newSessionId());
    expect(tokenMatchesHash(token, tokenHash)).toBe(true);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('returns false for another token of the same session (same-length hashes go through timingSafeEqual)', () => {
    const sessionId = newSessionId();
    const stored = issueSessionToken(sessionId);
    const other = issueSessionToken(sessionId);
    expect(tokenMatchesHash(other.token, stored.tokenHash)).toBe(false);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('returns false (without throwing) when the stored hash has a different length or is not hex', () => {
    const { token, tokenHash } = issueSessionToken(newSessionId());
    expect(tokenMatchesHash(token, tokenHash.slice(0, 62))).toBe(false);
    expect(tokenMatchesHash(token, `${tokenHash}00`)).toBe(false);
    expect(tokenMatchesHash(token, '')).toBe(false);
    expect(tokenMatchesHash(token, 'z'.repeat(64))).toBe(false);
    // timingSafeEqual throws on unequal lengths, so it must not be reached here.
    expect(crypto.timingSafeEqual).not.toHaveBeenCalled();
  });

  it('does not accept the stored hash itself as a token', () => {
    const { tokenHash } = issueSessionToken(newSessionId());
    expect(tokenMatchesHash(tokenHash, tokenHash)).toBe(false);
  });
});
