/**
 * The HTTP API, declared once. The CDK stack and the local server both build from this table, so a
 * route cannot exist in one and not the other; the OpenAPI description (`docs/openapi.json`, built
 * by `local/openapi.ts`) is built from it too, with the zod schemas the handlers validate with.
 *
 * Over 300 lines on purpose: every public route with its OpenAPI description, in one table that
 * reads as the API's index; the schemas themselves live beside each capability.
 */
import type * as z from '#commons/platform/zod';
import { type ErrorCode, healthAnswer } from '#commons/platform/api-schemas';
import {
  createSessionAnswer,
  createSessionBody,
  currentSessionAnswer,
  endAllSessionsAnswer,
  endAllSessionsQuery,
  ownSessionsAnswer,
  sessionIdPath,
} from '#commons/sessions/api-schemas';
import { callbackQuery, loginQuery } from '#commons/web-login/api-schemas';
import { reauthCompleteAnswer, reauthCompleteBody, reauthStartAnswer, reauthStartBody, sensitiveActionAnswer } from '#commons/reauth/api-schemas';
import {
  confirmationCodePath,
  dataDeletionAnswer,
  dataDeletionStatusAnswer,
  deauthorizeAnswer,
  signedRequestFormDoc,
} from '#commons/facebook-callbacks/api-schemas';

export type RouteAuth = 'none' | 'session' | 'iam';

/** One answer of a route, as the OpenAPI description shows it. */
export interface RouteAnswer {
  readonly description: string;
  readonly json?: z.core.$ZodType;
  /** Also answers a small HTML page when the request prefers `text/html`. */
  readonly html?: boolean;
  /** Header name → what it carries. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The public API's groups of routes, as its OpenAPI description lists them (`local/openapi.ts`). */
export type PublicTag = 'sessions' | 'browser sign-in' | 're-authentication' | 'facebook callbacks' | 'operations';

/**
 * What the OpenAPI description says of a route; the schemas are the ones the handler parses with.
 * The public API and the admin API (`admin-routes.ts`) each have their own tags.
 */
export interface RouteDoc<Tag extends string = PublicTag> {
  readonly summary: string;
  readonly description?: string;
  readonly tag: Tag;
  /** The route reads the session from `Authorization: Bearer` or the session cookie. */
  readonly sessionCredential?: boolean;
  readonly request?: { readonly json?: z.core.$ZodType; readonly form?: z.core.$ZodType; readonly query?: z.core.$ZodObject; readonly path?: z.core.$ZodObject };
  readonly answers: Readonly<Record<number, RouteAnswer>>;
  /** The error codes this route may answer (in the `Error` shape); 500 `internal_error` is implied. */
  readonly errors: readonly ErrorCode[];
}

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway HTTP API path syntax: `{name}` for a path parameter. */
  readonly path: string;
  /** File name under functions/ (without .ts) that exports `handler`. */
  readonly entry: string;
  /**
   * `session`: the Lambda authorizer must admit the request before the handler runs. `iam`: the
   * caller signs with AWS credentials (SigV4) and IAM decides; only the admin API
   * (`admin-routes.ts`) has such routes.
   */
  readonly auth: RouteAuth;
  /**
   * Sensitive routes: the session's last Facebook authentication (`authTime`) must be at most this
   * old, else `401 reauthentication_required`. Needs `auth: 'session'` (the stack refuses otherwise);
   * the handler enforces it (functions/commons/reauth/freshness.ts).
   */
  readonly maxAuthAgeSeconds?: number;
}

/** A route of the public API: every one carries its OpenAPI description. */
export interface PublicRoute extends RouteDefinition {
  readonly doc: RouteDoc;
}

const SESSION_ERRORS = ['unauthenticated', 'session_revoked'] as const satisfies readonly ErrorCode[];
const FACEBOOK_TOKEN_ERRORS = ['invalid_token', 'token_expired', 'facebook_unavailable'] as const satisfies readonly ErrorCode[];
const WEB_LOGIN_ERRORS = ['login_state_invalid', 'login_state_expired', 'login_browser_mismatch', 'authorization_code_used', 'authorization_code_rejected'] as const satisfies readonly ErrorCode[];
const SESSION_COOKIE = { 'Set-Cookie': 'The session cookie (`__Host-sg_session` over https; `sg_session` on the local http stack): HttpOnly, SameSite=Lax, Path=/.' };

/** A callback Facebook posts a `signed_request` form to; `name` is both its path and its entry. */
function facebookCallback(name: 'deauthorize' | 'data-deletion', summary: string, answer: RouteAnswer): PublicRoute {
  return {
    method: 'POST',
    path: `/v1/facebook/${name}`,
    entry: `facebook-${name}`,
    auth: 'none',
    doc: { summary, tag: 'facebook callbacks', request: { form: signedRequestFormDoc }, answers: { 200: answer }, errors: ['invalid_request', 'invalid_signed_request', 'payload_too_large'] },
  };
}

