import { readConfig } from '#commons/platform/config';
import { httpHandler, noContent } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { sessionContextOf } from '#commons/sessions/authorizer-context';
import { endOwnSession } from '#commons/sessions/own-sessions';
import { createOwnSessionsAccess, ownSessionsEnv } from '#commons/sessions/session-access-wiring';

const { deps, cookies, credentialOf } = createOwnSessionsAccess(readConfig(ownSessionsEnv));
const clearSessionCookie = cookies.createBlankSessionCookie();

/**
 * `DELETE /v1/sessions/{id}` (behind the authorizer): ends one of the person's sessions. With the
 * cookie the request needs an allowed Origin (checked again here, as on every cookie write); ending
 * the browser's own session clears its cookie.
 */
export const handler = httpHandler(async (event) => {
  const caller = sessionContextOf(event);
  const credential = credentialOf(event);
  const { endedCurrent } = await endOwnSession(deps, caller, event.pathParameters?.id ?? '');
  logger.info('session ended by its person', { userId: caller.userId, endedCurrent });
  return { ...noContent(), ...(endedCurrent && credential.source === 'cookie' ? { cookies: [clearSessionCookie] } : {}) };
});
