import { createDocumentClient } from '#commons/platform/aws-clients';
import { envOf, readConfig, webOriginsEnv } from '#commons/platform/config';
import { BrowserCookies } from '#commons/sessions/cookies';
import { header, httpHandler, parseQuery } from '#commons/platform/http';
import { deviceLabel } from '#commons/sessions/device-label';
import { logger } from '#commons/platform/logger';
import { browserErrorResponse } from '#commons/web-login/login-pages';
import { LoginStateStore } from '#commons/storage/login-state-store';
import { metrics } from '#commons/platform/metrics';
import { countedSignIn } from '#commons/sessions/sign-in-metrics';
import { SessionStore } from '#commons/storage/session-store';
import { createSignInDependencies, signInEnv } from '#commons/sessions/sign-in-wiring';
import { callbackCompletion } from '#commons/reauth/reauthentication';
import { createReauthCompletion, liveSession } from '#commons/reauth/reauth-wiring';
import { withQueryParameter } from '#commons/web-login/return-to';
import { callbackQuery } from '#commons/web-login/api-schemas';
import { callbackUrl, completeWebLogin } from '#commons/web-login/web-login';

const config = readConfig(envOf(signInEnv, webOriginsEnv));
const doc = createDocumentClient();
const signIn = await createSignInDependencies(config, doc);
const sessionStore = new SessionStore(doc, config.TABLE_NAME);
const reauth = createReauthCompletion(signIn, doc, config.TABLE_NAME);
const deps = {
  ...signIn,
  states: new LoginStateStore(doc, config.TABLE_NAME),
  // A state issued by POST /v1/reauth/start comes back here too, and finishes a re-authentication.
  reauth: callbackCompletion(reauth, (sessionId) => liveSession(sessionStore, sessionId)),
};
const redirectUri = callbackUrl(config.PUBLIC_BASE_URL);
const cookies = new BrowserCookies(config.PUBLIC_BASE_URL);
/** Every answer of the callback ends the sign-in attempt, so it clears the login cookie. */
const clearLoginCookie = cookies.createBlankLoginCookie();

const REDIRECT_HEADERS = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

/**
 * `GET /v1/auth/facebook/callback`: where Facebook's login dialog sends the browser back. Spends
 * the state, exchanges the code, opens the session and sends the browser to its `returnTo` with the
 * session cookie; a cancelled dialog goes back with `login_error=cancelled`; anything else wrong is
 * a 400 (503 if Facebook is unavailable) explained as a page or JSON.
 */
export const handler = httpHandler(async (event) => {
  try {
    const params = parseQuery(event, callbackQuery);
    const bindingNonce = cookies.readLoginNonce(event.cookies);
    const result = await countedSignIn('web', () =>
      completeWebLogin(
        deps,
        redirectUri,
        {
          ...(params.state !== undefined ? { state: params.state } : {}),
          ...(params.code !== undefined ? { code: params.code } : {}),
          cancelled: params.error !== undefined || params.error_code !== undefined,
          ...(bindingNonce !== undefined ? { bindingNonce } : {}),
        },
        deviceLabel(header(event, 'user-agent')),
      ),
      metrics,
      (done) => done.outcome === 'signed_in',
    );
    if (result.outcome === 'cancelled') {
      logger.info(result.reauthentication ? 're-authentication cancelled' : 'web sign-in cancelled');
      return {
        statusCode: 302,
        headers: { location: withQueryParameter(result.returnTo, result.reauthentication ? 'reauth_error' : 'login_error', 'cancelled'), ...REDIRECT_HEADERS },
        cookies: [clearLoginCookie],
      };
    }
    if (result.outcome === 'reauthenticated') {
      logger.info('session re-authenticated', { sessionId: result.sessionId, via: 'dialog' });
      return { statusCode: 302, headers: { location: withQueryParameter(result.returnTo, 'reauth', 'done'), ...REDIRECT_HEADERS }, cookies: [clearLoginCookie] };
    }
    const { session, user, sessionToken } = result.signIn;
    logger.info('session created', { sessionId: session.id, userId: user.id, facebookUserId: user.facebookUserId, userCreated: result.signIn.userCreated, via: 'web' });
    return {
      statusCode: 302,
      headers: { location: result.returnTo, ...REDIRECT_HEADERS },
      cookies: [cookies.createSessionCookie(sessionToken, session.expiresAt), clearLoginCookie],
    };
  } catch (error) {
    return { ...browserErrorResponse(event, error), cookies: [clearLoginCookie] };
  }
});
