/**
 * The emulated Graph API calls themselves: `debug_token`, `oauth/access_token` (code exchange,
 * `fb_exchange_token`, `fb_attenuate_token`, `client_credentials`), `oauth/access_token_info`,
 * `me`, and the batch endpoint `POST /`. Each call is a plain function from parameters to a
 * `GraphReply` (status + JSON), so a batch item runs exactly the code a single call runs.
 *
 * Shapes, statuses, codes and quirks follow docs/facebook-graph.md and the captured answers in
 * test/fixtures/facebook/. Where that document marks a fact [guess], or says nothing and we had to
 * pick, the code says "[guess]" next to the choice.
 *
 * One file over 300 lines on purpose: each Graph call is a short function and a batch item must run
 * exactly the code of the single call, so they stay in one module that the batch endpoint calls.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  CODE_TTL_SECONDS,
  DATA_ACCESS_SECONDS,
  LONG_LIVED_SECONDS,
  SESSION_INFO_SECONDS,
  SHORT_LIVED_SECONDS,
  messageForSubcode,
  randomBase62,
  tokenState,
  type AppRecord,
  type GraphState,
  type TokenRecord,
} from './graph-tokens.ts';

export interface GraphReply {
  readonly status: number;
  /** Serialized as the body; absent only when `raw` is given. */
  readonly json?: unknown;
  /** A body sent verbatim (malformed-answer faults only). */
  readonly raw?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ErrorSpec {
  readonly message: string;
  readonly code: number;
  /** @default 'OAuthException' */
  readonly type?: string;
  readonly subcode?: number;
  readonly isTransient?: boolean;
  readonly userTitle?: string;
  readonly userMsg?: string;
}

export interface RouteContext {
  readonly state: GraphState;
  /** The version in the request path, echoed in `facebook-api-version`. */
  readonly version: string;
  readonly now: number;
  readonly onDebugTokenCheck: (inputToken: string | null) => void;
}

/** At most 50 requests per batch [doc]. */
export const MAX_BATCH_SIZE = 50;

// ---- envelopes ------------------------------------------------------------------------------

/** Facebook's trace ids look like `AbCdEfGhIjK` [seen]. */
export function fbtraceId(): string {
  return randomBase62(11);
}

