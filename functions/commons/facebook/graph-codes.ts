/**
 * Facebook's error codes and subcodes, and what each means to us, in one place. Where each fact
 * comes from and how sure we are of it: docs/facebook-graph.md ("Error codes", "Why a token died").
 * Nothing else in the service compares a Graph code or matches a Graph message.
 */

/** Codes that say a token (ours or the person's, depending on the call) is no longer valid. */
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([190, 102]);

/** Subcodes of a dead token, by what happened. 190/102 without a subcode: invalid, reason unknown. */
export const TOKEN_DEATH_SUBCODE = {
  appRemoved: 458,
  checkpointed: 459,
  passwordChanged: 460,
  expired: 463,
  unconfirmedUser: 464,
  invalidated: 466,
  loggedOut: 467,
  lostPageRole: 492,
  appInactive: 493,
} as const;

export type TokenDeathSubcode = (typeof TOKEN_DEATH_SUBCODE)[keyof typeof TOKEN_DEATH_SUBCODE];

const KNOWN_DEATH_SUBCODES: ReadonlySet<number> = new Set(Object.values(TOKEN_DEATH_SUBCODE));

export function isKnownDeathSubcode(subcode: number): subcode is TokenDeathSubcode {
  return KNOWN_DEATH_SUBCODES.has(subcode);
}

/** Throttling: retry much later. */
const THROTTLING_CODES: ReadonlySet<number> = new Set([4, 17, 32, 341, 613]);
/** Facebook's own trouble: retry soon. Code 1 is here only with HTTP 5xx (see isTransientGraphError). */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([2, 9]);

export function isThrottlingCode(code: number | undefined): boolean {
  return code !== undefined && (THROTTLING_CODES.has(code) || (code >= 80000 && code <= 80014));
}

/**
 * Retrying later can help. Code 1 ("unknown error") counts only with HTTP 5xx or `is_transient`:
 * `oauth/access_token` answers HTTP 400 code 1 "Error validating client secret." for a wrong secret,
 * which no retry fixes.
 */
export function isTransientGraphError(error: { readonly status: number; readonly code?: number; readonly isTransient?: boolean }): boolean {
  if (error.isTransient === true || error.status >= 500) return true;
  const { code } = error;
  return code !== undefined && (TRANSIENT_CODES.has(code) || isThrottlingCode(code));
}

/** The parts of Facebook's error envelope (or of `debug_token`'s `data.error`) we read. */
export interface GraphErrorDetail {
  readonly status: number;
  readonly code?: number;
  readonly subcode?: number;
  readonly message: string;
  readonly isTransient?: boolean;
}

/** `debug_token` refuses to describe a token issued to another app (HTTP 400, code 100). */
export function isWrongAppError(error: GraphErrorDetail): boolean {
  return error.code === 100 && /App_id in the input_token did not match/i.test(error.message);
}

/** A token refused because it expired: subcode 463, or the "Session has expired" wording without a subcode. */
export function isExpiredTokenError(error: { readonly subcode?: number; readonly message: string }): boolean {
  return error.subcode === TOKEN_DEATH_SUBCODE.expired || /expired/i.test(error.message);
}

/** `oauth/access_token` refusing to exchange a user token issued to another app. */
export function isTokenOfAnotherAppError(error: GraphErrorDetail): boolean {
  return /not issued for application|app_id .*did not match/i.test(error.message);
}

/** A session-info token used as an access token: "Invalid OAuth access token - Debug only access token". */
export function isDebugOnlyTokenError(error: GraphErrorDetail): boolean {
  return error.code === 190 && /debug only access token/i.test(error.message);
}

/** `oauth/access_token` refusing a code it already exchanged. */
export function isCodeUsedError(error: GraphErrorDetail): boolean {
  return /authorization code has been used/i.test(error.message);
}

/**
 * An error about our own app credentials, whatever the call: the client secret (code 1 with HTTP
 * 4xx, "Error validating client secret"), the app id (101), `appsecret_proof` (code 100 naming it),
 * a missing access token (104), an app token debug_token will not take (code 100 "You must provide
 * an app access token"). Never a verdict about a person's token.
 */
export function isOwnCredentialsError(error: GraphErrorDetail): boolean {
  const { code, message } = error;
  if (code === 1) return !isTransientGraphError(error);
  if (code === 101 || code === 104) return true;
  if (code === 100) return /appsecret_proof|client secret|must provide an app access token/i.test(message);
  return false;
}
