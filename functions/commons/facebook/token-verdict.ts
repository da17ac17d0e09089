import type { DebugTokenAnswer } from './debug-token.ts';
import { isKnownDeathSubcode, isTransientGraphError, TOKEN_INVALID_CODES } from './graph-codes.ts';

/**
 * The verdict rules: what a `debug_token` answer says about one session. Only an answer that names
 * our app and the session's own Facebook user, and says `is_valid: false` with code 190 or 102 (a
 * known subcode or none), is a verdict that the Facebook session ended. Every other answer that is
 * not a complete, valid description is `unrecognised`: nobody acts on it. See docs/facebook-graph.md
 * ("The verdict rules") and the README's revalidation section.
 */
export interface ValidTokenInfo {
  readonly appId: string;
  readonly userId: string;
  readonly type: string;
  /** Epoch seconds; 0 means the token never expires. */
  readonly expiresAt: number;
  readonly issuedAt?: number;
  readonly dataAccessExpiresAt?: number;
  readonly scopes: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export type UnrecognisedWhy =
  /** `is_valid: false` without `data.error`. */
  | 'no_error'
  /** `data.error` transient (`is_transient`, a throttling or service code). */
  | 'transient_error'
  /** `data.error` with a code other than 190/102, or none. */
  | 'unknown_code'
  /** 190/102 with a subcode we do not know. */
  | 'unknown_subcode'
  /** `app_id`, `user_id` or `type` missing. */
  | 'incomplete'
  /** `user_id` is not the session's Facebook user. */
  | 'other_user'
  /** `app_id` is not ours. */
  | 'other_app';

export type TokenVerdict =
  | { readonly verdict: 'valid'; readonly token: ValidTokenInfo }
  | { readonly verdict: 'ended'; readonly code: number; readonly subcode?: number }
  /** Facebook refused to describe the token: it was issued to another app. */
  | { readonly verdict: 'wrong_app' }
  | { readonly verdict: 'unrecognised'; readonly why: UnrecognisedWhy };

export interface ExpectedToken {
  readonly appId: string;
  /** The session's Facebook user; unknown at sign-in, where the answer tells us who it is. */
  readonly facebookUserId?: string | undefined;
}

export function judgeDebugToken(answer: DebugTokenAnswer, expected: ExpectedToken): TokenVerdict {
  if (answer.kind === 'wrong_app') return { verdict: 'wrong_app' };
  const token = answer.token;
  const unrecognised = (why: UnrecognisedWhy): TokenVerdict => ({ verdict: 'unrecognised', why });
  if (token.appId === undefined || token.userId === undefined || token.userId === '' || token.type === undefined) return unrecognised('incomplete');
  if (token.appId !== expected.appId) return unrecognised('other_app');
  if (expected.facebookUserId !== undefined && token.userId !== expected.facebookUserId) return unrecognised('other_user');
  if (token.isValid) {
    return {
      verdict: 'valid',
      token: {
        appId: token.appId,
        userId: token.userId,
        type: token.type,
        expiresAt: token.expiresAt ?? 0,
        ...(token.issuedAt !== undefined ? { issuedAt: token.issuedAt } : {}),
        ...(token.dataAccessExpiresAt !== undefined ? { dataAccessExpiresAt: token.dataAccessExpiresAt } : {}),
        scopes: token.scopes,
        metadata: token.metadata,
      },
    };
  }
  const error = token.error;
  if (error === undefined) return unrecognised('no_error');
  // data.error carries no HTTP status of its own; the answer itself came with 200.
  if (isTransientGraphError({ status: 200, ...(error.code !== undefined ? { code: error.code } : {}), ...(error.isTransient !== undefined ? { isTransient: error.isTransient } : {}) })) {
    return unrecognised('transient_error');
  }
  if (error.code === undefined || !TOKEN_INVALID_CODES.has(error.code)) return unrecognised('unknown_code');
  if (error.subcode !== undefined && !isKnownDeathSubcode(error.subcode)) return unrecognised('unknown_subcode');
  return { verdict: 'ended', code: error.code, ...(error.subcode !== undefined ? { subcode: error.subcode } : {}) };
}
