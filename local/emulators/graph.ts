/**
 * In-process emulator of the parts of Facebook that Session Guard talks to: the Graph API
 * (`{origin}/{version}/debug_token`, `oauth/access_token`, `oauth/access_token_info`, batch
 * `POST /`) and the Login dialog (`{origin}/{version}/dialog/oauth`). Point `GRAPH_API_URL` and
 * `FACEBOOK_DIALOG_URL` at `url`. It is honest to docs/facebook-graph.md and the captured answers in
 * test/fixtures/facebook/: same shapes, statuses, error envelopes, codes and quirks; choices that
 * doc marks [guess] (or does not cover) are marked [guess] where they are made, in graph-routes.ts
 * and graph-dialog.ts.
 *
 * Besides the emulated routes there is a JSON admin surface under `/_emulator/` for curl on the
 * local stack; it shares nothing with the Graph routes except the state.
 *
 * Files: graph-tokens.ts (state and token rules), graph-routes.ts (Graph calls and batch),
 * graph-dialog.ts (login page), this file (server, faults, latency, usage, stats, admin).
 *
 * One file over 300 lines on purpose: the server, its fault and latency controls and the `/_emulator/`
 * admin surface share one state; the Graph calls and the dialog are already in their own files.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { handleDialog } from './graph-dialog.ts';
import {
  defaultStatusFor,
  errorReply,
  fbtraceId,
  handleBatch,
  handleGraphCall,
  knownError,
  type BatchItemFault,
  type GraphReply,
  type RouteContext,
} from './graph-routes.ts';
import { type FieldIssue, fieldIssues, LocalRouteError } from '#local/local-json';
import { EmulatorUsageError, GraphState, LONG_LIVED_SECONDS, SESSION_INFO_SECONDS, SHORT_LIVED_SECONDS, nowSeconds, type UserRecord } from './graph-tokens.ts';

// ---- public API -----------------------------------------------------------------------------

export type SessionEndReason = 'password_changed' | 'app_removed' | 'logged_out' | 'expired' | 'checkpointed' | 'invalidated' | 'unconfirmed_user';
// subcodes: 460, 458, 467, 463, 459, 466, 464

export interface EmulatedApp {
  appId: string;
  appSecret: string;
  /** "Require App Secret": calls carrying access_token must send appsecret_proof. @default true */
  requireAppSecretProof?: boolean;
  /** If set, the dialog only accepts these redirect_uri values (byte equality). */
  redirectUris?: string[];
}

export interface GraphEmulatorOptions {
  /** @default 0, a random free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  apps: EmulatedApp[];
  /** Added to every Graph response. @default 0 */
  latencyMs?: number;
}

export interface TestUser {
  id: string;
  name: string;
}

export type GraphFault =
  | { kind: 'http_status'; status: number } // e.g. 500/503 with a plausible envelope
  | { kind: 'error_code'; code: number; subcode?: number; isTransient?: boolean; status?: number } // envelope error, e.g. 1, 2, 4, 17, 613
  | { kind: 'timeout'; delayMs: number } // answer only after delayMs (longer than the client timeout)
  | { kind: 'malformed' } // 200 with a non-JSON / wrong-shape body
  | { kind: 'batch_item_error'; code: number; everyNth?: number }; // in a batch, some items fail with an item-level error, others succeed

export interface GraphEmulator {
  readonly url: string; // origin, e.g. http://127.0.0.1:4600
  close(): Promise<void>;
  createTestUser(appId: string, opts?: { name?: string }): TestUser;
  mintSessionInfoToken(appId: string, userId: string, opts?: { expiresInSeconds?: number /* default 60 days; 0 = never expires */; metadata?: Record<string, string>; scopes?: string[] }): string;
  mintUserToken(appId: string, userId: string, opts?: { lifetime?: 'short' | 'long'; expiresInSeconds?: number; scopes?: string[] }): string;
  /**
   * A Business system user with one token: never expiring unless `expiresInSeconds` (system-user
   * tokens may be made to expire in 60 days), `type: SYSTEM_USER`, and `granular_scopes` naming the
   * assets each permission reaches (`assets`: permission → ids).
   */
  mintSystemUserToken(appId: string, opts: { scopes: string[]; assets?: Record<string, string[]>; expiresInSeconds?: number }): { systemUserId: string; token: string };
  /** A Page token of a test user for `pageId`: `type: PAGE`, `profile_id`, never expiring. */
  mintPageToken(appId: string, userId: string, pageId: string, opts?: { scopes?: string[] }): string;
  /** The system user's tokens are revoked in Business settings: every one turns invalid. */
  revokeSystemUserTokens(systemUserId: string): number;
  /** The person's Facebook session ends: tokens of that user die with the reason's subcode ('app_removed' only kills that app's tokens; others all of the user's tokens). */
  endFacebookSession(userId: string, reason: SessionEndReason, appId?: string): void;
  /** Fault injection for the next `count` matching requests (default: until clearFaults). `path` filters e.g. 'debug_token' or 'batch'. */
  injectFault(fault: GraphFault, opts?: { count?: number; path?: 'debug_token' | 'batch' | 'oauth' | 'any' }): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** App usage percent reported in X-App-Usage (call_count), to test throttling back-off. */
  setAppUsage(percent: number): void;
  stats(): { requests: number; debugTokenChecks: number; batchRequests: number; byPath: Record<string, number> };
  resetStats(): void;
  /** Whether debug_token was asked about this token since the last resetStats (a session checked by the sweep). */
  wasChecked(inputToken: string): boolean;
}

