import { createHmac } from 'node:crypto';
import * as z from 'zod';
import type { facebookEnv } from '#commons/platform/config';

/**
 * The only code that talks to the Facebook Graph API. It turns Facebook's answers into a small
 * set of verdicts and keeps Facebook's quirks (HTTP 200 for dead tokens, `subcode` vs
 * `error_subcode`, code 100 for another app's token) out of the rest of the service.
 */
export interface GraphClientOptions {
  /** Graph origin, `https://graph.facebook.com` in production. */
  readonly baseUrl: string;
  readonly version: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface ValidTokenInfo {
  readonly appId: string;
  readonly userId: string;
  readonly type: string;
  /** Epoch seconds; 0 means the token never expires. */
  readonly expiresAt: number;
  readonly issuedAt?: number;
  readonly dataAccessExpiresAt?: number;
  readonly scopes: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * Facebook describes `granular_scopes` for user access tokens but not for session-info tokens
   * [graph-api.md, doc]: a token that has them can read user data, and we refuse to keep it.
   */
  readonly grantsDataAccess: boolean;
}

export type DebugTokenVerdict =
  | { readonly status: 'valid'; readonly token: ValidTokenInfo }
  | { readonly status: 'dead'; readonly code?: number; readonly subcode?: number; readonly message?: string }
  | { readonly status: 'wrong_app' };

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

/** Facebook refused a call for a reason retrying will not fix (our configuration, a bad request). */
export class GraphRequestError extends Error {
  override readonly name = 'GraphRequestError';
  constructor(
    message: string,
    readonly status: number,
    readonly code?: number,
    readonly subcode?: number,
  ) {
    super(message);
  }
}

const TRANSIENT_CODES = new Set([1, 2, 4, 9, 17, 32, 341, 613]);
const THROTTLING_CODES = new Set([4, 17, 32, 341, 613]);
const DEFAULT_RETRY_AFTER_SECONDS = 30;
const THROTTLED_RETRY_AFTER_SECONDS = 300;

export function isTransientGraphCode(code: number | undefined, isTransient?: boolean): boolean {
  if (isTransient === true) return true;
  if (code === undefined) return false;
  return TRANSIENT_CODES.has(code) || (code >= 80000 && code <= 80014);
}

const errorEnvelopeSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    is_transient: z.boolean().optional(),
  }),
});

const debugDataSchema = z.object({
  data: z.object({
    app_id: z.string().optional(),
    type: z.string().optional(),
    is_valid: z.boolean(),
    expires_at: z.number().optional(),
    issued_at: z.number().optional(),
    data_access_expires_at: z.number().optional(),
    scopes: z.array(z.string()).optional(),
    user_id: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    granular_scopes: z.array(z.unknown()).optional(),
    error: z.object({ code: z.number().optional(), subcode: z.number().optional(), message: z.string().optional() }).optional(),
  }),
});

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

export class GraphClient {
  /** The latest `X-App-Usage` figure seen, in percent of the app's limit. */
  appUsagePercent: number | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly appToken: string;
  private readonly appSecretProof: string;

  constructor(private readonly options: GraphClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.appToken = `${options.appId}|${options.appSecret}`;
    this.appSecretProof = appSecretProof(options.appSecret, this.appToken);
  }

  /** Asks Facebook what it thinks of `inputToken`, as our app. */
  async debugToken(inputToken: string): Promise<DebugTokenVerdict> {
    const { status, body } = await this.get('debug_token', {
      input_token: inputToken,
      access_token: this.appToken,
      appsecret_proof: this.appSecretProof,
    });
    return this.interpretDebugToken(status, body);
  }

  /** Maps one debug_token answer (direct, or one item of a batch) to a verdict. */
  interpretDebugToken(status: number, body: unknown): DebugTokenVerdict {
    if (status === 200) {
      const parsed = debugDataSchema.safeParse(body);
      if (!parsed.success) throw new GraphTransientError('malformed debug_token answer', DEFAULT_RETRY_AFTER_SECONDS);
      const data = parsed.data.data;
      if (!data.is_valid) {
        return { status: 'dead', code: data.error?.code, subcode: data.error?.subcode, message: data.error?.message };
      }
      if (data.app_id !== undefined && data.app_id !== this.options.appId) return { status: 'wrong_app' };
      if (data.app_id === undefined || data.user_id === undefined || data.type === undefined) {
        return { status: 'dead', message: 'token description lacks app_id, user_id or type' };
      }
      return {
        status: 'valid',
        token: {
          appId: data.app_id,
          userId: data.user_id,
          type: data.type,
          expiresAt: data.expires_at ?? 0,
          issuedAt: data.issued_at,
          dataAccessExpiresAt: data.data_access_expires_at,
          scopes: data.scopes ?? [],
          metadata: data.metadata ?? {},
          grantsDataAccess: data.granular_scopes !== undefined,
        },
      };
    }
    const failure = this.failureOf(status, body);
    // Facebook will not describe another app's token; that is a verdict on the token, not trouble.
    if (failure.code === 100 && /App_id in the input_token did not match/i.test(failure.message)) return { status: 'wrong_app' };
    if (failure.code === 190 && /debug only access token/i.test(failure.message)) {
      // The input token was sent where the app token belongs: only a misrouted call does this.
      throw new GraphRequestError(failure.message, status, failure.code);
    }
    throw failure;
  }

  /** Turns a non-200 Graph answer into the error to throw. */
  failureOf(status: number, body: unknown): GraphTransientError | GraphRequestError {
    const envelope = errorEnvelopeSchema.safeParse(body);
    if (!envelope.success) {
      return new GraphTransientError(`Graph answered HTTP ${status} without an error envelope`, DEFAULT_RETRY_AFTER_SECONDS);
    }
    const { code, error_subcode: subcode, is_transient: isTransient, message = 'Graph API error' } = envelope.data.error;
    if (status >= 500 || isTransientGraphCode(code, isTransient)) {
      const throttled = code !== undefined && (THROTTLING_CODES.has(code) || (code >= 80000 && code <= 80014));
      const retryAfter = throttled ? THROTTLED_RETRY_AFTER_SECONDS : DEFAULT_RETRY_AFTER_SECONDS;
      return new GraphTransientError(`Graph transient error ${code ?? status}: ${message}`, retryAfter, code);
    }
    return new GraphRequestError(message, status, code, subcode);
  }

  private async get(path: string, query: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/${this.options.version}/${path}?${new URLSearchParams(query)}`;
    return this.request(url, { method: 'GET' });
  }

  /** One HTTP exchange with Graph; network trouble, timeouts and non-JSON bodies are transient. */
  async request(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
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

  /** Form POST to the Graph origin (the batch endpoint). */
  async postForm(path: string, form: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/${this.options.version}/${path}`;
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Query parameters that authenticate a call as the app. */
  appCredentials(): { access_token: string; appsecret_proof: string } {
    return { access_token: this.appToken, appsecret_proof: this.appSecretProof };
  }
}

export function appSecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken, 'utf8').digest('hex');
}

/** The Graph client for our app from its configuration; `timeoutMs` overrides GRAPH_TIMEOUT_MS (the sweep's batches need longer). */
export function createGraphClient(config: z.output<typeof facebookEnv>, appSecret: string, timeoutMs = config.GRAPH_TIMEOUT_MS): GraphClient {
  return new GraphClient({
    baseUrl: config.GRAPH_API_URL,
    version: config.GRAPH_API_VERSION,
    appId: config.FACEBOOK_APP_ID,
    appSecret,
    timeoutMs,
  });
}
