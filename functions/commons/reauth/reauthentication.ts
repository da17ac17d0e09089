import {
  FacebookTokenRejectedError,
  FacebookUnavailableError,
  ReauthFailedError,
  ReauthUnsupportedError,
  UnauthenticatedError,
} from '#commons/platform/errors';
import type { ExchangedToken, FacebookTokenExchanges } from '#commons/facebook/facebook-oauth';
import type { DebugTokenAnswer } from '#commons/facebook/debug-token';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError } from '#commons/facebook/graph-transport';
import { judgeDebugToken, type ValidTokenInfo } from '#commons/facebook/token-verdict';
import type { Session } from '#commons/sessions/model';
import { sha256Hex } from '#commons/sessions/session-tokens';
import { type SessionServiceDeps, verifySessionInfoToken } from '#commons/sessions/sessions';
import type { LoginStateReauth, LoginStateRepository } from '#commons/web-login/ports';
import { attenuateUserToken, beginWebLogin, type WebLoginSettings } from '#commons/web-login/web-login';
import type { LoginMetadata, LoginTokenInspector, ReauthChallengeStore, ReauthMonitor } from './ports.ts';
import { hashReauthNonce, isReauthNonce, newReauthNonce } from './reauth-nonce.ts';

/**
 * Re-authentication: proving that the person at the keyboard is the session's Facebook user *now*,
 * by sending them through Facebook's login dialog with `auth_type=reauthenticate` (Facebook asks
 * for the password again) and an `auth_nonce` we made for this one attempt.
 *
 * 1. `startReauthentication` issues the nonce (single use, bound to the session and its Facebook
 *    user, 10 minutes by default) and a dialog URL with `state` and PKCE for redirecting apps.
 * 2. `completeReauthentication` takes the token the login produced (from the callback's code
 *    exchange, or from the JavaScript SDK), reads its nonce *before* any exchange (no public evidence
 *    shows the nonce surviving the long-lived exchange or attenuation: docs/reauth.md), checks it
 *    all, then makes a new session-info token and, in one transaction, spends the nonce and sets
 *    the session's authTime and sealed token. Any refusal changes nothing about the session.
 */
export const DEFAULT_REAUTH_NONCE_TTL_MS = 10 * 60_000;

export interface StartReauthDeps {
  readonly challenges: Pick<ReauthChallengeStore, 'putChallenge'>;
  readonly states: Pick<LoginStateRepository, 'putLoginState'>;
  readonly dialog: WebLoginSettings;
  readonly nonceTtlMs: number;
  readonly now?: () => number;
}

export interface StartReauthRequest {
  readonly returnTo: string;
  /** `web`: a mobile app will open the dialog in a web view. */
  readonly via?: 'web';
}

export interface StartedReauth {
  readonly nonce: string;
  readonly expiresAt: number;
  readonly dialogUrl: string;
  /** For the browser's login cookie, which binds the dialog's callback to this browser. */
  readonly bindingNonce: string;
}

export async function startReauthentication(deps: StartReauthDeps, session: Session, request: StartReauthRequest): Promise<StartedReauth> {
  // The iOS and Android SDKs cannot re-authenticate [docs/reauth.md]; a session from a phone's
  // session-info token (or one too old to say) needs the app to open the dialog in a web view.
  if (session.signInMethod !== 'web' && session.signInMethod !== 'access_token' && request.via !== 'web') {
    throw new ReauthUnsupportedError(
      'This session was opened from a mobile session-info token, and the Facebook iOS and Android SDKs cannot re-authenticate. Open the login dialog in a web view and send {"via":"web"}.',
    );
  }
  const now = (deps.now ?? Date.now)();
  const nonce = newReauthNonce();
  const nonceHash = hashReauthNonce(nonce);
  const expiresAt = now + deps.nonceTtlMs;
  // The dialog first: it checks returnTo before writing anything.
  const begun = await beginWebLogin({ states: deps.states, now: () => now }, deps.dialog, request.returnTo, {
    sessionId: session.id,
    authNonce: nonce,
    authNonceHash: nonceHash,
  });
  await deps.challenges.putChallenge({
    nonceHash,
    sessionId: session.id,
    userId: session.userId,
    facebookUserId: session.facebookUserId,
    createdAt: now,
    expiresAt,
    status: 'issued',
  });
  return { nonce, expiresAt, dialogUrl: begun.dialogUrl, bindingNonce: begun.bindingNonce };
}

