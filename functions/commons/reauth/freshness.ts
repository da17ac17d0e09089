import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { ReauthenticationRequiredError, UnauthenticatedError } from '#commons/platform/errors';

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

/** What the session authorizer hands a route (functions/authorizer.ts `SessionContext`). */
const authorizerContext = z.object({
  userId: z.string().min(1),
  sessionId: z.string().min(1),
  facebookUserId: z.string().min(1),
  /** Epoch seconds. */
  authTime: z.coerce.number().int().nonnegative(),
});

export type AuthorizedSession = z.output<typeof authorizerContext>;

/** The authorizer's session of this request, checked to be at most `maxAgeSeconds` since its Facebook authentication. */
export function requireFreshSession(event: APIGatewayProxyEventV2, maxAgeSeconds: number, nowMs: number = Date.now()): AuthorizedSession {
  const lambda = (event.requestContext as { authorizer?: { lambda?: unknown } }).authorizer?.lambda;
  const parsed = authorizerContext.safeParse(lambda);
  // Only a route deployed without the authorizer gets here without a context: refuse, never guess.
  if (!parsed.success) throw new UnauthenticatedError('Sign in first: this route needs a session.');
  requireRecentAuthentication(parsed.data.authTime * 1000, maxAgeSeconds, nowMs);
  return parsed.data;
}

/** A route's freshness option from the route table, read once at cold start; a route without one is a wiring mistake. */
export function maxAuthAgeOf(routes: readonly { readonly entry: string; readonly maxAuthAgeSeconds?: number }[], entry: string): number {
  const route = routes.find((candidate) => candidate.entry === entry && candidate.maxAuthAgeSeconds !== undefined);
  if (route?.maxAuthAgeSeconds === undefined) throw new Error(`functions/routes.ts declares no maxAuthAgeSeconds for ${entry}`);
  return route.maxAuthAgeSeconds;
}
