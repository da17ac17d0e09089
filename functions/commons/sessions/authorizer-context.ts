import * as z from 'zod';
import { UnauthenticatedError } from '#commons/platform/errors';

/**
 * What the Lambda authorizer (functions/authorizer.ts) hands a route it admitted, as
 * `requestContext.authorizer.lambda`. Declared once for the authorizer that writes it and the
 * routes that read it.
 */
export interface SessionContext {
  [key: string]: string | number;
  userId: string;
  sessionId: string;
  facebookUserId: string;
  /** Epoch seconds of the last Facebook authentication we know of, for freshness checks. */
  authTime: number;
}

const admitted = z.object({
  requestContext: z.object({
    authorizer: z.object({
      lambda: z.object({ userId: z.string().min(1), sessionId: z.string().min(1), facebookUserId: z.string(), authTime: z.number() }),
    }),
  }),
});

/**
 * The session the authorizer admitted. A route behind the authorizer without its context is a
 * wiring mistake (the route lost its authorizer): refuse rather than serve nobody's sessions.
 */
export function sessionContextOf(event: unknown): SessionContext {
  const parsed = admitted.safeParse(event);
  if (!parsed.success) throw new UnauthenticatedError('Sign in first: this route needs a live session.');
  return parsed.data.requestContext.authorizer.lambda;
}
