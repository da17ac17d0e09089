import { type DebugTokenVerdict, type GraphClient, GraphRequestError, GraphTransientError } from './graph-client.ts';

/**
 * Checks many session-info tokens with few Graph requests: `debug_token` calls packed into batch
 * requests (`POST /{version}/` with `batch=[...]`, at most 50 items [graph-api.md 6]) sent with the
 * app token and its appsecret_proof, which every item inherits.
 *
 * Each token gets one outcome, in input order:
 * - a verdict (`valid`, `dead`, `wrong_app`): Facebook's answer about that token;
 * - a `GraphTransientError`: Facebook could not answer for it now (item or whole batch failed
 *   transiently, a timeout, a garbled answer). The caller checks it again later, never acts on it;
 * - a `GraphRequestError`: Facebook refused the call itself for a reason retrying will not fix
 *   (our configuration). Not a verdict either.
 *
 * Fallback: a batch that fails as a whole with a non-transient error, or an item that fails with
 * one, is retried as single `debug_token` calls [graph-api.md 6: "a single-call fallback must
 * exist", guess]; a whole batch that fails transiently is not, since single calls would only add
 * load to a Facebook that is already struggling or throttling us.
 */
export type TokenCheckOutcome = DebugTokenVerdict | GraphTransientError | GraphRequestError;

export interface BatchTokenChecker {
  debugTokens(tokens: readonly string[]): Promise<TokenCheckOutcome[]>;
  /** The latest `X-App-Usage` figure seen, in percent of the app's rate limit. */
  readonly appUsagePercent: number | undefined;
}

/** Facebook's limit on requests per batch [doc]. */
export const MAX_GRAPH_BATCH_SIZE = 50;

export interface GraphBatchCheckerOptions {
  /** Items per batch request, 1..50. @default 50 */
  readonly batchSize?: number;
  /** Single calls in flight at once during a fallback. @default 5 */
  readonly fallbackConcurrency?: number;
}

const RETRY_AFTER_SECONDS = 30;

export class GraphBatchChecker implements BatchTokenChecker {
  private readonly batchSize: number;
  private readonly fallbackConcurrency: number;

  constructor(
    private readonly graph: Pick<GraphClient, 'debugToken' | 'interpretDebugToken' | 'failureOf' | 'postForm' | 'appCredentials' | 'appUsagePercent'>,
    options: GraphBatchCheckerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? MAX_GRAPH_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_GRAPH_BATCH_SIZE) {
      throw new RangeError(`batchSize must be 1..${MAX_GRAPH_BATCH_SIZE}, got ${this.batchSize}`);
    }
    this.fallbackConcurrency = Math.max(1, options.fallbackConcurrency ?? 5);
  }

  get appUsagePercent(): number | undefined {
    return this.graph.appUsagePercent;
  }

  /** One outcome per token, in order. Chunks run one after another; callers add parallelism. */
  async debugTokens(tokens: readonly string[]): Promise<TokenCheckOutcome[]> {
    const outcomes: TokenCheckOutcome[] = [];
    for (let start = 0; start < tokens.length; start += this.batchSize) {
      outcomes.push(...(await this.checkChunk(tokens.slice(start, start + this.batchSize))));
    }
    return outcomes;
  }

  private async checkChunk(tokens: readonly string[]): Promise<TokenCheckOutcome[]> {
    if (tokens.length === 0) return [];
    let answer: { status: number; body: unknown };
    try {
      answer = await this.graph.postForm('', {
        ...this.graph.appCredentials(),
        batch: JSON.stringify(tokens.map((token) => ({ method: 'GET', relative_url: `debug_token?${new URLSearchParams({ input_token: token })}` }))),
        include_headers: 'false',
      });
    } catch (error) {
      // Timeouts, unreachable, non-JSON: nothing is known about any token.
      if (error instanceof GraphTransientError) return tokens.map(() => error);
      throw error;
    }

    if (answer.status !== 200) {
      const failure = this.graph.failureOf(answer.status, answer.body);
      if (failure instanceof GraphTransientError) return tokens.map(() => failure);
      return this.singleCalls(tokens);
    }
    if (!Array.isArray(answer.body) || answer.body.length !== tokens.length) {
      const garbled = new GraphTransientError('batch answer is not an array of one answer per request', RETRY_AFTER_SECONDS);
      return tokens.map(() => garbled);
    }

    const outcomes: TokenCheckOutcome[] = [];
    const refused: number[] = [];
    answer.body.forEach((item: unknown, index) => {
      const outcome = this.interpretItem(item);
      if (outcome instanceof GraphRequestError) refused.push(index);
      outcomes.push(outcome);
    });
    if (refused.length > 0) {
      const retried = await this.singleCalls(refused.map((index) => tokens[index]!));
      refused.forEach((index, i) => (outcomes[index] = retried[i]!));
    }
    return outcomes;
  }

  /** One batch item: `{code, body: "<JSON string>"}`, or `null` for a request Facebook did not run. */
  private interpretItem(item: unknown): TokenCheckOutcome {
    if (item === null || typeof item !== 'object') {
      return new GraphTransientError('batch item was not run (null answer)', RETRY_AFTER_SECONDS);
    }
    const { code, body } = item as { code?: unknown; body?: unknown };
    if (typeof code !== 'number' || typeof body !== 'string') {
      return new GraphTransientError('batch item is malformed', RETRY_AFTER_SECONDS);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return new GraphTransientError('batch item body is not JSON', RETRY_AFTER_SECONDS);
    }
    return settle(() => this.graph.interpretDebugToken(code, parsed));
  }

  private async singleCalls(tokens: readonly string[]): Promise<TokenCheckOutcome[]> {
    const outcomes: TokenCheckOutcome[] = new Array(tokens.length);
    let next = 0;
    const lane = async () => {
      while (next < tokens.length) {
        const index = next++;
        outcomes[index] = await settleAsync(() => this.graph.debugToken(tokens[index]!));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.fallbackConcurrency, tokens.length) }, lane));
    return outcomes;
  }
}

function settle(check: () => DebugTokenVerdict): TokenCheckOutcome {
  try {
    return check();
  } catch (error) {
    if (error instanceof GraphTransientError || error instanceof GraphRequestError) return error;
    throw error;
  }
}

async function settleAsync(check: () => Promise<DebugTokenVerdict>): Promise<TokenCheckOutcome> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof GraphTransientError || error instanceof GraphRequestError) return error;
    throw error;
  }
}
