import { randomInt } from 'node:crypto';
import { sha256Hex } from '#commons/sessions/session-tokens';

/**
 * The `auth_nonce` of a re-authentication: Facebook wants an app-made alphanumeric value, unique
 * to each login attempt (docs/reauth.md, "What Facebook does"). 32 characters from 62 carry
 * 32 × log2(62) ≈ 190 random bits. Only its SHA-256 is stored: the table never holds a usable nonce.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const REAUTH_NONCE_LENGTH = 32;
const NONCE_FORMAT = new RegExp(`^[A-Za-z0-9]{${REAUTH_NONCE_LENGTH}}$`);

export function newReauthNonce(): string {
  // randomInt draws without modulo bias.
  return Array.from({ length: REAUTH_NONCE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** Whether a value could be one of ours; anything else is refused before touching the table. */
export function isReauthNonce(value: string): boolean {
  return NONCE_FORMAT.test(value);
}

export const hashReauthNonce = sha256Hex;
