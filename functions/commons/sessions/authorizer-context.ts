import * as z from '#commons/platform/zod';
import { UnauthenticatedError } from '#commons/platform/errors';

/**
 * What the Lambda authorizer (functions/authorizer.ts) hands a route it admitted, as
 * `requestContext.authorizer.lambda`. Declared once for the authorizer that writes it and the
 * routes that read it (the person's own sessions, freshness checks).
 */
export interface SessionContext {
  [key: string]: string | number;
  userId: string;
  sessionId: string;
  facebookUserId: string;
  /** Epoch seconds of the last Facebook authentication we know of, for freshness checks. */
  authTime: number;
}

const authorizerContext = z.object({
  userId: z.string().check(z.minLength(1)),
  sessionId: z.string().check(z.minLength(1)),
  facebookUserId: z.string().check(z.minLength(1)),
  /** Epoch seconds. */
  authTime: z.coerce.number().check(z.int(), z.nonnegative()),
});

/**
 * The session the authorizer admitted. A route behind the authorizer without its context is a
 * wiring mistake (the route lost its authorizer): refuse rather than guess whose session it is.
 */
export function sessionContextOf(event: { readonly requestContext?: unknown }): SessionContext {
  const lambda = (event.requestContext as { authorizer?: { lambda?: unknown } } | undefined)?.authorizer?.lambda;
  const parsed = authorizerContext.safeParse(lambda);
  if (!parsed.success) throw new UnauthenticatedError('Sign in first: this route needs a session.');
  return parsed.data;
}
