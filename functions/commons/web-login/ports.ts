/**
 * What browser sign-in needs from storage: the login dialog's `state`, written when the browser is
 * sent to the dialog and spent once when it comes back. Implemented by
 * `#commons/storage/login-state-store`.
 */

export interface LoginStateRecord {
  /** SHA-256 (hex) of the `state` parameter. */
  readonly stateHash: string;
  /** SHA-256 (hex) of the nonce in the browser's login cookie. */
  readonly nonceHash: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  readonly createdAt: number;
  /** Epoch ms; the item's TTL follows it. */
  readonly expiresAt: number;
  /** Set when the dialog was opened to re-authenticate this session (POST /v1/reauth/start). */
  readonly reauth?: LoginStateReauth;
}

export interface LoginStateReauth {
  readonly sessionId: string;
  /** SHA-256 (hex) of the `auth_nonce` sent to the dialog. */
  readonly authNonceHash: string;
}

export type LoginStateConsumption =
  | { readonly status: 'consumed'; readonly record: LoginStateRecord }
  /** Never issued, or already spent. */
  | { readonly status: 'unknown' }
  | { readonly status: 'expired' }
  /** Issued and live, but to another browser: the nonce does not match. Not spent. */
  | { readonly status: 'nonce_mismatch' };

export interface LoginStateRepository {
  /** Stores a new state; refuses rather than overwrite one with the same hash. */
  putLoginState(record: LoginStateRecord): Promise<void>;
  /**
   * Spends the state if it exists, is live and carries this nonce, so two racing callbacks cannot
   * both spend it. A state presented from the wrong browser is left in place.
   */
  consumeLoginState(stateHash: string, nonceHash: string | undefined): Promise<LoginStateConsumption>;
}
