import { createDocumentClient } from '#commons/platform/aws-clients';
import { envOf, facebookDialogEnv, readConfig, reauthEnv } from '#commons/platform/config';
import { httpHandler, json, parseJsonBody, validateRequest } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import type { ReauthStartAnswer } from '#commons/reauth/api-schemas';
import { reauthStartBody } from '#commons/reauth/requests';
import { startReauthentication } from '#commons/reauth/reauthentication';
import { createSessionAccess, sessionAccessEnv } from '#commons/sessions/session-access-wiring';
import { authenticate } from '#commons/sessions/sessions';
import { LoginStateStore } from '#commons/storage/login-state-store';
import { ReauthStore } from '#commons/storage/reauth-store';
import { LOGIN_STATE_TTL_MS } from '#commons/web-login/oauth-state';
import { webLoginSettings } from '#commons/web-login/web-login';

const config = readConfig(envOf(sessionAccessEnv, facebookDialogEnv, reauthEnv));
const doc = createDocumentClient();
const { store, cookies, credentialOf } = createSessionAccess(config, doc);
const deps = {
  challenges: new ReauthStore(doc, config.TABLE_NAME),
  states: new LoginStateStore(doc, config.TABLE_NAME),
  dialog: webLoginSettings(config),
  nonceTtlMs: config.REAUTH_NONCE_TTL_SECONDS * 1000,
};

/**
 * `POST /v1/reauth/start` (a live session; body `{"returnTo"?, "via"?}`): issues a single-use
 * auth_nonce for this session and the login dialog URL that asks for the password again. Redirecting
 * apps send the browser to `dialogUrl` (the login cookie set here binds the callback to this browser);
 * JavaScript-SDK apps pass `nonce` to FB.login and finish with POST /v1/reauth/complete.
 */
export const handler = httpHandler(async (event) => {
  const session = await authenticate(store, credentialOf(event).token);
  const body = event.body ? parseJsonBody(event, reauthStartBody) : validateRequest(reauthStartBody, {});
  const started = await startReauthentication(deps, session, { returnTo: body.returnTo, ...(body.via ? { via: body.via } : {}) });
  logger.info('re-authentication started', { sessionId: session.id, via: body.via ?? 'default' });
  return {
    ...json(200, { nonce: started.nonce, expiresAt: new Date(started.expiresAt).toISOString(), dialogUrl: started.dialogUrl } satisfies ReauthStartAnswer, { 'referrer-policy': 'no-referrer' }),
    cookies: [cookies.createLoginCookie(started.bindingNonce, LOGIN_STATE_TTL_MS / 1000)],
  };
});
