/**
 * The HTTP API, declared once. The CDK stack and the local server both build from this table, so a
 * route cannot exist in one and not the other.
 */
export type RouteAuth = 'none' | 'session';

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway HTTP API path syntax: `{name}` for a path parameter. */
  readonly path: string;
  /** File name under functions/ (without .ts) that exports `handler`. */
  readonly entry: string;
  /** `session`: the Lambda authorizer must admit the request before the handler runs. */
  readonly auth: RouteAuth;
}

export const routes: readonly RouteDefinition[] = [
  { method: 'GET', path: '/v1/health', entry: 'health', auth: 'none' },
  { method: 'POST', path: '/v1/sessions', entry: 'create-session', auth: 'none' },
  // These two authenticate the session themselves so they can answer with an exact error code
  // (an HTTP API authorizer can only answer a bare 401/403).
  { method: 'GET', path: '/v1/sessions/current', entry: 'get-current-session', auth: 'none' },
  { method: 'DELETE', path: '/v1/sessions/current', entry: 'delete-current-session', auth: 'none' },
  // Browser sign-in through Facebook's login dialog (OAuth code flow with PKCE, done by the server).
  { method: 'GET', path: '/v1/auth/facebook/login', entry: 'web-login', auth: 'none' },
  { method: 'GET', path: '/v1/auth/facebook/callback', entry: 'web-login-callback', auth: 'none' },
  // Facebook calls these two; each request proves itself with a signed_request (HMAC under the app secret).
  { method: 'POST', path: '/v1/facebook/deauthorize', entry: 'facebook-deauthorize', auth: 'none' },
  { method: 'POST', path: '/v1/facebook/data-deletion', entry: 'facebook-data-deletion', auth: 'none' },
  // The status page Facebook links the person to; the unguessable confirmation code is the key.
  { method: 'GET', path: '/v1/facebook/data-deletion/{code}', entry: 'data-deletion-status', auth: 'none' },
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
  allowCredentials: true,
  maxAgeSeconds: 3600,
} as const;

/** The authorizer entry; routes with `auth: 'session'` use it. */
export const authorizerEntry = 'authorizer';