export const routes: readonly PublicRoute[] = [
  {
    method: 'GET',
    path: '/v1/health',
    entry: 'health',
    auth: 'none',
    doc: { summary: 'Liveness', tag: 'operations', answers: { 200: { description: 'The function can serve.', json: healthAnswer } }, errors: [] },
  },
  {
    method: 'POST',
    path: '/v1/sessions',
    entry: 'create-session',
    auth: 'none',
    doc: {
      summary: 'Sign in with a Facebook session-info token (or a user access token)',
      description:
        'Checks the token with Facebook (`/debug_token`), finds or creates the user and opens a session. Signing in again with the same session-info token replaces its earlier session.',
      tag: 'sessions',
      request: { json: createSessionBody },
      answers: { 201: { description: 'The session is open.', json: createSessionAnswer } },
      errors: ['invalid_request', 'payload_too_large', ...FACEBOOK_TOKEN_ERRORS],
    },
  },
  // These two authenticate the session themselves so they can answer with an exact error code
  // (an HTTP API authorizer can only answer a bare 401/403).
  {
    method: 'GET',
    path: '/v1/sessions/current',
    entry: 'get-current-session',
    auth: 'none',
    doc: {
      summary: 'The live session',
      description: 'Bearer wins when both the header and the cookie are sent. A client that got 403 from its own API behind the authorizer calls this for the reason.',
      tag: 'sessions',
      sessionCredential: true,
      answers: { 200: { description: 'The session is live.', json: currentSessionAnswer } },
      errors: [...SESSION_ERRORS],
    },
  },
  {
    method: 'DELETE',
    path: '/v1/sessions/current',
    entry: 'delete-current-session',
    auth: 'none',
    doc: {
      summary: 'Sign out',
      description: 'Ends the session and deletes its sealed token. With the cookie it needs an allowed `Origin` header and clears the cookie.',
      tag: 'sessions',
      sessionCredential: true,
      answers: { 204: { description: 'Signed out.', headers: { 'Set-Cookie': 'With the cookie: clears it.' } } },
      errors: [...SESSION_ERRORS, 'forbidden'],
    },
  },
  // The person's sessions everywhere: behind the authorizer, which admits the session (and checks
  // the Origin of cookie writes) before these run; a refusal is its bare 401/403.
  {
    method: 'GET',
    path: '/v1/sessions',
    entry: 'list-sessions',
    auth: 'session',
    doc: {
      summary: 'Where the person is signed in: their live sessions, newest first',
      description: 'Reads only (no "last seen"). `via` is how each session was opened (`mobile` or `web`, from its `signInMethod`); `device` is a short label made from the User-Agent at sign-in.',
      tag: 'sessions',
      sessionCredential: true,
      answers: { 200: { description: 'The live sessions; `current` marks the one making the request.', json: ownSessionsAnswer } },
      errors: [],
    },
  },
  {
    method: 'DELETE',
    path: '/v1/sessions',
    entry: 'end-all-sessions',
    auth: 'session',
    doc: {
      summary: 'Sign out everywhere (or everywhere else with `keepCurrent=true`)',
      description: 'Each ended session keeps a revocation record with reason `signed_out_everywhere` and is one `Session Ended` event. Clears the cookie when its session ended.',
      tag: 'sessions',
      sessionCredential: true,
      request: { query: endAllSessionsQuery },
      answers: { 200: { description: 'How many sessions ended.', json: endAllSessionsAnswer, headers: { 'Set-Cookie': 'With the cookie, when its session ended: clears it.' } } },
      errors: ['invalid_request'],
    },
  },
  {
    method: 'DELETE',
    path: '/v1/sessions/{id}',
    entry: 'end-session',
    auth: 'session',
    doc: {
      summary: "End one of the person's sessions",
      description: 'The session keeps a revocation record with reason `signed_out` and is one `Session Ended` event. A session that is not the caller\'s, or not live, is 404 like one that does not exist.',
      tag: 'sessions',
      sessionCredential: true,
      request: { path: sessionIdPath },
      answers: { 204: { description: 'Ended.', headers: { 'Set-Cookie': 'With the cookie, when the request ended its own session: clears it.' } } },
      errors: ['not_found'],
    },
  },
  // Browser sign-in through Facebook's login dialog (OAuth code flow with PKCE, done by the server).
  {
    method: 'GET',
    path: '/v1/auth/facebook/login',
    entry: 'web-login',
    auth: 'none',
    doc: {
      summary: "Start a browser sign-in: redirects to Facebook's login dialog",
      tag: 'browser sign-in',
      request: { query: loginQuery },
      answers: { 302: { description: 'To the login dialog, with a fresh state and PKCE challenge.', headers: { Location: 'The login dialog.', 'Set-Cookie': 'The login cookie binding the attempt to this browser (10 minutes).' } } },
      errors: ['invalid_request'],
    },
  },
  {
    method: 'GET',
    path: '/v1/auth/facebook/callback',
    entry: 'web-login-callback',
    auth: 'none',
    doc: {
      summary: 'Where the login dialog returns; opens the session',
      description: 'Refusals answer a small HTML page when the browser asks for HTML, the JSON error otherwise.',
      tag: 'browser sign-in',
      request: { query: callbackQuery },
      answers: {
        302: { description: 'To `returnTo`, with the session cookie; or, when the person cancelled, to `returnTo` with `login_error=cancelled`.', headers: { Location: '`returnTo`.', ...SESSION_COOKIE } },
      },
      errors: ['invalid_request', ...WEB_LOGIN_ERRORS, ...FACEBOOK_TOKEN_ERRORS],
    },
  },
  // Re-authentication: Facebook asks for the password again, with a single-use auth_nonce of ours.
  // Both authenticate the session themselves, like /sessions/current, for exact error codes.
  {
    method: 'POST',
    path: '/v1/reauth/start',
    entry: 'reauth-start',
    auth: 'none',
    doc: {
      summary: 'Start a re-authentication: a single-use auth_nonce and the login dialog that asks for the password again',
      description:
        'Sessions opened from a mobile session-info token need `"via":"web"` (the iOS and Android SDKs cannot re-authenticate). Sets the login cookie that binds the dialog\'s callback to this browser.',
      tag: 're-authentication',
      sessionCredential: true,
      request: { json: reauthStartBody },
      answers: { 200: { description: 'The nonce (10 minutes, single use) and the dialog URL.', json: reauthStartAnswer, headers: { 'Set-Cookie': 'The login cookie (10 minutes).' } } },
      errors: ['invalid_request', 'payload_too_large', 'forbidden', 'reauth_unsupported', ...SESSION_ERRORS],
    },
  },
  {
    method: 'POST',
    path: '/v1/reauth/complete',
    entry: 'reauth-complete',
    auth: 'none',
    doc: {
      summary: "Finish a JavaScript SDK re-authentication with FB.login's user access token",
      description: 'Accepted only for our nonce, unspent and unexpired, on this session, from a valid token of our app and the same Facebook user, from a login Facebook reports as a re-authentication. The session\'s authTime becomes now.',
      tag: 're-authentication',
      sessionCredential: true,
      request: { json: reauthCompleteBody },
      answers: { 200: { description: 'Re-authenticated.', json: reauthCompleteAnswer } },
      errors: ['invalid_request', 'payload_too_large', 'forbidden', 'reauth_failed', 'facebook_unavailable', ...SESSION_ERRORS],
    },
  },
  // An example of a sensitive action: only within 5 minutes of signing in or re-authenticating.
  {
    method: 'POST',
    path: '/v1/account/sensitive-action',
    entry: 'sensitive-action',
    auth: 'session',
    maxAuthAgeSeconds: 300,
    doc: {
      summary: 'An example sensitive action: needs a Facebook authentication from the last 5 minutes',
      tag: 're-authentication',
      sessionCredential: true,
      answers: { 200: { description: 'Done.', json: sensitiveActionAnswer } },
      errors: ['reauthentication_required'],
    },
  },
  // Facebook calls these two; each request proves itself with a signed_request (HMAC under the app secret).
  facebookCallback('deauthorize', "Facebook's Deauthorize Callback: revokes every session of the person (`app_removed`)", {
    description: 'Done (also for a person never seen).',
    json: deauthorizeAnswer,
  }),
  facebookCallback('data-deletion', "Facebook's Data Deletion Request callback: deletes everything held on the person", {
    description: 'The status page and the confirmation code Facebook shows the person.',
    json: dataDeletionAnswer,
  }),
  // The status page Facebook links the person to; the unguessable confirmation code is the key.
  {
    method: 'GET',
    path: '/v1/facebook/data-deletion/{code}',
    entry: 'data-deletion-status',
    auth: 'none',
    doc: {
      summary: 'The status page of a data deletion request',
      tag: 'facebook callbacks',
      request: { path: confirmationCodePath },
      answers: { 200: { description: 'The deletion status (JSON; an HTML page for a browser).', json: dataDeletionStatusAnswer, html: true } },
      errors: ['invalid_request', 'not_found'],
    },
  },
];

/**
 * Cross-origin access for web apps on RETURN_TO_ALLOWED_ORIGINS (the only origins allowed): API
 * Gateway answers preflights itself and adds these headers to answers for an allowed Origin.
 * Credentials are allowed so such an app can use the session cookie; writes with the cookie still
 * pass the Origin check in the handlers.
 */
export const corsPolicy = {
  allowMethods: ['GET', 'POST', 'DELETE'],
  allowHeaders: ['authorization', 'content-type'],
  /** A page must read Retry-After to back off on 503 (it is not a CORS-safelisted answer header). */
  exposeHeaders: ['retry-after'],
  allowCredentials: true,
  maxAgeSeconds: 3600,
} as const;

/** The authorizer entry; routes with `auth: 'session'` use it. */
export const authorizerEntry = 'authorizer';
