import {
  ConcurrentUpdateError,
  FacebookTokenRejectedError,
  FacebookUnavailableError,
  PersonChangedError,
  SessionRevokedError,
  SignInContentionError,
  UnauthenticatedError,
} from '#commons/platform/errors';
import type { DebugTokenAnswer, DebugTokenChecks } from '#commons/facebook/debug-token';
import { TOKEN_DEATH_SUBCODE } from '#commons/facebook/graph-codes';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError, TokenOfAnotherAppError } from '#commons/facebook/graph-transport';
import { judgeDebugToken, type TokenVerdict, type ValidTokenInfo } from '#commons/facebook/token-verdict';
import type { Session, SignInOrigin, User } from './model.ts';
import type { SessionRepository } from './ports.ts';
import { issueSessionToken, newSessionId, newUserId, sessionIdOf, sha256Hex, tokenMatchesHash } from './session-tokens.ts';
import type { TokenSealer } from '#commons/crypto/vault';
import { endSessionsBeyondCap, type SessionCapDeps } from './session-cap.ts';

/** `debug_token` as our app, and the probe that tells a session-info token from a user token. */
export type TokenChecker = Pick<DebugTokenChecks, 'debugToken' | 'probeAsAccessToken'>;

export interface SessionServiceDeps {
  /** Signing in reads the person and the token's lock, then writes the session. */
  readonly store: Pick<SessionRepository, 'getUserByFacebookId' | 'getSessionIdForSessionInfoToken' | 'createSession'>;
  readonly vault: TokenSealer;
  readonly graph: TokenChecker;
  readonly appId: string;
  readonly sessionMaxAgeMs: number;
  /** Live sessions one person may hold; beyond it the oldest end (`replaced`). Off when absent. */
  readonly sessionCap?: SessionCapDeps;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface SignInResult {
  readonly sessionToken: string;
  readonly session: Session;
  readonly user: User;
  readonly userCreated: boolean;
}

/**
 * Attempts at writing the session when racing sign-ins (same token, same person) or a callback
 * about the same person win first. Waits between them grow with full jitter, so racers that
 * collided once spread out instead of colliding again in step.
 */
const MAX_ATTEMPTS = 6;
const RETRY_BASE_MS = 20;

/**
 * Signs a person in with a Facebook session-info token: Facebook vouches for it, we find or create
 * the person, and open a session that lives no longer than the token. Nothing is written unless
 * every step succeeds. A sign-in that keeps losing races answers `SignInContentionError` (503,
 * retry shortly), never a 500: losing a race is not a failure.
 */
export async function signInWithSessionInfoToken(
  deps: SessionServiceDeps,
  sessionInfoToken: string,
  origin: SignInOrigin = { signInMethod: 'session_info_token' },
): Promise<SignInResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  let verifiedAt = now();
  let facebookToken = await verifySessionInfoToken(deps, sessionInfoToken, verifiedAt);
  let removalsCovered: number | undefined;
  const sessionInfoTokenHash = sha256Hex(sessionInfoToken);

  for (let attempt = 1; ; attempt++) {
    try {
      const result = await openSession(deps, { facebookToken, verifiedAt, removalsCovered, sessionInfoToken, sessionInfoTokenHash, origin }, now());
      if (deps.sessionCap && !result.userCreated) await endSessionsBeyondCap(deps.sessionCap, result.user.id, result.session.id, now());
      return result;
    } catch (error) {
      // A racing sign-in for the same person or token won; re-read and try again on top of it.
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        throw new SignInContentionError('Another sign-in for the same account is in progress. Try again in a moment.', 1, { cause: error });
      }
      await sleep(random() * RETRY_BASE_MS * 2 ** (attempt - 1));
      if (error instanceof PersonChangedError) {
        // The app was removed (or the person erased) since Facebook vouched for the token: ask
        // again. That answer comes after the removal we saw, so it covers it.
        removalsCovered = error.appRemovedAt ?? removalsCovered;
        verifiedAt = now();
        facebookToken = await verifySessionInfoToken(deps, sessionInfoToken, verifiedAt);
      }
    }
  }
}

