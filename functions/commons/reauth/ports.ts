import type { DebugTokenAnswer } from '#commons/facebook/debug-token';

/**
 * What re-authentication needs from the world, as interfaces: the store of issued nonces (and the
 * one transaction that spends a nonce and refreshes the session), Facebook's two ways of telling
 * which nonce a login carried, and where security events go. The adapters live in
 * `functions/commons/storage/reauth-store.ts`, `functions/commons/facebook/access-token-info.ts`
 * and `reauth-wiring.ts`.
 */
export type ReauthChallengeStatus = 'issued' | 'spent';

/** One issued `auth_nonce`, bound to a session and its Facebook user. Times are epoch ms. */
export interface ReauthChallenge {
  /** SHA-256 (hex) of the nonce. */
  readonly nonceHash: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly facebookUserId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: ReauthChallengeStatus;
  readonly spentAt?: number;
}

/** What a completed re-authentication writes on the session. */
export interface SessionRefresh {
  readonly sessionId: string;
  readonly userId: string;
  /** Epoch ms: now. */
  readonly authTime: number;
  /** The new session-info token, sealed for this session and user. */
  readonly sealedToken: string;
  /** SHA-256 of the new session-info token: its lock moves to it. */
  readonly sessionInfoTokenHash: string;
}

export type ReauthCommit =
  | { readonly status: 'completed' }
  /** The nonce was spent first by someone else (a replay or the loser of a race). */
  | { readonly status: 'nonce_spent' }
  | { readonly status: 'nonce_expired' }
  /** Gone (TTL), or bound to another session. */
  | { readonly status: 'nonce_unknown' }
  /** The session was revoked, signed out or expired meanwhile. */
  | { readonly status: 'session_ended' };

export interface ReauthChallengeStore {
  putChallenge(challenge: ReauthChallenge): Promise<void>;
  /** The challenge, or undefined when unknown or past its retention. */
  getChallenge(nonceHash: string): Promise<ReauthChallenge | undefined>;
  /**
   * Spends the nonce and refreshes the session in one conditional transaction, so of two
   * completions racing on one nonce exactly one commits, and a failure changes nothing.
   */
  commitReauthentication(nonceHash: string, refresh: SessionRefresh): Promise<ReauthCommit>;
}

/** Which `auth_nonce` / `auth_type` a login's token carries, from `/oauth/access_token_info`. */
export interface LoginMetadata {
  readonly authNonce?: string;
  readonly authType?: string;
}

export interface LoginTokenInspector {
  debugToken(inputToken: string): Promise<DebugTokenAnswer>;
  accessTokenInfo(userToken: string): Promise<LoginMetadata>;
}

export interface ReplayEvent {
  readonly sessionId: string;
  readonly userId: string;
  /** The session the nonce was issued to; differs when someone else's nonce is replayed. */
  readonly nonceSessionId: string;
  readonly spentAt?: number;
}

export interface ReauthMonitor {
  /** A spent nonce came back: a security event, logged and counted (metric NonceReplay). */
  nonceReplayed(event: ReplayEvent): void;
  /** Facebook reported no auth_type for an accepted login: the nonce alone vouched for it. */
  authTypeMissing(event: { readonly sessionId: string }): void;
}
