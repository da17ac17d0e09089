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

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class InvalidRequestError extends SessionGuardError {
  override readonly name = 'InvalidRequestError';
  readonly status = 400;
  readonly code = 'invalid_request';
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
export class InvalidSignedRequestError extends SessionGuardError {
  override readonly name = 'InvalidSignedRequestError';
  readonly status = 400;
  readonly code = 'invalid_signed_request';
}

export class PayloadTooLargeError extends SessionGuardError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnauthenticatedError extends SessionGuardError {
  override readonly name = 'UnauthenticatedError';
  readonly status = 401;
  readonly code = 'unauthenticated';
}

export type RevocationReason =
  | 'password_changed'
  | 'app_removed'
  | 'logged_out'
  | 'expired'
  | 'checkpointed'
  | 'invalidated'
  | 'unconfirmed_user'
  | 'invalid';

export class SessionRevokedError extends SessionGuardError {
  override readonly name = 'SessionRevokedError';
  readonly status = 401;
  readonly code = 'session_revoked';
  constructor(readonly reason: RevocationReason) {
    super(`This session was revoked (${reason}); sign in again.`);
  }
}

/** Facebook's verdict on a token the client gave us. */
export type FacebookTokenVerdict = 'invalid_token' | 'token_expired' | 'wrong_app';

export class FacebookTokenRejectedError extends SessionGuardError {
  override readonly name = 'FacebookTokenRejectedError';
  readonly status = 401;
  constructor(
    readonly code: FacebookTokenVerdict,
    message: string,
  ) {
    super(message);
  }
}

export class FacebookUnavailableError extends SessionGuardError {
  override readonly name = 'FacebookUnavailableError';
  readonly status = 503;
  readonly code = 'facebook_unavailable';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(
    message: string,
    readonly retryAfterSeconds = 30,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

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

export class WebLoginError extends SessionGuardError {
  override readonly name = 'WebLoginError';
  readonly status = 400;
  constructor(
    readonly code: WebLoginFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class ForbiddenError extends SessionGuardError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  readonly code = 'forbidden';
}

export class NotFoundError extends SessionGuardError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly code = 'not_found';
}

export class MethodNotAllowedError extends SessionGuardError {
  override readonly name = 'MethodNotAllowedError';
  readonly status = 405;
  readonly code = 'method_not_allowed';
}

/** A conditional write lost a race; callers retry or surface it. Never reaches a client as-is. */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
}
