import { FacebookTokenRejectedError, FacebookUnavailableError, InvalidRequestError, WebLoginError } from '#commons/platform/errors';
import type { ExchangedToken, FacebookTokenExchanges } from '#commons/facebook/facebook-oauth';
import { isCodeUsedError, isDebugOnlyTokenError, isExpiredTokenError, isTokenOfAnotherAppError, TOKEN_INVALID_CODES } from '#commons/facebook/graph-codes';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError, TokenOfAnotherAppError } from '#commons/facebook/graph-transport';
import { hashLoginValue, isLoginRandomValue, LOGIN_STATE_TTL_MS, newLoginAttempt } from './oauth-state.ts';
import { codeChallengeS256, newCodeVerifier } from './pkce.ts';
import type { LoginStateReauth, LoginStateRepository } from './ports.ts';
import { checkReturnTo } from './return-to.ts';
import { type SessionServiceDeps, type SignInResult, signInWithSessionInfoToken } from '#commons/sessions/sessions';

/**
 * Signing in from a browser through Facebook's login dialog: the OAuth authorization-code flow
 * with PKCE, done entirely by the server, which keeps nothing but the session-info token.
 *
 * 1. `beginWebLogin`: a fresh `state` (single use, 10 minutes) stored with the PKCE verifier, the
 *    `returnTo` and the hash of a nonce the browser keeps in a cookie; the browser goes to the dialog.
 * 2. `completeWebLogin`: the state is spent (it must be live and come back to the browser that
 *    started it), the code exchanged, the user token made long-lived if it is not, attenuated to a
 *    session-info token, and the session opened exactly as the mobile path does.
 *
 * The user token and the long-lived token exist only in local variables between two calls to
 * Facebook: never stored, never logged.
 */
export const CALLBACK_PATH = '/v1/auth/facebook/callback';

/** Short-lived user tokens last hours (docs/facebook-graph.md); anything living a day or more is long-lived. */
export const LONG_LIVED_MIN_SECONDS = 24 * 3600;