/** Facebook's one error envelope (docs/facebook-graph.md): message, type, code, error_subcode?, is_transient?, fbtrace_id. */
export function errorReply(status: number, spec: ErrorSpec): GraphReply {
  const error: Record<string, unknown> = { message: spec.message, type: spec.type ?? 'OAuthException', code: spec.code };
  if (spec.subcode !== undefined) error.error_subcode = spec.subcode;
  if (spec.isTransient !== undefined) error.is_transient = spec.isTransient;
  if (spec.userTitle !== undefined) error.error_user_title = spec.userTitle;
  if (spec.userMsg !== undefined) error.error_user_msg = spec.userMsg;
  error.fbtrace_id = fbtraceId();
  // Facebook also names the failure in WWW-Authenticate [seen]; clients should read the body.
  const kind = spec.code === 190 || spec.code === 102 ? 'invalid_token' : 'invalid_request';
  const headerMessage = spec.message.replace(/[^\x20-\x7e]|["\\]/g, '');
  return { status, json: { error }, headers: { 'WWW-Authenticate': `OAuth "Facebook Platform" "${kind}" "${headerMessage}"` } };
}

/** Wording for codes a fault may inject; transient flags as Facebook sends them for 1, 2, 4, 17, 613 [guess]. */
export function knownError(code: number, subcode: number | undefined, appId: string, now: number): { message: string; isTransient?: boolean } {
  switch (code) {
    case 1:
      return { message: 'An unknown error has occurred.', isTransient: true };
    case 2:
      return { message: 'An unexpected error has occurred. Please retry your request later.', isTransient: true };
    case 4:
      return { message: '(#4) Application request limit reached', isTransient: true };
    case 9:
      return { message: '(#9) The application is temporarily blocked from making calls. Please retry later.' };
    case 17:
      return { message: '(#17) User request limit reached', isTransient: true };
    case 32:
      return { message: '(#32) Page request limit reached' };
    case 100:
      return { message: '(#100) Invalid parameter' };
    case 102:
      return { message: 'Session key invalid or no longer valid' };
    case 190:
      return { message: (subcode !== undefined ? messageForSubcode(subcode, appId, now) : undefined) ?? 'Invalid OAuth access token.' };
    case 341:
      return { message: '(#341) Application limit reached' };
    case 613:
      return { message: '(#613) Calls to this api have exceeded the rate limit.', isTransient: true };
    default:
      if (code >= 80000 && code <= 80014) return { message: `(#${code}) There have been too many calls. Wait a bit and try again.` };
      return { message: `(#${code}) Emulated Graph API error` };
  }
}

/** Facebook answers 5xx for its own unknown/unexpected errors (1, 2) and 400 for the rest [guess]. */
export function defaultStatusFor(code: number): number {
  return code === 1 || code === 2 ? 500 : 400;
}

function ok(json: unknown): GraphReply {
  return { status: 200, json };
}

const CANNOT_PARSE = 'Invalid OAuth access token - Cannot parse access token';
// Wordings as captured (test/fixtures/facebook/).
const DEBUG_ONLY = 'Invalid OAuth access token - Debug only access token';
const WRONG_APP = '(#100) The App_id in the input_token did not match the Viewing App';

// ---- who is calling -------------------------------------------------------------------------

interface Caller {
  readonly app: AppRecord;
  readonly token: string;
  readonly record: TokenRecord;
}

type AuthResult = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly reply: GraphReply };

/** Per-batch cache of `access_token`+`appsecret_proof` checks, so 50 items cost one HMAC. */
export type AuthMemo = Map<string, AuthResult>;

function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks `access_token` (or an `Authorization: OAuth|Bearer` header, folded into params by the
 * server) and `appsecret_proof` = hex HMAC-SHA256(app secret, access token) [doc].
 */
function authenticate(ctx: RouteContext, params: URLSearchParams, memo?: AuthMemo): AuthResult {
  const token = params.get('access_token');
  const proof = params.get('appsecret_proof');
  const key = `${token}\n${proof}`;
  const cached = memo?.get(key);
  if (cached) return cached;
  const result = authenticateUncached(ctx, token, proof);
  memo?.set(key, result);
  return result;
}

function authenticateUncached(ctx: RouteContext, token: string | null, proof: string | null): AuthResult {
  const fail = (status: number, spec: ErrorSpec): AuthResult => ({ ok: false, reply: errorReply(status, spec) });
  if (!token) return fail(400, { code: 104, message: 'An access token is required to request this resource.' });
  const record = ctx.state.lookup(token);
  if (!record) {
    // `{app_id}|{wrong secret}` [guess: wording]
    if (token.includes('|')) return fail(400, { code: 190, message: 'Invalid OAuth access token signature.' });
    return fail(400, { code: 190, message: CANNOT_PARSE });
  }
  // A session-info token works only as the *input* of debug_token [doc]; as the caller it fails [seen].
  if (record.kind === 'session_info') return fail(400, { code: 190, message: DEBUG_ONLY });
  const state = tokenState(record, ctx.now);
  if (!state.alive) return fail(400, { code: 190, subcode: state.subcode, message: state.message });
  const app = ctx.state.requireApp(record.appId);
  if (proof !== null) {
    const expected = createHmac('sha256', app.appSecret).update(token, 'utf8').digest('hex');
    // A wrong proof fails whether or not the app requires one [guess: wording and type].
    if (!sameHex(proof, expected)) return fail(400, { code: 100, type: 'GraphMethodException', message: 'Invalid appsecret_proof provided in the API argument' });
  } else if (app.requireAppSecretProof) {
    // "Require App Secret" on: code 100 [seen]. Required even with an `{app_id}|{app_secret}` token,
    // which is stricter than Facebook may be, so a client that forgets the proof is caught [guess].
    return fail(400, { code: 100, type: 'GraphMethodException', message: 'API calls from the server require an appsecret_proof argument' });
  }
  return { ok: true, caller: { app, token, record } };
}

// ---- debug_token ----------------------------------------------------------------------------

/**
 * `GET /debug_token`, alone or as a batch item: both paths run this same function and answer the
 * same shapes.
 */
function debugToken(ctx: RouteContext, params: URLSearchParams, memo?: AuthMemo): GraphReply {
  ctx.onDebugTokenCheck(params.get('input_token'));
  const auth = authenticate(ctx, params, memo);
  if (!auth.ok) return auth.reply;
  const input = params.get('input_token');
  if (!input) return errorReply(400, { code: 100, message: '(#100) The parameter input_token is required' });
  const record = ctx.state.lookup(input);
  // Garbage: HTTP 200, is_valid false, no app_id/user_id at all [seen]; no subcode.
  if (!record) return ok({ data: { error: { code: 190, message: CANNOT_PARSE }, is_valid: false, scopes: [] } });
  // Another app's token is not described at all: HTTP 400, code 100 [seen].
  if (record.appId !== auth.caller.app.appId) return errorReply(400, { code: 100, message: WRONG_APP });
  const app = auth.caller.app;
  if (record.kind === 'app') {
    return ok({ data: { app_id: app.appId, type: 'APP', application: app.name, is_valid: true, scopes: [] } });
  }
  const base = {
    app_id: record.appId,
    type: TYPE_BY_KIND[record.kind] ?? 'USER',
    application: app.name,
    // A system user's data access never lapses: 0, like its expires_at [doc: docs/facebook-graph.md].
    data_access_expires_at: record.kind === 'system_user' ? 0 : record.issuedAt + DATA_ACCESS_SECONDS,
    ...(record.profileId !== undefined ? { profile_id: record.profileId } : {}),
  };
  const state = tokenState(record, ctx.now);
  if (!state.alive) {
    // Dead: still HTTP 200 [seen]; the key is `subcode` here, not `error_subcode` [seen].
    // issued_at, metadata and granular_scopes are left out of dead answers [guess].
    return ok({
      data: {
        ...base,
        error: { code: 190, message: state.message, subcode: state.subcode },
        expires_at: record.expiresAt,
        is_valid: false,
        scopes: record.scopes,
        user_id: record.userId,
      },
    });
  }
  const hasMetadata = Object.keys(record.metadata).length > 0;
  return ok({
    data: {
      ...base,
      expires_at: record.expiresAt, // 0 = never expires [seen]
      is_valid: true,
      issued_at: record.issuedAt,
      ...(hasMetadata ? { metadata: record.metadata } : {}),
      scopes: record.scopes,
      ...granularScopes(record),
      user_id: record.userId,
    },
  });
}

/**
 * `granular_scopes` lists only the permissions beyond `public_profile` and `email`, and is left out
 * when there are none [seen: captured answers list `public_profile`/`email` in `scopes` only]; a
 * session-info token never has it [doc].
 */
function granularScopes(record: TokenRecord): { granular_scopes?: { scope: string; target_ids?: readonly string[] }[] } {
  if (record.granularScopes) return record.granularScopes.length > 0 ? { granular_scopes: record.granularScopes.map((g) => ({ ...g })) } : {};
  if (record.kind === 'session_info') return {};
  const granular = record.scopes.filter((scope) => scope !== 'public_profile' && scope !== 'email');
  return granular.length > 0 ? { granular_scopes: granular.map((scope) => ({ scope })) } : {};
}

/** `type` in debug_token answers by token kind; user tokens of every lifetime are `USER` [seen]. */
const TYPE_BY_KIND: Partial<Record<TokenRecord['kind'], string>> = { system_user: 'SYSTEM_USER', page: 'PAGE' };

/**
 * `DELETE /{user-id}/permissions` [doc]: takes back every permission the person gave the app,
 * which ends the app's tokens for them (as the person removing the app would). Made with that
 * user's token or the app token; answers `{"success": true}` [doc: Facebook Login, revoking].
 */
function revokePermissions(ctx: RouteContext, userId: string, params: URLSearchParams): GraphReply {
  const auth = authenticate(ctx, params);
  if (!auth.ok) return auth.reply;
  const { record, app } = auth.caller;
  const user = ctx.state.findUser(userId);
  if (!user || user.appId !== app.appId || (record.kind !== 'app' && record.userId !== userId)) {
    // Another person's permissions, or an id this app does not know [guess: code and wording].
    return errorReply(400, { code: 200, type: 'OAuthException', message: '(#200) Permissions error' });
  }
  ctx.state.endSession(userId, 'app_removed', app.appId);
  return ok({ success: true });
}

// ---- oauth/access_token ---------------------------------------------------------------------

function tokenAnswer(token: string, record: TokenRecord, now: number): GraphReply {
  const answer: Record<string, unknown> = { access_token: token, token_type: 'bearer' };
  if (record.expiresAt !== 0) answer.expires_in = Math.max(0, record.expiresAt - now);
  return ok(answer);
}

/** Client id checks shared by every grant [guess: codes 101 and their wording]. */
function clientApp(ctx: RouteContext, params: URLSearchParams): AppRecord | GraphReply {
  const clientId = params.get('client_id');
  if (!clientId) return errorReply(400, { code: 101, message: 'Missing client_id parameter.' });
  const app = ctx.state.apps.get(clientId);
  if (!app) return errorReply(400, { code: 101, message: 'Error validating application. Invalid application ID.' });
  return app;
}

function checkClientSecret(app: AppRecord, params: URLSearchParams): GraphReply | undefined {
  const secret = params.get('client_secret');
  if (!secret) return errorReply(400, { code: 101, message: 'Missing client_secret parameter.' }); // [guess]
  // Facebook answers a wrong secret with HTTP 400 code 1 [seen]: not transient, whatever code 1 means elsewhere.
  if (secret !== app.appSecret) return errorReply(400, { code: 1, message: 'Error validating client secret.' });
  return undefined;
}

/** The user token in `fb_exchange_token`, alive and of this app, or the error Facebook would give. */
function exchangeableToken(ctx: RouteContext, app: AppRecord, params: URLSearchParams): { token: string; record: TokenRecord } | GraphReply {
  const token = params.get('fb_exchange_token');
  if (!token) return errorReply(400, { code: 100, message: '(#100) Missing fb_exchange_token parameter' }); // [guess]
  const record = ctx.state.lookup(token);
  if (!record) return errorReply(400, { code: 190, message: CANNOT_PARSE });
  if (record.appId !== app.appId) {
    return errorReply(400, { code: 190, message: `Error validating access token: The access token was not issued for application ${app.appId}.` }); // [guess]
  }
  if (record.kind === 'app') return errorReply(400, { code: 100, message: '(#100) fb_exchange_token must be a user access token' }); // [guess]
  if (record.kind === 'session_info') return errorReply(400, { code: 190, message: DEBUG_ONLY }); // [guess]
  const state = tokenState(record, ctx.now);
  // An expired (or otherwise dead) token cannot be exchanged [doc].
  if (!state.alive) return errorReply(400, { code: 190, subcode: state.subcode, message: state.message });
  return { token, record };
}

function isReply(value: unknown): value is GraphReply {
  return typeof value === 'object' && value !== null && 'status' in value;
}

/** `grant_type=fb_exchange_token`: short-lived → long-lived, ~5184000 s [doc]. Needs the secret. */
function exchangeForLongLived(ctx: RouteContext, app: AppRecord, params: URLSearchParams): GraphReply {
  const secretError = checkClientSecret(app, params);
  if (secretError) return secretError;
  const source = exchangeableToken(ctx, app, params);
  if (isReply(source)) return source;
  // Exchanging a token that is already long-lived gives it back unchanged, no extension [guess].
  if (source.record.kind === 'long') return tokenAnswer(source.token, source.record, ctx.now);
  const token = ctx.state.mint({
    kind: 'long',
    appId: app.appId,
    userId: source.record.userId ?? '',
    lifetimeSeconds: LONG_LIVED_SECONDS,
    scopes: source.record.scopes,
    // auth_type / auth_nonce describe one login: no public sample shows them on a long-lived or
    // session-info token [seen: real samples lack them], so they stay on the login's own token.
    metadata: {},
  });
  return tokenAnswer(token, ctx.state.lookup(token)!, ctx.now);
}

/** `grant_type=fb_attenuate_token`: long-lived → session-info, no secret [seen]. */
function attenuate(ctx: RouteContext, app: AppRecord, params: URLSearchParams): GraphReply {
  const source = exchangeableToken(ctx, app, params);
  if (isReply(source)) return source;
  if (source.record.kind !== 'long') {
    // A short-lived token cannot be attenuated [doc]; the code and wording are [guess].
    return errorReply(400, { code: 100, message: '(#100) fb_attenuate_token requires a long-lived user access token' });
  }
  const token = ctx.state.mint({
    kind: 'session_info',
    appId: app.appId,
    userId: source.record.userId ?? '',
    lifetimeSeconds: SESSION_INFO_SECONDS,
    scopes: source.record.scopes,
    metadata: {}, // as for the long-lived exchange
  });
  return tokenAnswer(token, ctx.state.lookup(token)!, ctx.now);
}

const VERIFIER_FORMAT = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Code exchange [seen]: single use, redirect_uri byte-equal, PKCE all or nothing with S256 [doc]. */
function exchangeCode(ctx: RouteContext, app: AppRecord, params: URLSearchParams): GraphReply {
  const secretError = checkClientSecret(app, params);
  if (secretError) return secretError;
  const redirectUri = params.get('redirect_uri');
  if (redirectUri === null) return errorReply(400, { code: 191, message: 'Missing redirect_uri parameter.' }); // [guess]
  const value = params.get('code');
  if (!value) return errorReply(400, { code: 100, message: 'Missing authorization code' }); // [guess]
  const code = ctx.state.findCode(value);
  // Unknown codes and another app's codes look the same to the caller [guess: wording, subcode].
  if (!code || code.appId !== app.appId) return errorReply(400, { code: 100, subcode: 36007, message: 'Invalid verification code format.' });
  // [seen] wording; the subcodes 36009 / 36007 / 36008 below are [guess].
  if (code.used) return errorReply(400, { code: 100, subcode: 36009, message: 'This authorization code has been used.' });
  if (code.issuedAt + CODE_TTL_SECONDS <= ctx.now) return errorReply(400, { code: 100, subcode: 36007, message: 'This authorization code has expired.' });
  if (redirectUri !== code.redirectUri) {
    return errorReply(400, {
      code: 100,
      subcode: 36008,
      message: 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
    });
  }
  const verifier = params.get('code_verifier');
  if (code.codeChallenge !== undefined && verifier === null) {
    return errorReply(400, { code: 100, message: '(#100) code_verifier is required because the login dialog had a code_challenge' }); // [guess]
  }
  if (code.codeChallenge === undefined && verifier !== null) {
    return errorReply(400, { code: 100, message: '(#100) code_verifier was given but the login dialog had no code_challenge' }); // [guess]
  }
  if (code.codeChallenge !== undefined && verifier !== null) {
    if (!VERIFIER_FORMAT.test(verifier)) return errorReply(400, { code: 100, message: '(#100) Invalid code_verifier format' }); // [guess]
    const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
    if (challenge !== code.codeChallenge) return errorReply(400, { code: 100, message: '(#100) Invalid code_verifier' }); // [guess]
  }
  // Only a successful exchange spends the code [guess].
  code.used = true;
  const token = ctx.state.mint({
    kind: 'short',
    appId: app.appId,
    userId: code.userId,
    lifetimeSeconds: SHORT_LIVED_SECONDS,
    scopes: code.scopes,
    metadata: code.metadata,
  });
  return tokenAnswer(token, ctx.state.lookup(token)!, ctx.now);
}

function oauthAccessToken(ctx: RouteContext, params: URLSearchParams): GraphReply {
  const app = clientApp(ctx, params);
  if (isReply(app)) return app;
  const grant = params.get('grant_type');
  switch (grant) {
    case 'fb_exchange_token':
      return exchangeForLongLived(ctx, app, params);
    case 'fb_attenuate_token':
      return attenuate(ctx, app, params);
    case 'client_credentials': {
      const secretError = checkClientSecret(app, params);
      if (secretError) return secretError;
      return ok({ access_token: ctx.state.mintAppToken(app.appId), token_type: 'bearer' });
    }
    case null:
    case 'authorization_code':
      return exchangeCode(ctx, app, params);
    default:
      return errorReply(400, { code: 100, message: `(#100) Unsupported grant_type: ${grant}` }); // [guess]
  }
}

/** `oauth/access_token_info` [seen, old]: the token's lifetime and its auth_type/auth_nonce. */
function accessTokenInfo(ctx: RouteContext, params: URLSearchParams, memo?: AuthMemo): GraphReply {
  const app = clientApp(ctx, params);
  if (isReply(app)) return app;
  const auth = authenticate(ctx, params, memo);
  if (!auth.ok) return auth.reply;
  if (auth.caller.app.appId !== app.appId) {
    return errorReply(400, { code: 100, message: `(#100) The access token does not belong to application ${app.appId}` }); // [guess]
  }
  const { record, token } = auth.caller;
  const answer: Record<string, unknown> = { access_token: token, token_type: 'bearer' };
  if (record.expiresAt !== 0) answer.expires_in = Math.max(0, record.expiresAt - ctx.now);
  if (record.metadata.auth_type !== undefined) answer.auth_type = record.metadata.auth_type;
  if (record.metadata.auth_nonce !== undefined) answer.auth_nonce = record.metadata.auth_nonce;
  return ok(answer);
}

function me(ctx: RouteContext, params: URLSearchParams, memo?: AuthMemo): GraphReply {
  const auth = authenticate(ctx, params, memo);
  if (!auth.ok) return auth.reply;
  const { record } = auth.caller;
  if (record.kind === 'app' || record.userId === undefined) {
    return errorReply(400, { code: 2500, message: 'An active access token must be used to query information about the current user.' });
  }
  const user = ctx.state.findUser(record.userId);
  return ok({ id: record.userId, name: user?.name ?? '' });
}

function unknownPath(path: string): GraphReply {
  if (/^\d+$/.test(path)) {
    return errorReply(400, {
      code: 100,
      subcode: 33,
      type: 'GraphMethodException',
      message: `Unsupported get request. Object with ID '${path}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    });
  }
  if (path !== '' && !path.includes('/')) return errorReply(404, { code: 803, message: `(#803) Some of the aliases you requested do not exist: ${path}` });
  return errorReply(400, { code: 2500, message: `Unknown path components: /${path}` });
}

/** One Graph call, direct or as a batch item. `path` is without version and slashes, e.g. 'debug_token'. */
export function handleGraphCall(ctx: RouteContext, method: string, path: string, params: URLSearchParams, memo?: AuthMemo): GraphReply {
  const permissionsOf = method === 'DELETE' ? /^(\d+)\/permissions$/.exec(path)?.[1] : undefined;
  if (permissionsOf !== undefined) return revokePermissions(ctx, permissionsOf, params);
  const readable = method === 'GET' || method === 'POST';
  if (readable) {
    switch (path) {
      case 'debug_token':
        return debugToken(ctx, params, memo);
      case 'oauth/access_token':
        return oauthAccessToken(ctx, params);
      case 'oauth/access_token_info':
        return accessTokenInfo(ctx, params, memo);
      case 'me':
        return me(ctx, params, memo);
    }
  }
  return unknownPath(path);
}

// ---- batch ----------------------------------------------------------------------------------

export interface BatchItemFault {
  readonly code: number;
  /** Every Nth item (1-based) fails. @default 2 */
  readonly everyNth?: number;
}

interface BatchItem {
  readonly method: string;
  readonly relative_url: string;
  readonly body?: unknown;
}

function isBatchItem(value: unknown): value is BatchItem {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return typeof item.method === 'string' && typeof item.relative_url === 'string';
}

/** Splits `v21.0/debug_token?input_token=...` into a versionless path and its parameters. */
export function splitRelativeUrl(relativeUrl: string): { path: string; params: URLSearchParams } {
  const trimmed = relativeUrl.trim().replace(/^\/+/, '');
  const q = trimmed.indexOf('?');
  let path = (q >= 0 ? trimmed.slice(0, q) : trimmed).replace(/\/+$/, '');
  const versioned = /^v\d+\.\d+(?:\/(.*))?$/.exec(path);
  if (versioned) path = versioned[1] ?? '';
  return { path, params: new URLSearchParams(q >= 0 ? trimmed.slice(q + 1) : '') };
}

function batchHeaders(ctx: RouteContext, reply: GraphReply): { name: string; value: string }[] {
  const headers = [
    { name: 'Content-Type', value: 'text/javascript; charset=UTF-8' },
    { name: 'Cache-Control', value: 'private, no-cache, no-store, must-revalidate' },
    { name: 'Facebook-API-Version', value: ctx.version },
  ];
  for (const [name, value] of Object.entries(reply.headers ?? {})) headers.push({ name, value });
  return headers;
}

/**
 * `POST /` with `access_token`, `batch` (JSON array, ≤ 50) and `include_headers` [doc]. Answers
 * an array in request order of `{code, headers?, body: "<JSON string>"}`. Whole-batch problems
 * (bad top-level token, missing proof, too many items) come back as one envelope.
 */
export function handleBatch(ctx: RouteContext, params: URLSearchParams, itemFault?: BatchItemFault): GraphReply {
  const raw = params.get('batch');
  if (raw === null || raw === '') return errorReply(400, { code: 100, message: '(#100) The parameter batch is required' });
  let items: unknown;
  try {
    items = JSON.parse(raw);
  } catch {
    return errorReply(400, { code: 100, message: '(#100) The parameter batch must be a JSON array' }); // [guess]
  }
  if (!Array.isArray(items) || items.length === 0) {
    return errorReply(400, { code: 100, message: '(#100) The parameter batch must be a non-empty JSON array' }); // [guess]
  }
  if (items.length > MAX_BATCH_SIZE) {
    return errorReply(400, { code: 100, message: `(#100) Too many requests in batch message. Maximum batch size is ${MAX_BATCH_SIZE}` }); // [seen] wording
  }
  if (!items.every(isBatchItem)) {
    return errorReply(400, { code: 100, message: '(#100) Each batch request needs a method and a relative_url' }); // [guess]
  }
  const memo: AuthMemo = new Map();
  const topToken = params.get('access_token');
  const topProof = params.get('appsecret_proof');
  if (topToken !== null) {
    const auth = authenticate(ctx, params, memo);
    if (!auth.ok) return auth.reply;
  }
  const includeHeaders = params.get('include_headers') !== 'false'; // Facebook's default is true [doc]
  const everyNth = Math.max(1, itemFault?.everyNth ?? 2);
  const answers = items.map((item, index) => {
    let reply: GraphReply;
    if (itemFault && (index + 1) % everyNth === 0) {
      const known = knownError(itemFault.code, undefined, '', ctx.now);
      reply = errorReply(defaultStatusFor(itemFault.code), { code: itemFault.code, ...known });
    } else {
      const { path, params: itemParams } = splitRelativeUrl(item.relative_url);
      const method = item.method.toUpperCase();
      if (method === 'POST' && typeof item.body === 'string') {
        for (const [k, v] of new URLSearchParams(item.body)) itemParams.append(k, v);
      }
      // Items inherit the batch's token (and its proof) unless they carry their own [doc].
      if (!itemParams.has('access_token') && topToken !== null) {
        itemParams.set('access_token', topToken);
        if (topProof !== null && !itemParams.has('appsecret_proof')) itemParams.set('appsecret_proof', topProof);
      }
      reply = handleGraphCall(ctx, method, path, itemParams, memo);
    }
    return {
      code: reply.status,
      ...(includeHeaders ? { headers: batchHeaders(ctx, reply) } : {}),
      body: reply.raw ?? JSON.stringify(reply.json),
    };
  });
  return ok(answers);
}
