import { readConfig } from '#commons/platform/config';
import { httpHandler, json } from '#commons/platform/http';
import type { OwnSessionsAnswer } from '#commons/sessions/api-schemas';
import { sessionContextOf } from '#commons/sessions/authorizer-context';
import { listOwnSessions } from '#commons/sessions/own-sessions';
import { createOwnSessionsAccess, ownSessionsEnv } from '#commons/sessions/session-access-wiring';

const { deps } = createOwnSessionsAccess(readConfig(ownSessionsEnv));

/** `GET /v1/sessions` (behind the authorizer): where the person is signed in, newest first. */
export const handler = httpHandler(async (event) => {
  const sessions = await listOwnSessions(deps, sessionContextOf(event));
  return json(200, { sessions } satisfies OwnSessionsAnswer);
});