export function callbackUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl}${CALLBACK_PATH}`;
}

export interface WebLoginSettings {
  readonly appId: string;
  readonly graphApiVersion: string;
  /** Origin of the login dialog. */
  readonly dialogBaseUrl: string;
  readonly scopes: readonly string[];
  /** The callback URL, sent identically to the dialog and to the code exchange. */
  readonly redirectUri: string;
  /** Origins an absolute `returnTo` may point at. */
  readonly allowedOrigins: readonly string[];
}

/** The settings from the environment of a function that opens the dialog (facebookDialogEnv, webOriginsEnv). */
export function webLoginSettings(config: {
  readonly FACEBOOK_APP_ID: string;
  readonly GRAPH_API_VERSION: string;
  readonly FACEBOOK_DIALOG_URL: string;
  readonly FACEBOOK_SCOPES: readonly string[];
  readonly PUBLIC_BASE_URL: string;
  readonly RETURN_TO_ALLOWED_ORIGINS: readonly string[];
}): WebLoginSettings {
  return {
    appId: config.FACEBOOK_APP_ID,
    graphApiVersion: config.GRAPH_API_VERSION,
    dialogBaseUrl: config.FACEBOOK_DIALOG_URL,
    scopes: config.FACEBOOK_SCOPES,
    redirectUri: callbackUrl(config.PUBLIC_BASE_URL),
    allowedOrigins: config.RETURN_TO_ALLOWED_ORIGINS,
  };
}

export interface BegunWebLogin {
  /** Where to send the browser. */
  readonly dialogUrl: string;
  /** For the browser's login cookie. */
  readonly bindingNonce: string;
  readonly expiresAt: number;
}

/** The dialog opened to re-authenticate a session (POST /v1/reauth/start) rather than to sign in. */
export interface ReauthDialogRequest {
  readonly sessionId: string;
  /** Sent to the dialog as `auth_nonce`; only its hash is stored. */
  readonly authNonce: string;
  readonly authNonceHash: string;
}

export async function beginWebLogin(
  deps: { readonly states: Pick<LoginStateRepository, 'putLoginState'>; readonly now?: () => number },
  settings: WebLoginSettings,
  returnTo: string,
  reauthentication?: ReauthDialogRequest,
): Promise<BegunWebLogin> {
  const verdict = checkReturnTo(returnTo, settings.allowedOrigins);
  if (!verdict.ok) {
    throw new InvalidRequestError(`returnTo ${verdict.reason}.`, [{ field: 'returnTo', message: verdict.reason }]);
  }
  const now = (deps.now ?? Date.now)();
  const { state, bindingNonce } = newLoginAttempt();
  const codeVerifier = newCodeVerifier();
  const expiresAt = now + LOGIN_STATE_TTL_MS;
  await deps.states.putLoginState({
    stateHash: hashLoginValue(state),
    nonceHash: hashLoginValue(bindingNonce),
    codeVerifier,
    returnTo: verdict.returnTo,
    createdAt: now,
    expiresAt,
    ...(reauthentication ? { reauth: { sessionId: reauthentication.sessionId, authNonceHash: reauthentication.authNonceHash } } : {}),
  });
  const query = new URLSearchParams({
    client_id: settings.appId,
    redirect_uri: settings.redirectUri,
    state,
    response_type: 'code',
    scope: settings.scopes.join(','),
    code_challenge: codeChallengeS256(codeVerifier),
    code_challenge_method: 'S256',
  });
  if (reauthentication) {
    // Facebook asks for the password again and reports the nonce on the login's token [docs/reauth.md].
    query.set('auth_type', 'reauthenticate');
    query.set('auth_nonce', reauthentication.authNonce);
  }
  return { dialogUrl: `${settings.dialogBaseUrl}/${settings.graphApiVersion}/dialog/oauth?${query}`, bindingNonce, expiresAt };
}

export interface WebLoginCallback {
  readonly state?: string;
  readonly code?: string;
  /** Facebook sent `error` / `error_code`: the person cancelled (or the dialog failed). */
  readonly cancelled: boolean;
  /** The nonce from the browser's login cookie, if it sent one. */
  readonly bindingNonce?: string;
}

export type WebLoginOutcome =
  | { readonly outcome: 'signed_in'; readonly returnTo: string; readonly signIn: SignInResult }
  | { readonly outcome: 'reauthenticated'; readonly returnTo: string; readonly sessionId: string }
  | { readonly outcome: 'cancelled'; readonly returnTo: string; readonly reauthentication: boolean };

/**
 * Finishes a re-authentication whose dialog came back through the callback (implemented in
 * functions/commons/reauth). Gets the login's own token, before any exchange.
 */
export interface ReauthCallbackCompletion {
  completeFromCallback(reauth: LoginStateReauth, loginToken: ExchangedToken): Promise<{ readonly sessionId: string }>;
}

export interface CompleteWebLoginDeps {
  readonly states: Pick<LoginStateRepository, 'consumeLoginState'>;
  readonly oauth: FacebookTokenExchanges;
  readonly sessions: SessionServiceDeps;
  /** Without it, a callback whose state names a re-authentication is refused. */
  readonly reauth?: ReauthCallbackCompletion;
}

export async function completeWebLogin(
  deps: CompleteWebLoginDeps,
  redirectUri: string,
  callback: WebLoginCallback,
  /** The device label of the browser signing in (`device-label.ts`). */
  device?: string,
): Promise<WebLoginOutcome> {
  const returnTo = await spendState(deps, callback);
  if (callback.cancelled) return { outcome: 'cancelled', returnTo: returnTo.returnTo, reauthentication: returnTo.reauth !== undefined };
  if (!callback.code) {
    throw new InvalidRequestError('Facebook sent no authorization code back. Start signing in again.', [{ field: 'code', message: 'missing' }]);
  }

  let userToken: ExchangedToken;
  try {
    userToken = await deps.oauth.exchangeCode({ code: callback.code, redirectUri, codeVerifier: returnTo.codeVerifier });
  } catch (error) {
    throw codeExchangeFailure(error);
  }
  // The state says which flow this is: a re-authentication keeps its session and reads the
  // login's nonce from this very token, before it is exchanged for anything.
  if (returnTo.reauth) {
    if (!deps.reauth) throw new WebLoginError('login_state_invalid', 'This re-authentication cannot be completed here. Start it again.');
    const done = await deps.reauth.completeFromCallback(returnTo.reauth, userToken);
    return { outcome: 'reauthenticated', returnTo: returnTo.returnTo, sessionId: done.sessionId };
  }
  const sessionInfoToken = await attenuateUserToken(deps.oauth, userToken);
  const signIn = await signInWithSessionInfoToken(deps.sessions, sessionInfoToken, { signInMethod: 'web', ...(device !== undefined ? { device } : {}) });
  return { outcome: 'signed_in', returnTo: returnTo.returnTo, signIn };
}

async function spendState(
  deps: CompleteWebLoginDeps,
  callback: WebLoginCallback,
): Promise<{ returnTo: string; codeVerifier: string; reauth?: LoginStateReauth }> {
  if (!callback.state) {
    throw new WebLoginError('login_state_invalid', 'This sign-in response has no state, so it cannot be matched to a sign-in you started. Start signing in again.');
  }
  if (!isLoginRandomValue(callback.state)) {
    throw new WebLoginError('login_state_invalid', 'This sign-in link is not one we issued (its state was altered). Start signing in again.');
  }
  const nonce = callback.bindingNonce !== undefined && isLoginRandomValue(callback.bindingNonce) ? callback.bindingNonce : undefined;
  const spent = await deps.states.consumeLoginState(hashLoginValue(callback.state), nonce === undefined ? undefined : hashLoginValue(nonce));
  switch (spent.status) {
    case 'consumed':
      return spent.record;
    case 'unknown':
      throw new WebLoginError(
        'login_state_invalid',
        'This sign-in link was already used, or is not one we issued. Each sign-in link works once; start signing in again.',
      );
    case 'expired':
      throw new WebLoginError('login_state_expired', 'This sign-in took longer than 10 minutes and has expired. Start signing in again.');
    case 'nonce_mismatch':
      throw new WebLoginError(
        'login_browser_mismatch',
        'This sign-in was started in another browser, or your browser did not keep our sign-in cookie. Start signing in again from this browser.',
      );
  }
}

function codeExchangeFailure(error: unknown): unknown {
  if (error instanceof GraphTransientError) {
    return new FacebookUnavailableError('Facebook could not complete the sign-in just now. Try again shortly.', error.retryAfterSeconds, { cause: error });
  }
  // Our secret or app id refused: a 500, never the person's sign-in blamed.
  if (error instanceof GraphMisconfiguredError) return error;
  if (error instanceof GraphRequestError) {
    if (isCodeUsedError(error)) {
      return new WebLoginError('authorization_code_used', 'Facebook says this sign-in was already completed once (its code has been used). Start signing in again.', { cause: error });
    }
    return new WebLoginError(
      'authorization_code_rejected',
      'Facebook did not accept this sign-in: its code is invalid, expired, or belongs to another sign-in attempt. Start signing in again.',
      { cause: error },
    );
  }
  return error;
}

/**
 * A user access token → a session-info token: exchanged for a long-lived token first unless
 * Facebook already said it lives a day or more (a short-lived token cannot be attenuated), then
 * attenuated. `expiresInSeconds` unknown (a token a client sent us) means exchange: exchanging a
 * long-lived token is harmless, and the server has the secret the exchange needs.
 */
export async function attenuateUserToken(oauth: FacebookTokenExchanges, userToken: ExchangedToken): Promise<string> {
  try {
    let longLived = userToken;
    if (userToken.expiresInSeconds === undefined || userToken.expiresInSeconds < LONG_LIVED_MIN_SECONDS) {
      longLived = await oauth.exchangeForLongLived(userToken.accessToken);
    }
    return (await oauth.attenuate(longLived.accessToken)).accessToken;
  } catch (error) {
    throw userTokenFailure(error);
  }
}

/**
 * Signs in with a user access token a client sent (`POST /v1/sessions {"accessToken"}`): the
 * server turns it into a session-info token and drops it.
 */
export async function signInWithUserAccessToken(
  deps: { oauth: FacebookTokenExchanges; sessions: SessionServiceDeps },
  accessToken: string,
  device?: string,
): Promise<SignInResult> {
  const sessionInfoToken = await attenuateUserToken(deps.oauth, { accessToken });
  return signInWithSessionInfoToken(deps.sessions, sessionInfoToken, { signInMethod: 'access_token', ...(device !== undefined ? { device } : {}) });
}

function userTokenFailure(error: unknown): unknown {
  if (error instanceof GraphTransientError) {
    return new FacebookUnavailableError('Facebook could not check the token just now. Try again shortly.', error.retryAfterSeconds, { cause: error });
  }
  if (!(error instanceof GraphRequestError) || error instanceof GraphMisconfiguredError) return error;
  if (error.code !== undefined && TOKEN_INVALID_CODES.has(error.code)) {
    if (isExpiredTokenError(error)) {
      return new FacebookTokenRejectedError('token_expired', 'This Facebook access token has expired. Sign in with Facebook again.');
    }
    // Another app's token, or our running with another app's credentials: a 500, never a 401.
    if (isTokenOfAnotherAppError(error)) return new TokenOfAnotherAppError({ cause: error });
    if (isDebugOnlyTokenError(error)) {
      return new FacebookTokenRejectedError('invalid_token', 'This is a session-info token, not a user access token: send it as "sessionInfoToken".');
    }
  }
  return new FacebookTokenRejectedError(
    'invalid_token',
    'Facebook would not turn this access token into a session-info token. Send a live user access token of this app.',
  );
}
