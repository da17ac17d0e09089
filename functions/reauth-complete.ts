import { createDocumentClient } from '#commons/platform/aws-clients';
import { envOf, readConfig } from '#commons/platform/config';
import { httpHandler, json, parseJsonBody } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import type { ReauthCompleteAnswer } from '#commons/reauth/api-schemas';
import { reauthCompleteBody } from '#commons/reauth/requests';
import { completeReauthentication } from '#commons/reauth/reauthentication';
import { createReauthCompletion } from '#commons/reauth/reauth-wiring';
import { createSessionAccess, sessionAccessEnv } from '#commons/sessions/session-access-wiring';
import { authenticate } from '#commons/sessions/sessions';
import { createSignInDependencies, signInEnv } from '#commons/sessions/sign-in-wiring';

const config = readConfig(envOf(signInEnv, sessionAccessEnv));
const doc = createDocumentClient();
const { store, credentialOf } = createSessionAccess(config, doc);
const deps = createReauthCompletion(await createSignInDependencies(config, doc), doc, config.TABLE_NAME);

/**
 * `POST /v1/reauth/complete {"accessToken"}` (a live session): finishes a re-authentication done
 * with the JavaScript SDK (`FB.login(…, {auth_type: 'reauthenticate', auth_nonce})`). On success the
 * session's authTime is now and its session-info token is one made from this login; the access
 * token is dropped. Any refusal is `401 reauth_failed` with a `reason`, and changes nothing.
 */
export const handler = httpHandler(async (event) => {
  const session = await authenticate(store, credentialOf(event).token);
  const body = parseJsonBody(event, reauthCompleteBody);
  const done = await completeReauthentication(deps, session, { accessToken: body.accessToken });
  logger.info('session re-authenticated', { sessionId: session.id, via: 'access_token', nonceSource: done.nonceSource });
  return json(200, { session: { id: done.session.id, authTime: new Date(done.session.authTime).toISOString() } } satisfies ReauthCompleteAnswer);
});