interface VerifiedToken {
  readonly facebookToken: ValidTokenInfo;
  /** When Facebook was asked (epoch ms). */
  readonly verifiedAt: number;
  /** An app removal (its `issued_at`, epoch ms) Facebook was asked about after seeing it. */
  readonly removalsCovered: number | undefined;
  readonly sessionInfoToken: string;
  readonly sessionInfoTokenHash: string;
  readonly origin: SignInOrigin;
}

async function openSession(deps: SessionServiceDeps, verified: VerifiedToken, nowMs: number): Promise<SignInResult> {
  const { facebookToken, sessionInfoToken, sessionInfoTokenHash, origin } = verified;
  const [existingUser, replacesSessionId] = await Promise.all([
    deps.store.getUserByFacebookId(facebookToken.userId),
    deps.store.getSessionIdForSessionInfoToken(sessionInfoTokenHash),
  ]);
  if (existingUser?.deletingSince !== undefined) {
    throw new ConcurrentUpdateError('a data deletion is erasing this person');
  }
  // issued_at has whole seconds: a removal within the second of our check may have come after it.
  const removedAt = existingUser?.appRemovedAt;
  if (removedAt !== undefined && removedAt + 1000 > verified.verifiedAt && removedAt > (verified.removalsCovered ?? -1)) {
    throw new PersonChangedError('the app was removed after Facebook vouched for the token', { appRemovedAt: removedAt });
  }
  const user: User = existingUser
    ? { id: existingUser.id, facebookUserId: existingUser.facebookUserId, createdAt: existingUser.createdAt }
    : { id: newUserId(), facebookUserId: facebookToken.userId, createdAt: nowMs };
  const sessionId = newSessionId();
  const { token, tokenHash } = issueSessionToken(sessionId);
  const tokenExpiresAt = facebookToken.expiresAt === 0 ? Number.POSITIVE_INFINITY : facebookToken.expiresAt * 1000;
  const issuedAt = facebookToken.issuedAt !== undefined ? facebookToken.issuedAt * 1000 : nowMs;
  const session: Session = {
    id: sessionId,
    userId: user.id,
    facebookUserId: user.facebookUserId,
    tokenHash,
    createdAt: nowMs,
    expiresAt: Math.min(nowMs + deps.sessionMaxAgeMs, tokenExpiresAt),
    // The token's issue time is the latest moment Facebook is known to have vouched for the person.
    authTime: Math.min(issuedAt, nowMs),
    status: 'active',
    signInMethod: origin.signInMethod,
    ...(origin.device !== undefined ? { device: origin.device } : {}),
  };
  const sealedToken = await deps.vault.seal(sessionInfoToken, { sessionId, userId: user.id });
  await deps.store.createSession({
    session: { ...session, sealedToken, sessionInfoTokenHash },
    ...(existingUser ? { knownUser: existingUser } : { newUser: user }),
    ...(replacesSessionId ? { replacesSessionId } : {}),
  });
  return { sessionToken: token, session, user, userCreated: !existingUser };
}

/**
 * Asks Facebook about the token and accepts only a live session-info token of our app. Facebook's
 * trouble answers 503; a refusal of our own credentials (GraphMisconfiguredError) and a token
 * Facebook calls another app's (TokenOfAnotherAppError) are left to become 500, never blamed on
 * the client.
 */
export async function verifySessionInfoToken(deps: Pick<SessionServiceDeps, 'graph' | 'appId'>, sessionInfoToken: string, nowMs: number): Promise<ValidTokenInfo> {
  const answer = await facebookAnswer(() => deps.graph.debugToken(sessionInfoToken));
  const token = acceptedToken(answer, judgeDebugToken(answer, { appId: deps.appId }));
  if (token.type !== 'USER') {
    throw new FacebookTokenRejectedError('invalid_token', 'This is not a Facebook user session token.');
  }
  if (token.expiresAt !== 0 && token.expiresAt * 1000 <= nowMs) {
    throw new FacebookTokenRejectedError('token_expired', 'This Facebook token has expired. Sign in with Facebook again.');
  }
  await proveSessionInfoToken(deps, sessionInfoToken);
  return token;
}

