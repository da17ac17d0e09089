import { httpHandler, json } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import type { SensitiveActionAnswer } from '#commons/reauth/api-schemas';
import { maxAuthAgeOf, requireFreshSession } from '#commons/reauth/freshness';
import { routes } from '#functions/routes';

/** The route table says how recent the sign-in must be (5 minutes); read once at cold start. */
const maxAgeSeconds = maxAuthAgeOf(routes, 'sensitive-action');

/**
 * `POST /v1/account/sensitive-action`: an example of an action that needs a recent Facebook
 * authentication. The session authorizer admits the session; this refuses it with
 * `401 reauthentication_required` when its authTime is older than the route allows.
 */
export const handler = httpHandler(async (event) => {
  const session = requireFreshSession(event, maxAgeSeconds);
  logger.info('sensitive action done', { sessionId: session.sessionId, userId: session.userId });
  return json(200, { done: true, authTime: new Date(session.authTime * 1000).toISOString(), maxAgeSeconds } satisfies SensitiveActionAnswer);
});
