import { createDocumentClient } from '#commons/platform/aws-clients';
import { readConfig, storeEnv, webOriginsEnv } from '#commons/platform/config';
import { cookieNamesFor } from '#commons/sessions/cookies';
import { httpHandler, json } from '#commons/platform/http';
import { SessionStore } from '#commons/storage/session-store';
import { allowedOriginsOf, sessionCredential } from '#commons/sessions/session-credential';
import { authenticate } from '#commons/sessions/sessions';

const config = readConfig(storeEnv.and(webOriginsEnv));
const store = new SessionStore(createDocumentClient(), config.TABLE_NAME);
const credentialPolicy = {
  cookieName: cookieNamesFor(config.PUBLIC_BASE_URL).session,
  allowedOrigins: allowedOriginsOf(config.PUBLIC_BASE_URL, config.RETURN_TO_ALLOWED_ORIGINS),
};

/** The live session of the Bearer token or, from a browser, of the session cookie. */
export const handler = httpHandler(async (event) => {
  const credential = sessionCredential({ method: event.requestContext.http.method, headers: event.headers, cookies: event.cookies }, credentialPolicy);
  const session = await authenticate(store, credential.token);
  const iso = (ms: number) => new Date(ms).toISOString();
  return json(200, {
    session: {
      id: session.id,
      createdAt: iso(session.createdAt),
      expiresAt: iso(session.expiresAt),
      authTime: iso(session.authTime),
      status: session.status,
    },
    user: { id: session.userId, facebookUserId: session.facebookUserId },
  });
});
