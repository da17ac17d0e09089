import { createHmac } from 'node:crypto';
import * as z from '#commons/platform/zod';
import { type GraphErrorDetail, isThrottlingCode, isTransientGraphError } from './graph-codes.ts';

/**
 * One HTTP exchange with the Graph API, and nothing about what the calls mean: the URL, the
 * timeout, `X-App-Usage`, how a call authenticates (app token with `appsecret_proof`, a token with
 * its proof, or the client secret), and Facebook's error envelope turned into a `GraphErrorDetail`.
 * The app secret never leaves this module. Facts: docs/facebook-graph.md.
 */
export interface GraphAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * How a call proves who makes it:
 * - `app`: `access_token` = the app token, with its `appsecret_proof`;
 * - `client_secret`: `client_id` and `client_secret` (the OAuth exchanges that need the secret);
 * - `{ accessToken }`: that token, with its `appsecret_proof` (the session-info proof at sign-in).
 */
export type GraphAuth = 'app' | 'client_secret' | { readonly accessToken: string };

export interface GraphTransport {
  readonly appId: string;
  /** The latest `X-App-Usage` figure seen, in percent of the app's rate limit. */
  readonly appUsagePercent: number | undefined;
  get(path: string, query: Readonly<Record<string, string>>, auth?: GraphAuth): Promise<GraphAnswer>;
  postForm(path: string, form: Readonly<Record<string, string>>, auth?: GraphAuth): Promise<GraphAnswer>;
  /** `DELETE` (the credential inventory revokes a user token's permissions with it). */
  delete(path: string, query: Readonly<Record<string, string>>, auth?: GraphAuth): Promise<GraphAnswer>;
}

export interface HttpGraphTransportOptions {
  /** Graph origin, `https://graph.facebook.com` in production. */
  readonly baseUrl: string;
  readonly version: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** Facebook could not answer now (throttled, down, slow, garbled). Retry later; never act on it. */
export class GraphTransientError extends Error {
  override readonly name = 'GraphTransientError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Facebook refused a call for a reason retrying will not fix, not known to be our configuration. */
export class GraphRequestError extends Error {
  override readonly name: string = 'GraphRequestError';
  readonly status: number;
  readonly code?: number;
  readonly subcode?: number;
  constructor(detail: GraphErrorDetail) {
    super(detail.message);
    this.status = detail.status;
    if (detail.code !== undefined) this.code = detail.code;
    if (detail.subcode !== undefined) this.subcode = detail.subcode;
  }
}

/**
 * Facebook refused our own app credentials or app (wrong secret, another app's id, a bad
 * `appsecret_proof`, a token of another app during a sweep). Never about a person: nobody is
 * revoked or refused for it; sign-in answers 500 and the sweep stops the share.
 */
export class GraphMisconfiguredError extends GraphRequestError {
  override readonly name = 'GraphMisconfiguredError';
  /** What is wrong, for the log (Facebook's message and code; never a token). */
  get what(): string {
    return `${this.message} (HTTP ${this.status}, code ${this.code ?? 'none'})`;
  }
}

/**
 * Facebook says a token a client gave us belongs to another app. A client sending another app's
 * token and this service running with another app's id and secret (a staging config deployed to
 * production) get the same answer from Facebook, and the second refuses everybody: so it is never
 * blamed on the person (no 401) and answers 500 like any misconfiguration, detail in the log. The
 * sweep reads the same answer as misconfiguration too (the token was our app's at sign-in).
 */
export class TokenOfAnotherAppError extends Error {
  override readonly name = 'TokenOfAnotherAppError';
  constructor(options?: { cause?: unknown }) {
    super('Facebook says the token belongs to another app: if every sign-in fails so, FACEBOOK_APP_ID and the app secret are not the app the clients use', options);
  }
}

export const DEFAULT_RETRY_AFTER_SECONDS = 30;
const THROTTLED_RETRY_AFTER_SECONDS = 300;

export function transientErrorOf(detail: GraphErrorDetail): GraphTransientError {
  const retryAfter = isThrottlingCode(detail.code) ? THROTTLED_RETRY_AFTER_SECONDS : DEFAULT_RETRY_AFTER_SECONDS;
  return new GraphTransientError(`Graph transient error ${detail.code ?? detail.status}: ${detail.message}`, retryAfter, detail.code);
}

const errorEnvelopeSchema = z.object({
  error: z.object({
    message: z.optional(z.string()),
    code: z.optional(z.number()),
    error_subcode: z.optional(z.number()),
    is_transient: z.optional(z.boolean()),
  }),
});

/**
 * A non-200 answer's envelope, or a transient error when there is none (a proxy's HTML page, an
 * empty body): without Facebook's envelope nothing is known about the call.
 */
export function errorDetailOf(answer: GraphAnswer): GraphErrorDetail | GraphTransientError {
  const envelope = errorEnvelopeSchema.safeParse(answer.body);
  if (!envelope.success) return new GraphTransientError(`Graph answered HTTP ${answer.status} without an error envelope`, DEFAULT_RETRY_AFTER_SECONDS);
  const { code, error_subcode: subcode, is_transient: isTransient, message = 'Graph API error' } = envelope.data.error;
  return {
    status: answer.status,
    message,
    ...(code !== undefined ? { code } : {}),
    ...(subcode !== undefined ? { subcode } : {}),
    ...(isTransient !== undefined ? { isTransient } : {}),
  };
}

/** The transient error for a failed answer, or its detail when retrying will not help. */
export function classifyFailure(answer: GraphAnswer): GraphErrorDetail | GraphTransientError {
  const detail = errorDetailOf(answer);
  if (detail instanceof GraphTransientError || isTransientGraphError(detail)) {
    return detail instanceof GraphTransientError ? detail : transientErrorOf(detail);
  }
  return detail;
}

/** Facebook's share of the app rate limit in use, from `X-App-Usage` (the largest of its figures). */
export function parseAppUsage(headerValue: string | null | undefined): number | undefined {
  if (!headerValue) return undefined;
  try {
    const usage = JSON.parse(headerValue) as Record<string, unknown>;
    const figures = ['call_count', 'total_time', 'total_cputime'].map((k) => usage[k]).filter((v): v is number => typeof v === 'number');
    return figures.length > 0 ? Math.max(...figures) : undefined;
  } catch {
    return undefined;
  }
}

export function appSecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken, 'utf8').digest('hex');
}