export interface CompleteReauthDeps {
  /** Sign-in's vault and app id; its `graph` checks the new session-info token. */
  readonly sessions: Pick<SessionServiceDeps, 'graph' | 'appId' | 'vault'>;
  readonly oauth: FacebookTokenExchanges;
  readonly inspector: LoginTokenInspector;
  readonly challenges: ReauthChallengeStore;
  readonly monitor: ReauthMonitor;
  readonly now?: () => number;
}

export interface CompletedReauth {
  readonly session: Session;
  /** Where Facebook reported the nonce. */
  readonly nonceSource: 'debug_token' | 'access_token_info';
}

/**
 * Completes a re-authentication of `session` with the token its login produced. `expectedNonceHash`
 * is set on the callback path, where the state already names the nonce the dialog was given.
 */
export async function completeReauthentication(
  deps: CompleteReauthDeps,
  session: Session,
  loginToken: ExchangedToken,
  expectedNonceHash?: string,
): Promise<CompletedReauth> {
  const now = deps.now ?? Date.now;
  const token = await describeLoginToken(deps, loginToken.accessToken, now());
  const { metadata, source } = await loginMetadataOf(deps.inspector, token, loginToken.accessToken);

  if (metadata.authNonce === undefined) {
    throw new ReauthFailedError('nonce_missing', 'Facebook reports no auth_nonce on this login. Log in through the dialog with the nonce from POST /v1/reauth/start.');
  }
  const nonceHash = isReauthNonce(metadata.authNonce) ? hashReauthNonce(metadata.authNonce) : undefined;
  const challenge = nonceHash !== undefined && (expectedNonceHash === undefined || nonceHash === expectedNonceHash) ? await deps.challenges.getChallenge(nonceHash) : undefined;
  if (!challenge || nonceHash === undefined || challenge.sessionId !== session.id) {
    throw unknownNonce();
  }
  if (challenge.status === 'spent') throw replayed(deps.monitor, session, challenge.sessionId, challenge.spentAt);
  if (challenge.expiresAt <= now()) throw expiredNonce();
  if (token.userId !== session.facebookUserId || challenge.facebookUserId !== session.facebookUserId) {
    throw new ReauthFailedError('user_mismatch', 'This login is of a different Facebook account than the one signed in here.');
  }
  if (metadata.authType !== undefined && !metadata.authType.split(',').map((t) => t.trim()).includes('reauthenticate')) {
    throw new ReauthFailedError('not_reauthenticated', 'Facebook says this login did not ask for the password again (auth_type is not reauthenticate).');
  }
  if (metadata.authType === undefined) deps.monitor.authTypeMissing({ sessionId: session.id });

  // Only now, with the nonce read and checked, is the login's token exchanged and dropped.
  const sessionInfoToken = await newSessionInfoToken(deps, loginToken, session, now());
  const authTime = now();
  const sealedToken = await deps.sessions.vault.seal(sessionInfoToken, { sessionId: session.id, userId: session.userId });
  const committed = await deps.challenges.commitReauthentication(nonceHash, {
    sessionId: session.id,
    userId: session.userId,
    authTime,
    sealedToken,
    sessionInfoTokenHash: sha256Hex(sessionInfoToken),
  });
  switch (committed.status) {
    case 'completed':
      return { session: { ...session, authTime }, nonceSource: source };
    case 'nonce_spent':
      throw replayed(deps.monitor, session, challenge.sessionId);
    case 'nonce_expired':
      throw expiredNonce();
    case 'nonce_unknown':
      throw unknownNonce();
    case 'session_ended':
      throw new UnauthenticatedError('The session ended while re-authenticating. Sign in again.');
  }
}