function acceptedToken(answer: DebugTokenAnswer, verdict: TokenVerdict): ValidTokenInfo {
  switch (verdict.verdict) {
    case 'valid':
      return verdict.token;
    case 'wrong_app':
      throw new TokenOfAnotherAppError();
    case 'ended':
      if (verdict.subcode === TOKEN_DEATH_SUBCODE.expired) {
        throw new FacebookTokenRejectedError('token_expired', 'The Facebook session behind this token has expired. Sign in with Facebook again.');
      }
      throw new FacebookTokenRejectedError('invalid_token', 'Facebook does not accept this token. Sign in with Facebook again.');
    case 'unrecognised':
      if (verdict.why === 'other_app') throw new TokenOfAnotherAppError();
      // Facebook said the token is not valid (a garbage token is described without app or user):
      // no session either way, unless it only said so for now.
      if (answer.kind === 'described' && !answer.token.isValid && verdict.why !== 'transient_error') {
        throw new FacebookTokenRejectedError('invalid_token', 'Facebook does not accept this token. Sign in with Facebook again.');
      }
      throw new FacebookUnavailableError('Facebook could not vouch for the token just now. Try again shortly.');
  }
}

/**
 * Positive proof that the token is a session-info token: it cannot itself be used as an access
 * token, a user access token can (docs/facebook-graph.md, "Session-info or user token"). A token
 * that can read the person's data is refused and never stored.
 */
async function proveSessionInfoToken(deps: Pick<SessionServiceDeps, 'graph'>, token: string): Promise<void> {
  let probe;
  try {
    probe = await facebookAnswer(() => deps.graph.probeAsAccessToken(token));
  } catch (error) {
    // Refused as an access token for another reason (it died between the two calls): not a session-info token we can keep.
    if (error instanceof GraphRequestError && !(error instanceof GraphMisconfiguredError)) {
      throw new FacebookTokenRejectedError('invalid_token', 'Facebook does not accept this token. Sign in with Facebook again.');
    }
    throw error;
  }
  if (probe === 'user_token') {
    throw new FacebookTokenRejectedError(
      'invalid_token',
      'This is a Facebook user access token; send the session-info token (fb_attenuate_token) instead. We never keep tokens that can read user data.',
    );
  }
}

async function facebookAnswer<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GraphTransientError) {
      throw new FacebookUnavailableError('Facebook could not check the token just now. Try again shortly.', error.retryAfterSeconds, { cause: error });
    }
    throw error;
  }
}

/** The live session a session token proves, or the reason there is none. */
export async function authenticate(store: Pick<SessionRepository, 'getSession'>, sessionToken: string | undefined): Promise<Session> {
  if (sessionToken === undefined) throw new UnauthenticatedError('Sign in first: no session token was sent.');
  const sessionId = sessionIdOf(sessionToken);
  if (sessionId === undefined) throw new UnauthenticatedError('The session token is not valid.');
  const session = await store.getSession(sessionId);
  if (!session || !tokenMatchesHash(sessionToken, session.tokenHash)) {
    throw new UnauthenticatedError('The session does not exist or has expired. Sign in again.');
  }
  if (session.status === 'revoked') throw new SessionRevokedError(session.revokedReason ?? 'invalid');
  return session;
}

/**
 * Ends the session the token proves. A revoked session has nothing left to end (its Facebook
 * token is already gone), and its revocation record stays for audit.
 */
export async function signOut(store: Pick<SessionRepository, 'getSession' | 'deleteSession'>, sessionToken: string | undefined): Promise<void> {
  try {
    const session = await authenticate(store, sessionToken);
    await store.deleteSession(session.id);
  } catch (error) {
    if (error instanceof SessionRevokedError) return;
    throw error;
  }
}