export class HttpGraphTransport implements GraphTransport {
  appUsagePercent: number | undefined;
  readonly appId: string;
  private readonly fetchImpl: typeof fetch;
  private readonly root: string;
  private readonly appAuth: Readonly<Record<string, string>>;

  constructor(private readonly options: HttpGraphTransportOptions) {
    this.appId = options.appId;
    this.fetchImpl = options.fetch ?? fetch;
    this.root = `${options.baseUrl.replace(/\/+$/, '')}/${options.version}`;
    const appToken = `${options.appId}|${options.appSecret}`;
    this.appAuth = { access_token: appToken, appsecret_proof: appSecretProof(options.appSecret, appToken) };
  }

  get(path: string, query: Readonly<Record<string, string>>, auth?: GraphAuth): Promise<GraphAnswer> {
    return this.withQuery('GET', path, query, auth);
  }

  delete(path: string, query: Readonly<Record<string, string>>, auth?: GraphAuth): Promise<GraphAnswer> {
    return this.withQuery('DELETE', path, query, auth);
  }

  private withQuery(method: 'GET' | 'DELETE', path: string, query: Readonly<Record<string, string>>, auth: GraphAuth | undefined): Promise<GraphAnswer> {
    const params = new URLSearchParams({ ...query, ...this.credentials(auth) });
    return this.exchange(`${this.root}/${path}?${params}`, { method });
  }

  postForm(path: string, form: Readonly<Record<string, string>>, auth?: GraphAuth): Promise<GraphAnswer> {
    return this.exchange(`${this.root}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, ...this.credentials(auth) }).toString(),
    });
  }

  private credentials(auth: GraphAuth | undefined): Record<string, string> {
    if (auth === undefined) return {};
    if (auth === 'app') return { ...this.appAuth };
    if (auth === 'client_secret') return { client_id: this.appId, client_secret: this.options.appSecret };
    return { access_token: auth.accessToken, appsecret_proof: appSecretProof(this.options.appSecret, auth.accessToken) };
  }

  /** Network trouble, timeouts and non-JSON bodies are transient. */
  private async exchange(url: string, init: RequestInit): Promise<GraphAnswer> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new GraphTransientError(timedOut ? 'Graph did not answer in time' : 'Graph could not be reached', DEFAULT_RETRY_AFTER_SECONDS, undefined, { cause });
    }
    const usage = parseAppUsage(response.headers.get('x-app-usage'));
    if (usage !== undefined) this.appUsagePercent = usage;
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      if (response.status >= 500) throw new GraphTransientError(`Graph answered HTTP ${response.status}`, DEFAULT_RETRY_AFTER_SECONDS);
      throw new GraphTransientError('Graph answered with a body that is not JSON', DEFAULT_RETRY_AFTER_SECONDS, undefined, { cause });
    }
    return { status: response.status, body };
  }
}