/** Facebook's description of the login's token: live, a user token, of our app. */
async function describeLoginToken(deps: CompleteReauthDeps, loginToken: string, nowMs: number): Promise<ValidTokenInfo> {
  let answer: DebugTokenAnswer;
  try {
    answer = await deps.inspector.debugToken(loginToken);
  } catch (error) {
    throw facebookTrouble(error);
  }
  // Any Facebook user may answer here: whether it is the session's is checked after the nonce.
  const verdict = judgeDebugToken(answer, { appId: deps.sessions.appId });
  if (verdict.verdict === 'unrecognised' && verdict.why === 'transient_error') {
    throw new FacebookUnavailableError('Facebook could not check the login just now. Try again shortly.');
  }
  const token = verdict.verdict === 'valid' ? verdict.token : undefined;
  if (!token || token.type !== 'USER' || (token.expiresAt !== 0 && token.expiresAt * 1000 <= nowMs)) throw invalidToken();
  return token;
}

/** The login's nonce and auth_type: `debug_token`'s metadata when it has a nonce, else `/oauth/access_token_info`. */
async function loginMetadataOf(
  inspector: LoginTokenInspector,
  token: ValidTokenInfo,
  loginToken: string,
): Promise<{ metadata: LoginMetadata; source: CompletedReauth['nonceSource'] }> {
  const fromDebug = { authNonce: stringField(token.metadata.auth_nonce), authType: stringField(token.metadata.auth_type) };
  if (fromDebug.authNonce !== undefined) return { metadata: fromDebug, source: 'debug_token' };
  try {
    const info = await inspector.accessTokenInfo(loginToken);
    return { metadata: { authNonce: info.authNonce, authType: info.authType ?? fromDebug.authType }, source: 'access_token_info' };
  } catch (error) {
    // Facebook refusing the older call for this token tells us nothing about a nonce; refusing our
    // own credentials is our misconfiguration and goes on to become a 500.
    if (error instanceof GraphRequestError && !(error instanceof GraphMisconfiguredError)) return { metadata: fromDebug, source: 'debug_token' };
    throw facebookTrouble(error);
  }
}

/** Long-lived exchange, attenuation, and Facebook's word on the result, which must be the same person's. */
async function newSessionInfoToken(deps: CompleteReauthDeps, loginToken: ExchangedToken, session: Session, nowMs: number): Promise<string> {
  try {
    const sessionInfoToken = await attenuateUserToken(deps.oauth, loginToken);
    const described = await verifySessionInfoToken(deps.sessions, sessionInfoToken, nowMs);
    if (described.userId !== session.facebookUserId) throw invalidToken();
    return sessionInfoToken;
  } catch (error) {
    if (error instanceof FacebookTokenRejectedError) throw invalidToken();
    throw error;
  }
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function facebookTrouble(error: unknown): unknown {
  if (error instanceof GraphTransientError) {
    return new FacebookUnavailableError('Facebook could not check the login just now. Try again shortly.', error.retryAfterSeconds, { cause: error });
  }
  return error;
}

function invalidToken(): ReauthFailedError {
  return new ReauthFailedError('invalid_token', 'Facebook does not accept this token as a live login of this app.');
}

function unknownNonce(): ReauthFailedError {
  return new ReauthFailedError('nonce_unknown', 'This login carries a nonce that was not issued to this session. Start again with POST /v1/reauth/start.');
}

function expiredNonce(): ReauthFailedError {
  return new ReauthFailedError('nonce_expired', 'This re-authentication took too long and its nonce has expired. Start again with POST /v1/reauth/start.');
}

function replayed(monitor: ReauthMonitor, session: Session, nonceSessionId: string, spentAt?: number): ReauthFailedError {
  monitor.nonceReplayed({ sessionId: session.id, userId: session.userId, nonceSessionId, ...(spentAt !== undefined ? { spentAt } : {}) });
  return new ReauthFailedError('nonce_replayed', 'This re-authentication was already used once. Each works once; start again with POST /v1/reauth/start.');
}

/** The callback path: the state names the session and the nonce; the session must still be live. */
export function callbackCompletion(deps: CompleteReauthDeps, loadSession: (sessionId: string) => Promise<Session>) {
  return {
    async completeFromCallback(reauth: LoginStateReauth, loginToken: ExchangedToken): Promise<{ sessionId: string }> {
      const session = await loadSession(reauth.sessionId);
      const done = await completeReauthentication(deps, session, loginToken, reauth.authNonceHash);
      return { sessionId: done.session.id };
    },
  };
}