// ---- faults ---------------------------------------------------------------------------------

type FaultPath = 'debug_token' | 'batch' | 'oauth' | 'any';

interface ActiveFault {
  readonly fault: GraphFault;
  readonly path: FaultPath;
  remaining: number;
  hits: number;
}

/** Malformed answers rotate through three kinds of garbage, all HTTP 200. */
const MALFORMED_BODIES: readonly Pick<GraphReply, 'raw' | 'contentType'>[] = [
  { raw: '{"data":{"app_id":"', contentType: 'application/json; charset=UTF-8' }, // truncated JSON
  { raw: '<!DOCTYPE html><html><head><title>Facebook</title></head><body>Sorry, something went wrong.</body></html>', contentType: 'text/html; charset=utf-8' },
  { raw: '{"data":[]}', contentType: 'application/json; charset=UTF-8' }, // JSON of the wrong shape for every call
];

/** Plausible envelopes for bare HTTP failures: 5xx as Facebook's transient codes 1/2, 429 as 4 [guess]. */
function statusFaultReply(status: number): GraphReply {
  const code = status === 429 ? 4 : status === 502 || status === 503 || status === 504 ? 2 : 1;
  const known = knownError(code, undefined, '', nowSeconds());
  return errorReply(status, { code, ...known });
}

// ---- HTTP plumbing --------------------------------------------------------------------------

const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Versionless calls get this version, echoed in `facebook-api-version` [guess: Facebook uses the app's default]. */
const DEFAULT_VERSION = 'v21.0';

class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new RequestTooLargeError('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Query parameters plus a form or JSON body, plus a bearer token from the Authorization header. */
function graphParams(url: URL, req: IncomingMessage, body: string): URLSearchParams {
  const params = new URLSearchParams(url.searchParams);
  if (body) {
    const type = req.headers['content-type'] ?? '';
    if (type.includes('application/json')) {
      try {
        const parsed: unknown = JSON.parse(body);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          for (const [k, v] of Object.entries(parsed)) params.set(k, typeof v === 'string' ? v : JSON.stringify(v));
        }
      } catch {
        // an unreadable body leaves only the query; the call then fails on missing parameters
      }
    } else {
      for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    }
  }
  const auth = /^(?:OAuth|Bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (auth?.[1] && !params.has('access_token')) params.set('access_token', auth[1]);
  return params;
}

/** `/v21.0/debug_token` → { version: 'v21.0', path: 'debug_token' }; versionless paths work too, as on Facebook. */
function splitPath(pathname: string): { version: string; path: string; versioned: boolean } {
  const trimmed = pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  const m = /^(v\d+\.\d+)(?:\/(.*))?$/.exec(trimmed);
  if (m?.[1]) return { version: m[1], path: m[2] ?? '', versioned: true };
  return { version: DEFAULT_VERSION, path: trimmed, versioned: false };
}

function faultPathOf(method: string, path: string): FaultPath | undefined {
  if (path === '' && method === 'POST') return 'batch';
  if (path === 'debug_token') return 'debug_token';
  if (path.startsWith('oauth/')) return 'oauth';
  return undefined;
}

function sendJson(res: ServerResponse, status: number, json: unknown): void {
  const body = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

class ClosedError extends Error {
  override readonly name = 'ClosedError';
}

// ---- admin surface (/_emulator/...) ---------------------------------------------------------

const reasonSchema = z.enum(['password_changed', 'app_removed', 'logged_out', 'expired', 'checkpointed', 'invalidated', 'unconfirmed_user']);
const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('http_status'), status: z.number().int().min(400).max(599) }),
  z.object({ kind: z.literal('error_code'), code: z.number().int(), subcode: z.number().int().optional(), isTransient: z.boolean().optional(), status: z.number().int().min(400).max(599).optional() }),
  z.object({ kind: z.literal('timeout'), delayMs: z.number().int().min(0) }),
  z.object({ kind: z.literal('malformed') }),
  z.object({ kind: z.literal('batch_item_error'), code: z.number().int(), everyNth: z.number().int().min(1).optional() }),
]);
const adminSchemas = {
  createUser: z.object({ appId: z.string().optional(), name: z.string().max(200).optional() }),
  sessionInfoToken: z.object({ expiresInSeconds: z.number().int().optional(), metadata: z.record(z.string(), z.string()).optional(), scopes: z.array(z.string()).optional() }),
  userToken: z.object({ lifetime: z.enum(['short', 'long']).optional(), expiresInSeconds: z.number().int().optional() }),
  systemUser: z.object({ appId: z.string().optional(), scopes: z.array(z.string()).min(1), assets: z.record(z.string(), z.array(z.string())).optional(), expiresInSeconds: z.number().int().optional() }),
  endSession: z.object({ reason: reasonSchema, appId: z.string().optional() }),
  fault: z.object({ fault: faultSchema, count: z.number().int().min(1).optional(), path: z.enum(['debug_token', 'batch', 'oauth', 'any']).optional() }),
  latency: z.object({ ms: z.number().int().min(0) }),
  appUsage: z.object({ percent: z.number().min(0) }),
};

