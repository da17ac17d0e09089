import { readConfig } from '#commons/platform/config';
import { httpHandler, json, parseQuery } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import type { EndAllSessionsAnswer } from '#commons/sessions/api-schemas';
import { endAllSessionsQuery } from '#commons/sessions/requests';
import { sessionContextOf } from '#commons/sessions/authorizer-context';
import { signOutEverywhere } from '#commons/sessions/own-sessions';
import { createOwnSessionsAccess, ownSessionsEnv } from '#commons/sessions/session-access-wiring';

const { deps, cookies, credentialOf } = createOwnSessionsAccess(readConfig(ownSessionsEnv));
const clearSessionCookie = cookies.createBlankSessionCookie();

/**
 * `DELETE /v1/sessions[?keepCurrent=true]` (behind the authorizer): signs out everywhere, or
 * everywhere else. Answers how many sessions ended; clears the cookie when its session ended.
 */
export const handler = httpHandler(async (event) => {
  const caller = sessionContextOf(event);
  const credential = credentialOf(event);
  const keepCurrent = parseQuery(event, endAllSessionsQuery).keepCurrent === 'true';
  const result = await signOutEverywhere(deps, caller, { keepCurrent });
  logger.info('signed out everywhere', { userId: caller.userId, ended: result.ended, keepCurrent });
  return {
    ...json(200, { ended: result.ended, keptCurrent: keepCurrent } satisfies EndAllSessionsAnswer),
    ...(result.endedCurrent && credential.source === 'cookie' ? { cookies: [clearSessionCookie] } : {}),
  };
});
