import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Our session token is `sg1.<sessionId>.<secret>`: the id locates the session with one key read,
 * the 256-bit secret proves possession. Only SHA-256 of the whole token is stored, so a table
 * leak yields no usable token.
 */
const PREFIX = 'sg1';
const SECRET_BYTES = 32;
const ID_PATTERN = /^ses_[A-Za-z0-9_-]{22}$/;
const TOKEN_PATTERN = /^sg1\.(ses_[A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function newSessionId(): string {
  return `ses_${randomBytes(16).toString('base64url')}`;
}

export function newUserId(): string {
  return `usr_${randomBytes(16).toString('base64url')}`;
}

export function isSessionId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function issueSessionToken(sessionId: string): { token: string; tokenHash: string } {
  const token = `${PREFIX}.${sessionId}.${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { token, tokenHash: sha256Hex(token) };
}

/** The session id a token claims, or undefined for anything not shaped like our token. */
export function sessionIdOf(token: string): string | undefined {
  return TOKEN_PATTERN.exec(token)?.[1];
}

export function tokenMatchesHash(token: string, storedHash: string): boolean {
  const actual = Buffer.from(sha256Hex(token), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
