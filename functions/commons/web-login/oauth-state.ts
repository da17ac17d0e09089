import { randomBytes } from 'node:crypto';
import { sha256Hex } from '#commons/sessions/session-tokens';

/**
 * The OAuth `state` of a browser sign-in and the nonce that binds it to the browser. Both are 256
 * random bits in base64url (43 characters). Only their SHA-256 is stored (see
 * `#commons/storage/login-state-mapper`): the state record is useless to whoever reads the table.
 */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

const RANDOM_VALUE = /^[A-Za-z0-9_-]{43}$/;

export interface LoginAttempt {
  /** Sent to Facebook as `state` and returned on the callback. */
  readonly state: string;
  /** Kept in the browser's login cookie. */
  readonly bindingNonce: string;
}

export function newLoginAttempt(): LoginAttempt {
  return { state: randomBytes(32).toString('base64url'), bindingNonce: randomBytes(32).toString('base64url') };
}

/** Whether a value could be one of ours; anything else is refused before touching the table. */
export function isLoginRandomValue(value: string): boolean {
  return RANDOM_VALUE.test(value);
}

export const hashLoginValue = sha256Hex;
