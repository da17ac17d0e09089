import type { RevocationReason } from '#commons/sessions/model';

/**
 * The small typed hierarchy every layer throws. `http.ts` maps it to responses in one place; below
 * 500 the client sees `code` and `message`, at 500 only a generic body.
 */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export abstract class SessionGuardError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra response headers (Retry-After, for example). */
  readonly headers: Readonly<Record<string, string>> = {};
  /** Extra fields of the JSON error body, beside `code` and `message`. */
  readonly details: Readonly<Record<string, unknown>> = {};

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * An error that is its status and stable code, and nothing more: each such error below is one line
 * instead of a class body, and cannot get its status and code out of step with another's.
 */
function statusError<const C extends string>(name: string, status: number, code: C) {
  return class extends SessionGuardError {
    override readonly name = name;
    readonly status = status;
    readonly code: C = code;
  };
}

/** An error whose code says which of a family of refusals it is (`FacebookTokenVerdict`, `WebLoginFailure`). */
function codedError<C extends string>(name: string, status: number) {
  return class extends SessionGuardError {
    override readonly name = name;
    readonly status = status;
    constructor(
      readonly code: C,
      message: string,
      options?: { cause?: unknown },
    ) {
      super(message, options);
    }
  };
}

export class InvalidRequestError extends statusError('InvalidRequestError', 400, 'invalid_request') {
  constructor(
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
  }
}

/**
 * A Facebook `signed_request` (deauthorize and data-deletion callbacks) that does not verify: bad
 * encoding, wrong signature, wrong algorithm, stale or missing fields. Its own code, so whoever
 * wires the callbacks up can tell "the form is wrong" (`invalid_request`) from "the signature or
 * payload is refused" (usually the wrong app secret).
 */
export class InvalidSignedRequestError extends statusError('InvalidSignedRequestError', 400, 'invalid_signed_request') {}

export class PayloadTooLargeError extends statusError('PayloadTooLargeError', 413, 'payload_too_large') {}

export class UnauthenticatedError extends statusError('UnauthenticatedError', 401, 'unauthenticated') {}

/** Declared with the session model; re-exported for the modules that import it from here. */
export type { RevocationReason } from '#commons/sessions/model';

export class SessionRevokedError extends statusError('SessionRevokedError', 401, 'session_revoked') {
  constructor(readonly reason: RevocationReason) {
    super(`This session was revoked (${reason}); sign in again.`);
  }
}

/** Facebook's verdict on a token the client gave us. */
export type FacebookTokenVerdict = 'invalid_token' | 'token_expired';

export class FacebookTokenRejectedError extends codedError<FacebookTokenVerdict>('FacebookTokenRejectedError', 401) {}

/** A 503 that says when to come back: the answer carries `Retry-After`. */
function retryLaterError<const C extends string>(name: string, code: C, defaultRetryAfterSeconds: number) {
  return class extends statusError(name, 503, code) {
    override readonly headers: Readonly<Record<string, string>>;
    constructor(
      message: string,
      readonly retryAfterSeconds = defaultRetryAfterSeconds,
      options?: { cause?: unknown },
    ) {
      super(message, options);
      this.headers = { 'retry-after': String(retryAfterSeconds) };
    }
  };
}

export class FacebookUnavailableError extends retryLaterError('FacebookUnavailableError', 'facebook_unavailable', 30) {}

/**
 * A sign-in that kept losing races for the same records (a double-tapped button, a client that
 * retries, a deletion of the same person in progress) past its retries. Nothing is wrong and
 * nothing was written: trying again shortly succeeds. Never a 500.
 */
export class SignInContentionError extends retryLaterError('SignInContentionError', 'sign_in_contention', 1) {}

