import { createDocumentClient } from '#commons/platform/aws-clients';
import { readConfig, storeEnv, webOriginsEnv } from '#commons/platform/config';
import { cookieNamesFor, serializeCookie } from '#commons/sessions/cookies';
import { errorResponse, httpHandler, noContent } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { SessionStore } from '#commons/storage/session-store';
import { allowedOriginsOf, sessionCredential } from '#commons/sessions/session-credential';
import { signOut } from '#commons/sessions/sessions';

const config = readConfig(storeEnv.and(webOriginsEnv));
const store = new SessionStore(createDocumentClient(), config.TABLE_NAME);
const cookies = cookieNamesFor(config.PUBLIC_BASE_URL);
const credentialPolicy = {
  cookieName: cookies.session,
  allowedOrigins: allowedOriginsOf(config.PUBLIC_BASE_URL, config.RETURN_TO_ALLOWED_ORIGINS),
};
const clearSessionCookie = serializeCookie(cookies.session, '', { maxAgeSeconds: 0, secure: cookies.secure });

/**
 * Signs out: ends the session of the Bearer token or the session cookie. Signed in by cookie, the
 * request must come from an allowed Origin (CSRF), and the answer clears the cookie, also when the
 * session it named was already gone.
 */
export const handler = httpHandler(async (event) => {
  const credential = sessionCredential({ method: event.requestContext.http.method, headers: event.headers, cookies: event.cookies }, credentialPolicy);
  const clear = credential.source === 'cookie' ? { cookies: [clearSessionCookie] } : {};
  try {
    await signOut(store, credential.token);
  } catch (error) {
    return { ...errorResponse(error), ...clear };
  }
  logger.info('session ended by its holder', { via: credential.source });
  return { ...noContent(), ...clear };
});
