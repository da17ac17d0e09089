import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ReauthenticationRequiredError } from '#commons/platform/errors';
import { type SessionContext, sessionContextOf } from '#commons/sessions/authorizer-context';

/**
 * Freshness for sensitive actions: a route may demand that the session's last Facebook
 * authentication (`authTime`: the sign-in, or the latest re-authentication) is recent. Declared
 * per route in the route table (`maxAuthAgeSeconds`, which needs the session authorizer); the
 * handler checks it with `requireFreshSession`, or `requireRecentAuthentication` when it
 * authenticates the session itself.
 */
export function requireRecentAuthentication(authTimeMs: number, maxAgeSeconds: number, nowMs: number = Date.now()): void {
  if (nowMs - authTimeMs > maxAgeSeconds * 1000) throw new ReauthenticationRequiredError(maxAgeSeconds);
}

export type AuthorizedSession = SessionContext;

/** The authorizer's session of this request, checked to be at most `maxAgeSeconds` since its Facebook authentication. */
export function requireFreshSession(event: APIGatewayProxyEventV2, maxAgeSeconds: number, nowMs: number = Date.now()): AuthorizedSession {
  // Only a route deployed without the authorizer gets here without a context: refused, never guessed.
  const session = sessionContextOf(event);
  requireRecentAuthentication(session.authTime * 1000, maxAgeSeconds, nowMs);
  return session;
}

/** A route's freshness option from the route table, read once at cold start; a route without one is a wiring mistake. */
export function maxAuthAgeOf(routes: readonly { readonly entry: string; readonly maxAuthAgeSeconds?: number }[], entry: string): number {
  const route = routes.find((candidate) => candidate.entry === entry && candidate.maxAuthAgeSeconds !== undefined);
  if (route?.maxAuthAgeSeconds === undefined) throw new Error(`functions/routes.ts declares no maxAuthAgeSeconds for ${entry}`);
  return route.maxAuthAgeSeconds;
}