/**
 * Why a browser sign-in (the Facebook login dialog's callback) was refused. Nothing was written;
 * the person starts signing in again.
 * - `login_state_invalid`: no `state`, or one we never issued or that was already used (a replayed
 *   or tampered callback URL).
 * - `login_state_expired`: the sign-in took longer than the state lives (10 minutes).
 * - `login_browser_mismatch`: the callback arrived in a browser that did not start this sign-in
 *   (its login cookie is missing or different): possibly a login forgery attempt.
 * - `authorization_code_used`: Facebook says the code was already exchanged.
 * - `authorization_code_rejected`: Facebook refused the code (unknown, expired, PKCE or
 *   redirect_uri mismatch).
 */
export type WebLoginFailure =
  | 'login_state_invalid'
  | 'login_state_expired'
  | 'login_browser_mismatch'
  | 'authorization_code_used'
  | 'authorization_code_rejected';

export class WebLoginError extends codedError<WebLoginFailure>('WebLoginError', 400) {}

export class ForbiddenError extends statusError('ForbiddenError', 403, 'forbidden') {}

export class NotFoundError extends statusError('NotFoundError', 404, 'not_found') {}

export class MethodNotAllowedError extends statusError('MethodNotAllowedError', 405, 'method_not_allowed') {}

/**
 * Why a re-authentication (`POST /v1/reauth/complete`, or the dialog's callback for one started by
 * `POST /v1/reauth/start`) was refused. Nothing about the session changed.
 * - `nonce_missing`: Facebook reports no `auth_nonce` on the login's token.
 * - `nonce_unknown`: not a nonce we issued, or one issued to another session.
 * - `nonce_expired`: issued, but its 10 minutes are over.
 * - `nonce_replayed`: already spent by an earlier re-authentication (logged as a security event).
 * - `user_mismatch`: the login is another Facebook user's than the session's.
 * - `invalid_token`: Facebook does not accept the token, or it is not a user token of our app.
 * - `not_reauthenticated`: Facebook says the login was not a re-authentication.
 */
export const REAUTH_FAILURE_REASONS = ['nonce_missing', 'nonce_unknown', 'nonce_expired', 'nonce_replayed', 'user_mismatch', 'invalid_token', 'not_reauthenticated'] as const;
export type ReauthFailureReason = (typeof REAUTH_FAILURE_REASONS)[number];

export class ReauthFailedError extends statusError('ReauthFailedError', 401, 'reauth_failed') {
  constructor(
    readonly reason: ReauthFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** A mobile session asked to re-authenticate without saying it will open the dialog in a web view. */
export class ReauthUnsupportedError extends statusError('ReauthUnsupportedError', 409, 'reauth_unsupported') {}

/** The session's last Facebook authentication is older than the route allows. */
export class ReauthenticationRequiredError extends statusError('ReauthenticationRequiredError', 401, 'reauthentication_required') {
  override readonly details: Readonly<Record<string, unknown>>;
  constructor(readonly maxAgeSeconds: number) {
    super(`This needs a sign-in from the last ${maxAgeSeconds} seconds. Confirm it's you with Facebook (POST /v1/reauth/start), then try again.`);
    this.details = { maxAgeSeconds };
  }
}
/** The request contradicts what is stored (an inventory label taken, a credential Graph cannot revoke). */
export class ConflictError extends codedError<'conflict' | 'graph_cannot_revoke' | 'already_closed'>('ConflictError', 409) {}

/** A conditional write lost a race; callers retry or surface it. Never reaches a client as-is. */
export class ConcurrentUpdateError extends Error {
  override readonly name: string = 'ConcurrentUpdateError';
}

/**
 * A sign-in's write found the person's Facebook-id link changed since it read it: an app removal
 * or a data deletion began. What Facebook said about the token may no longer hold.
 */
export class PersonChangedError extends ConcurrentUpdateError {
  override readonly name = 'PersonChangedError';
  /** The app removal seen on the link (its `issued_at`, epoch ms), when that is what changed. */
  readonly appRemovedAt: number | undefined;
  constructor(message: string, options: { cause?: unknown; appRemovedAt?: number } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.appRemovedAt = options.appRemovedAt;
  }
}

