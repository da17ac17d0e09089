import { type DebugTokenAnswer, type DebugTokenChecks, readDebugTokenAnswer } from './debug-token.ts';
import { classifyFailure, DEFAULT_RETRY_AFTER_SECONDS, GraphMisconfiguredError, GraphRequestError, GraphTransientError, type GraphTransport } from './graph-transport.ts';

/**
 * Checks many session-info tokens with few Graph requests: `debug_token` calls packed into batch
 * requests (`POST /{version}/` with `batch=[...]`, at most 50 items) sent with the app token and its
 * appsecret_proof, which every item inherits (docs/facebook-graph.md, "Batch").
 *
 * Each token gets one outcome, in input order (the answer's items come in request order):
 * - a `DebugTokenAnswer`: what Facebook said about that token (token-verdict.ts judges it);
 * - a `GraphTransientError`: Facebook could not answer for it now (the item came back `null`, the
 *   batch or the item failed transiently, a timeout, a garbled answer). Checked again later;
 * - a `GraphMisconfiguredError`: Facebook refused our credentials. Not about the token;
 * - a `GraphRequestError`: refused for a reason we cannot place, even as a single call.
 *
 * Fallback: only items refused one by one (a non-transient item error we cannot place) are retried
 * as single calls. A batch refused as a whole for a non-transient reason is refused for our call
 * (our app token, our proof, our request): fifty single calls would fail the same way and spend
 * the rate limit, so every token gets the GraphMisconfiguredError instead.
 */
export type TokenCheckOutcome = DebugTokenAnswer | GraphTransientError | GraphRequestError;

export interface BatchTokenChecker {
  debugTokens(tokens: readonly string[]): Promise<TokenCheckOutcome[]>;
  /** The latest `X-App-Usage` figure seen, in percent of the app's rate limit. */
  readonly appUsagePercent: number | undefined;
}

/** Facebook's limit on requests per batch. */
export const MAX_GRAPH_BATCH_SIZE = 50;

export interface GraphBatchCheckerOptions {
  /** Items per batch request, 1..50. @default 50 */
  readonly batchSize?: number;
  /** Single calls in flight at once during a fallback. @default 5 */
  readonly fallbackConcurrency?: number;
}

export class GraphBatchChecker implements BatchTokenChecker {
  private readonly batchSize: number;
  private readonly fallbackConcurrency: number;

  constructor(
    private readonly transport: Pick<GraphTransport, 'postForm' | 'appUsagePercent'>,
    private readonly single: Pick<DebugTokenChecks, 'debugToken'>,
    options: GraphBatchCheckerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? MAX_GRAPH_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_GRAPH_BATCH_SIZE) {
      throw new RangeError(`batchSize must be 1..${MAX_GRAPH_BATCH_SIZE}, got ${this.batchSize}`);
    }
    this.fallbackConcurrency = Math.max(1, options.fallbackConcurrency ?? 5);
  }

  get appUsagePercent(): number | undefined {
    return this.transport.appUsagePercent;
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
    let answer;
    try {
      answer = await this.transport.postForm(
        '',
        {
          batch: JSON.stringify(tokens.map((token) => ({ method: 'GET', relative_url: `debug_token?${new URLSearchParams({ input_token: token })}` }))),
          include_headers: 'false',
        },
        'app',
      );
    } catch (error) {
      // Timeouts, unreachable, non-JSON: nothing is known about any token.
      if (error instanceof GraphTransientError) return tokens.map(() => error);
      throw error;
    }

    if (answer.status !== 200) {
      const failure = classifyFailure(answer);
      const refused = failure instanceof GraphTransientError ? failure : new GraphMisconfiguredError(failure);
      return tokens.map(() => refused);
    }
    if (!Array.isArray(answer.body) || answer.body.length !== tokens.length) {
      const garbled = new GraphTransientError('batch answer is not an array of one answer per request', DEFAULT_RETRY_AFTER_SECONDS);
      return tokens.map(() => garbled);
    }

    const outcomes = answer.body.map((item: unknown) => settle(() => readItem(item)));
    const refused = outcomes.flatMap((outcome, index) => (isUnplacedRefusal(outcome) ? [index] : []));
    if (refused.length > 0) {
      const retried = await this.singleCalls(refused.map((index) => tokens[index]!));
      refused.forEach((index, i) => (outcomes[index] = retried[i]!));
    }
    return outcomes;
  }

  private async singleCalls(tokens: readonly string[]): Promise<TokenCheckOutcome[]> {
    const outcomes: TokenCheckOutcome[] = new Array(tokens.length);
    let next = 0;
    const lane = async () => {
      while (next < tokens.length) {
        const index = next++;
        outcomes[index] = await settleAsync(() => this.single.debugToken(tokens[index]!));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.fallbackConcurrency, tokens.length) }, lane));
    return outcomes;
  }
}

/** One batch item: `{code, body: "<JSON string>"}`, or `null` for a request Facebook did not run. */
function readItem(item: unknown): DebugTokenAnswer {
  if (item === null || typeof item !== 'object') throw new GraphTransientError('batch item was not run (null answer)', DEFAULT_RETRY_AFTER_SECONDS);
  const { code, body } = item as { code?: unknown; body?: unknown };
  if (typeof code !== 'number' || typeof body !== 'string') throw new GraphTransientError('batch item is malformed', DEFAULT_RETRY_AFTER_SECONDS);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new GraphTransientError('batch item body is not JSON', DEFAULT_RETRY_AFTER_SECONDS);
  }
  return readDebugTokenAnswer({ status: code, body: parsed });
}

function isUnplacedRefusal(outcome: TokenCheckOutcome): boolean {
  return outcome instanceof GraphRequestError && !(outcome instanceof GraphMisconfiguredError);
}

function settle(check: () => DebugTokenAnswer): TokenCheckOutcome {
  try {
    return check();
  } catch (error) {
    if (error instanceof GraphTransientError || error instanceof GraphRequestError) return error;
    throw error;
  }
}

async function settleAsync(check: () => Promise<DebugTokenAnswer>): Promise<TokenCheckOutcome> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof GraphTransientError || error instanceof GraphRequestError) return error;
    throw error;
  }
}
