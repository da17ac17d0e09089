import { readConfig } from '#commons/platform/config';
import { errorResponse, httpHandler, noContent } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { createSessionAccess, sessionAccessEnv } from '#commons/sessions/session-access-wiring';
import { signOut } from '#commons/sessions/sessions';

const { store, cookies, credentialOf } = createSessionAccess(readConfig(sessionAccessEnv));
const clearSessionCookie = cookies.createBlankSessionCookie();

/**
 * Signs out: ends the session of the Bearer token or the session cookie. Signed in by cookie, the
 * request must come from an allowed Origin (CSRF), and the answer clears the cookie, also when the
 * session it named was already gone.
 */
export const handler = httpHandler(async (event) => {
  const credential = credentialOf(event);
  const clear = credential.source === 'cookie' ? { cookies: [clearSessionCookie] } : {};
  try {
    await signOut(store, credential.token);
  } catch (error) {
    return { ...errorResponse(error), ...clear };
  }
  logger.info('session ended by its holder', { via: credential.source });
  return { ...noContent(), ...clear };
});
