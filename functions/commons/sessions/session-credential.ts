import { ForbiddenError, UnauthenticatedError } from '#commons/platform/errors';
import { cookieNamesFor, readCookie } from './cookies.ts';
import { header } from '#commons/platform/http';

/**
 * Which session token a request carries: `Authorization: Bearer` (apps) or the session cookie
 * (browsers). Bearer wins when both are sent.
 *
 * Cross-site request forgery: a cookie is sent by the browser on its own, a Bearer header never is.
 * So a request that changes state (anything but GET, HEAD, OPTIONS) and is authenticated by the
 * cookie must also carry an `Origin` header naming an allowed origin (PUBLIC_BASE_URL's origin or
 * one of RETURN_TO_ALLOWED_ORIGINS); browsers always send `Origin` on such requests and a page
 * cannot forge it. `SameSite=Lax` on the cookie already keeps it off cross-site subrequests; the
 * Origin check also covers same-site siblings (another subdomain) and browsers without SameSite.
 */
export interface CredentialRequest {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** API Gateway payload 2.0 `cookies`. */
  readonly cookies?: readonly string[];
}

export interface CredentialPolicy {
  readonly cookieName: string;
  /** Exact origins allowed to send cookie-authenticated state-changing requests. */
  readonly allowedOrigins: readonly string[];
}

export type SessionCredential =
  | { readonly source: 'bearer' | 'cookie'; readonly token: string }
  | { readonly source: 'none'; readonly token?: undefined };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionCredential(request: CredentialRequest, policy: CredentialPolicy): SessionCredential {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <sessionToken>".');
    return { source: 'bearer', token: match[1] as string };
  }
  const cookie = readCookie(request.cookies, policy.cookieName);
  if (cookie === undefined || cookie === '') return { source: 'none' };
  if (!SAFE_METHODS.has(request.method.toUpperCase())) {
    const origin = header(request, 'origin');
    if (origin === undefined || !policy.allowedOrigins.includes(origin)) {
      throw new ForbiddenError(
        origin === undefined
          ? 'A request that changes something and is signed in by cookie must carry an Origin header.'
          : 'This request comes from a page on another site, so it cannot use the session cookie.',
      );
    }
  }
  return { source: 'cookie', token: cookie };
}

/** PUBLIC_BASE_URL's origin plus the configured ones. */
export function allowedOriginsOf(publicBaseUrl: string, returnToAllowedOrigins: readonly string[]): string[] {
  return [...new Set([new URL(publicBaseUrl).origin, ...returnToAllowedOrigins])];
}

/** What decides the policy: the deployment's base URL and the web apps' origins (`webOriginsEnv`). */
export interface WebOrigins {
  readonly PUBLIC_BASE_URL: string;
  readonly RETURN_TO_ALLOWED_ORIGINS: readonly string[];
}

/** The policy of one deployment: its session cookie, and the origins that may use it to change state. */
export function credentialPolicyFor(config: WebOrigins): CredentialPolicy {
  return {
    cookieName: cookieNamesFor(config.PUBLIC_BASE_URL).session,
    allowedOrigins: allowedOriginsOf(config.PUBLIC_BASE_URL, config.RETURN_TO_ALLOWED_ORIGINS),
  };
}

/** The parts of an API Gateway payload 2.0 event (a route's or the authorizer's) the policy reads. */
export interface CredentialEvent {
  readonly requestContext?: { readonly http?: { readonly method?: string } };
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly cookies?: readonly string[];
}

export function credentialRequestOf(event: CredentialEvent): CredentialRequest {
  return { method: event.requestContext?.http?.method ?? 'GET', headers: event.headers, cookies: event.cookies };
}
