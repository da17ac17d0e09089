import { createDocumentClient } from '#commons/platform/aws-clients';
import { envOf, facebookDialogEnv, readConfig, storeEnv, webOriginsEnv } from '#commons/platform/config';
import { BrowserCookies } from '#commons/sessions/cookies';
import { httpHandler, parseQuery } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { browserErrorResponse } from '#commons/web-login/login-pages';
import { LOGIN_STATE_TTL_MS } from '#commons/web-login/oauth-state';
import { LoginStateStore } from '#commons/storage/login-state-store';
import { loginQuery } from '#commons/web-login/api-schemas';
import { beginWebLogin, webLoginSettings } from '#commons/web-login/web-login';

const config = readConfig(envOf(storeEnv, facebookDialogEnv, webOriginsEnv));
const states = new LoginStateStore(createDocumentClient(), config.TABLE_NAME);
const cookies = new BrowserCookies(config.PUBLIC_BASE_URL);
const settings = webLoginSettings(config);

/**
 * `GET /v1/auth/facebook/login?returnTo=`: starts a browser sign-in. Sends the browser to
 * Facebook's login dialog (302) with a fresh state and PKCE challenge, and binds the attempt to
 * this browser with the short-lived login cookie.
 */
export const handler = httpHandler(async (event) => {
  try {
    const { returnTo } = parseQuery(event, loginQuery);
    const begun = await beginWebLogin({ states }, settings, returnTo);
    logger.info('web sign-in started');
    return {
      statusCode: 302,
      headers: { location: begun.dialogUrl, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
      cookies: [cookies.createLoginCookie(begun.bindingNonce, LOGIN_STATE_TTL_MS / 1000)],
    };
  } catch (error) {
    return browserErrorResponse(event, error);
  }
});
