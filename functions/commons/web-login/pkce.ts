import { createHash, randomBytes } from 'node:crypto';

/**
 * PKCE (RFC 7636) with S256, the only method Facebook's dialog takes. The verifier is 32 random
 * bytes in base64url: 43 characters of `[A-Za-z0-9_-]`, the shortest the RFC allows and 256 bits.
 */
const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

export function newCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** `base64url(sha256(ascii(verifier)))`, unpadded. */
export function codeChallengeS256(verifier: string): string {
  if (!VERIFIER_PATTERN.test(verifier)) throw new Error('a PKCE code verifier is 43-128 characters of [A-Za-z0-9-._~]');
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