const ADMIN_ROUTES = [
  'GET    /_emulator/users[?appId=]',
  'POST   /_emulator/users {appId?, name?}',
  'POST   /_emulator/users/{id}/session-info-token {expiresInSeconds?, metadata?, scopes?}',
  'POST   /_emulator/users/{id}/user-token {lifetime?, expiresInSeconds?}',
  'POST   /_emulator/users/{id}/end-session {reason, appId?}',
  'POST   /_emulator/system-users {appId?, scopes, assets?: {permission: [ids]}, expiresInSeconds?} → {id, token}',
  'POST   /_emulator/system-users/{id}/revoke-tokens',
  'POST   /_emulator/faults {fault, count?, path?}',
  'DELETE /_emulator/faults',
  'PUT    /_emulator/latency {ms}',
  'PUT    /_emulator/app-usage {percent}',
  'GET    /_emulator/stats',
  'DELETE /_emulator/stats',
];

/** Admin refusals answer in the API's error shape: `{"error": {"code", "message", "issues"?}}` (docs/local-stack.md). */
class AdminError extends LocalRouteError {
  constructor(status: 400 | 404, message: string, issues?: readonly FieldIssue[]) {
    super(status, status === 404 ? 'not_found' : 'invalid_request', message, issues);
  }
}

function parseAdmin<T>(schema: z.ZodType<T>, body: string): T {
  let json: unknown = {};
  if (body.trim()) {
    try {
      json = JSON.parse(body);
    } catch {
      throw new AdminError(400, 'body is not JSON');
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AdminError(400, 'invalid body', fieldIssues(parsed.error.issues));
  return parsed.data;
}

function userJson(user: UserRecord): { id: string; name: string; appId: string } {
  return { id: user.id, name: user.name, appId: user.appId };
}

// ---- the emulator ---------------------------------------------------------------------------

export async function startGraphEmulator(options: GraphEmulatorOptions): Promise<GraphEmulator> {
  const state = new GraphState(options.apps);
  let latencyMs = Math.max(0, options.latencyMs ?? 0);
  let appUsagePercent = 0;
  let faults: ActiveFault[] = [];
  let stats = { requests: 0, debugTokenChecks: 0, batchRequests: 0, byPath: {} as Record<string, number> };
  /** Every input_token debug_token was asked about since the last resetStats. */
  let checkedTokens = new Set<string>();
  const closing = new AbortController();

  /** setTimeout that gives up when the emulator closes, so close() never waits on a slow fault. */
  function sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    if (closing.signal.aborted) return Promise.reject(new ClosedError('emulator closed'));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new ClosedError('emulator closed'));
      };
      const timer = setTimeout(() => {
        closing.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      closing.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function takeFault(path: FaultPath | undefined): ActiveFault | undefined {
    const found = faults.find((f) => (f.path === 'any' || f.path === path) && (f.fault.kind !== 'batch_item_error' || path === 'batch'));
    if (!found) return undefined;
    found.hits += 1;
    found.remaining -= 1;
    if (found.remaining <= 0) faults = faults.filter((f) => f !== found);
    return found;
  }

  function count(key: string): void {
    stats.requests += 1;
    stats.byPath[key] = (stats.byPath[key] ?? 0) + 1;
  }

  function mintUserToken(appId: string, userId: string, opts: { lifetime?: 'short' | 'long'; expiresInSeconds?: number; scopes?: string[] } = {}): string {
    state.requireUser(appId, userId);
    const lifetime = opts.lifetime ?? 'short';
    return state.mint({
      kind: lifetime,
      appId,
      userId,
      lifetimeSeconds: opts.expiresInSeconds ?? (lifetime === 'long' ? LONG_LIVED_SECONDS : SHORT_LIVED_SECONDS),
      scopes: opts.scopes ?? ['public_profile'],
      metadata: {},
    });
  }

  function mintSessionInfoToken(appId: string, userId: string, opts: { expiresInSeconds?: number; metadata?: Record<string, string>; scopes?: string[] } = {}): string {
    state.requireUser(appId, userId);
    return state.mint({
      kind: 'session_info',
      appId,
      userId,
      lifetimeSeconds: opts.expiresInSeconds ?? SESSION_INFO_SECONDS,
      scopes: opts.scopes ?? ['public_profile'],
      metadata: opts.metadata ?? {},
    });
  }

  function mintSystemUserToken(appId: string, opts: { scopes: string[]; assets?: Record<string, string[]>; expiresInSeconds?: number }): { systemUserId: string; token: string } {
    state.requireApp(appId);
    const systemUserId = state.newBusinessId();
    const granularScopes = opts.scopes.map((scope) => ({ scope, ...(opts.assets?.[scope] ? { target_ids: [...opts.assets[scope]] } : {}) }));
    const token = state.mint({ kind: 'system_user', appId, userId: systemUserId, lifetimeSeconds: opts.expiresInSeconds ?? 0, scopes: opts.scopes, metadata: {}, granularScopes });
    return { systemUserId, token };
  }

  function injectFault(fault: GraphFault, opts: { count?: number; path?: FaultPath } = {}): void {
    const checked = faultSchema.safeParse(fault);
    if (!checked.success) throw new EmulatorUsageError(`invalid fault: ${checked.error.message}`, 'invalid');
    if (opts.count !== undefined && (!Number.isInteger(opts.count) || opts.count < 1)) throw new EmulatorUsageError('fault count must be a positive integer', 'invalid');
    faults.push({ fault, path: opts.path ?? 'any', remaining: opts.count ?? Number.POSITIVE_INFINITY, hits: 0 });
  }

  // -- Graph side --

  function writeGraph(res: ServerResponse, reply: GraphReply, version: string): void {
    if (res.destroyed) return;
    const body = reply.raw ?? JSON.stringify(reply.json);
    const envelope = reply.json as { error?: { fbtrace_id?: string } } | undefined;
    const usage = Math.round(appUsagePercent);
    res.writeHead(reply.status, {
      'content-type': reply.contentType ?? 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'private, no-cache, no-store, must-revalidate',
      'facebook-api-version': version,
      'x-fb-trace-id': envelope?.error?.fbtrace_id ?? fbtraceId(),
      // Percent of the app's rate limit [seen]; one figure for all three, set by setAppUsage.
      'x-app-usage': JSON.stringify({ call_count: usage, total_time: usage, total_cputime: usage }),
      ...reply.headers,
    });
    res.end(body);
  }

  async function handleGraph(req: IncomingMessage, res: ServerResponse, url: URL, version: string, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const isBatch = path === '' && method === 'POST';
    if (isBatch) stats.batchRequests += 1;
    count(isBatch ? 'batch' : path || '/');
    const body = method === 'POST' ? await readBody(req) : '';
    const active = takeFault(faultPathOf(method, path));
    await sleep(latencyMs);
    const fault = active?.fault;
    // A caller that gives up does not cancel the call: it still takes effect (a code gets spent), as on Facebook.
    if (fault?.kind === 'timeout') await sleep(fault.delayMs);

    let reply: GraphReply;
    if (fault?.kind === 'http_status') {
      reply = statusFaultReply(fault.status);
    } else if (fault?.kind === 'error_code') {
      const known = knownError(fault.code, fault.subcode, '', nowSeconds());
      reply = errorReply(fault.status ?? defaultStatusFor(fault.code), {
        code: fault.code,
        message: known.message,
        ...(fault.subcode !== undefined ? { subcode: fault.subcode } : {}),
        ...((fault.isTransient ?? known.isTransient) !== undefined ? { isTransient: fault.isTransient ?? known.isTransient } : {}),
      });
    } else if (fault?.kind === 'malformed') {
      const garbage = MALFORMED_BODIES[((active?.hits ?? 1) - 1) % MALFORMED_BODIES.length] ?? {};
      reply = { status: 200, ...garbage };
    } else if (appUsagePercent >= 100) {
      // Throttled at 100 [seen]: code 4, transient.
      const known = knownError(4, undefined, '', nowSeconds());
      reply = errorReply(defaultStatusFor(4), { code: 4, ...known });
    } else {
      const onDebugTokenCheck = (input: string | null) => {
        stats.debugTokenChecks += 1;
        if (input) checkedTokens.add(input);
      };
      const ctx: RouteContext = { state, version, now: nowSeconds(), onDebugTokenCheck };
      const params = graphParams(url, req, body);
      const itemFault: BatchItemFault | undefined = fault?.kind === 'batch_item_error' ? { code: fault.code, ...(fault.everyNth !== undefined ? { everyNth: fault.everyNth } : {}) } : undefined;
      reply = isBatch ? handleBatch(ctx, params, itemFault) : handleGraphCall(ctx, method, path, params);
    }
    writeGraph(res, reply, version);
  }

  // -- dialog --

  async function handleDialogRequest(req: IncomingMessage, res: ServerResponse, url: URL, versioned: boolean, version: string): Promise<void> {
    count('dialog/oauth');
    const method = req.method ?? 'GET';
    const params = new URLSearchParams(url.searchParams);
    if (method === 'POST') for (const [k, v] of new URLSearchParams(await readBody(req))) params.set(k, v);
    const reply = handleDialog(state, method, params, versioned ? `/${version}/dialog/oauth` : '/dialog/oauth');
    if (res.destroyed) return;
    if (reply.location !== undefined) {
      res.writeHead(reply.status, { location: reply.location, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    const html = reply.html ?? '';
    res.writeHead(reply.status, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-frame-options': 'DENY',
    });
    res.end(method === 'HEAD' ? undefined : html);
  }

  // -- admin --

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop "_emulator"
    const body = method === 'POST' || method === 'PUT' ? await readBody(req) : '';
    const [resource, id, action] = parts;
    const userOf = (userId: string): UserRecord => {
      const user = state.findUser(userId);
      if (!user) throw new AdminError(404, `unknown test user ${userId}`);
      return user;
    };

    if (resource === undefined && method === 'GET') return sendJson(res, 200, { emulator: 'Facebook Graph API + Login dialog', apps: [...state.apps.keys()], routes: ADMIN_ROUTES });
    if (resource === 'users' && id === undefined) {
      if (method === 'GET') {
        const appId = url.searchParams.get('appId') ?? undefined;
        return sendJson(res, 200, { users: state.listUsers(appId).map(userJson) });
      }
      if (method === 'POST') {
        const input = parseAdmin(adminSchemas.createUser, body);
        const user = state.createUser(input.appId ?? state.firstAppId, input.name);
        return sendJson(res, 201, userJson(user));
      }
    }
    if (resource === 'users' && id !== undefined && method === 'GET' && action === undefined) return sendJson(res, 200, userJson(userOf(id)));
    if (resource === 'users' && id !== undefined && method === 'POST') {
      const user = userOf(id);
      if (action === 'session-info-token') {
        const input = parseAdmin(adminSchemas.sessionInfoToken, body);
        return sendJson(res, 201, { token: mintSessionInfoToken(user.appId, user.id, input) });
      }
      if (action === 'user-token') {
        const input = parseAdmin(adminSchemas.userToken, body);
        return sendJson(res, 201, { token: mintUserToken(user.appId, user.id, input) });
      }
      if (action === 'end-session') {
        const input = parseAdmin(adminSchemas.endSession, body);
        state.endSession(user.id, input.reason, input.appId);
        res.writeHead(204).end();
        return;
      }
    }
    if (resource === 'system-users' && id === undefined && method === 'POST') {
      const input = parseAdmin(adminSchemas.systemUser, body);
      const minted = mintSystemUserToken(input.appId ?? state.firstAppId, input);
      return sendJson(res, 201, { id: minted.systemUserId, token: minted.token });
    }
    if (resource === 'system-users' && id !== undefined && action === 'revoke-tokens' && method === 'POST') {
      return sendJson(res, 200, { revoked: state.invalidateTokensOf(id) });
    }
    if (resource === 'faults' && id === undefined && method === 'POST') {
      const input = parseAdmin(adminSchemas.fault, body);
      injectFault(input.fault, { ...(input.count !== undefined ? { count: input.count } : {}), ...(input.path !== undefined ? { path: input.path } : {}) });
      res.writeHead(204).end();
      return;
    }
    if (resource === 'faults' && id === undefined && method === 'DELETE') {
      faults = [];
      res.writeHead(204).end();
      return;
    }
    if (resource === 'latency' && method === 'PUT') {
      latencyMs = parseAdmin(adminSchemas.latency, body).ms;
      res.writeHead(204).end();
      return;
    }
    if (resource === 'app-usage' && method === 'PUT') {
      appUsagePercent = parseAdmin(adminSchemas.appUsage, body).percent;
      res.writeHead(204).end();
      return;
    }
    if (resource === 'stats' && method === 'GET') return sendJson(res, 200, emulator.stats());
    if (resource === 'stats' && method === 'DELETE') {
      emulator.resetStats();
      res.writeHead(204).end();
      return;
    }
    throw new AdminError(404, `no admin route ${method} ${url.pathname}`);
  }

  // -- dispatch --

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) {
      try {
        await handleAdmin(req, res, url);
      } catch (err) {
        if (err instanceof AdminError) return sendJson(res, err.status, err.body);
        if (err instanceof EmulatorUsageError) return sendJson(res, err.kind === 'not_found' ? 404 : 400, new AdminError(err.kind === 'not_found' ? 404 : 400, err.message).body);
        throw err;
      }
      return;
    }
    const { version, path, versioned } = splitPath(url.pathname);
    if (path === 'dialog/oauth') return handleDialogRequest(req, res, url, versioned, version);
    return handleGraph(req, res, url, version, path);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof ClosedError || res.destroyed) {
        res.destroy();
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof RequestTooLargeError) {
        writeGraphSafe(res, errorReply(413, { code: 100, message: '(#100) Request body too large' }));
        return;
      }
      // An emulator bug: answer like Facebook's own unknown error and keep the detail in the log.
      console.error('[graph-emulator] internal error', err);
      writeGraphSafe(res, errorReply(500, { code: 1, message: 'An unknown error has occurred.', isTransient: true }));
    });
  });

  function writeGraphSafe(res: ServerResponse, reply: GraphReply): void {
    const body = JSON.stringify(reply.json);
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const emulator: GraphEmulator = {
    url,
    async close() {
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    createTestUser(appId, opts) {
      const user = state.createUser(appId, opts?.name);
      return { id: user.id, name: user.name };
    },
    mintSessionInfoToken,
    mintUserToken,
    mintSystemUserToken,
    mintPageToken(appId, userId, pageId, opts) {
      state.requireUser(appId, userId);
      const scopes = opts?.scopes ?? ['pages_show_list', 'pages_read_engagement'];
      // A Page token from a long-lived user token never expires [doc]; its scopes reach that Page [seen].
      return state.mint({ kind: 'page', appId, userId, lifetimeSeconds: 0, scopes, metadata: {}, profileId: pageId, granularScopes: scopes.map((scope) => ({ scope, target_ids: [pageId] })) });
    },
    revokeSystemUserTokens: (systemUserId) => state.invalidateTokensOf(systemUserId),
    endFacebookSession(userId, reason, appId) {
      state.endSession(userId, reason, appId);
    },
    injectFault,
    clearFaults() {
      faults = [];
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    setAppUsage(percent) {
      appUsagePercent = Math.max(0, percent);
    },
    stats() {
      return { requests: stats.requests, debugTokenChecks: stats.debugTokenChecks, batchRequests: stats.batchRequests, byPath: { ...stats.byPath } };
    },
    resetStats() {
      stats = { requests: 0, debugTokenChecks: 0, batchRequests: 0, byPath: {} };
      checkedTokens = new Set();
    },
    wasChecked(inputToken) {
      return checkedTokens.has(inputToken);
    },
  };
  return emulator;
}
