import * as z from '#commons/platform/zod';
import { isDebugOnlyTokenError, isOwnCredentialsError, isWrongAppError, TOKEN_INVALID_CODES } from './graph-codes.ts';
import {
  classifyFailure,
  DEFAULT_RETRY_AFTER_SECONDS,
  type GraphAnswer,
  GraphMisconfiguredError,
  GraphRequestError,
  GraphTransientError,
  type GraphTransport,
} from './graph-transport.ts';

/**
 * `GET /debug_token` as our app, and what Facebook said, as it said it: a description of the token
 * (HTTP 200, even for dead tokens), or Facebook's refusal to describe a token of another app. What
 * the answer means for a session is decided in token-verdict.ts. Facts: docs/facebook-graph.md.
 */
export interface TokenDescription {
  readonly isValid: boolean;
  readonly appId?: string;
  readonly userId?: string;
  readonly type?: string;
  /** Epoch seconds; 0 means the token never expires. */
  readonly expiresAt?: number;
  readonly issuedAt?: number;
  readonly dataAccessExpiresAt?: number;
  readonly scopes: readonly string[];
  /**
   * `granular_scopes`: a permission with the ids it is limited to (`target_ids`: pages, ad
   * accounts, WhatsApp accounts…), when Facebook lists them (docs/facebook-graph.md, "Long-lived credentials").
   */
  readonly granularScopes?: readonly { readonly scope: string; readonly targetIds?: readonly string[] }[];
  /** `profile_id`: the Page of a Page token. */
  readonly profileId?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** `data.error`: why a token is not valid (its key is `subcode` here, not `error_subcode`). */
  readonly error?: { readonly code?: number; readonly subcode?: number; readonly message?: string; readonly isTransient?: boolean };
}

export type DebugTokenAnswer = { readonly kind: 'described'; readonly token: TokenDescription } | { readonly kind: 'wrong_app' };

const debugDataSchema = z.object({
  data: z.object({
    app_id: z.optional(z.string()),
    type: z.optional(z.string()),
    is_valid: z.boolean(),
    expires_at: z.optional(z.number()),
    issued_at: z.optional(z.number()),
    data_access_expires_at: z.optional(z.number()),
    scopes: z.optional(z.array(z.string())),
    granular_scopes: z.optional(z.array(z.object({ scope: z.string(), target_ids: z.optional(z.array(z.string())) }))),
    profile_id: z.optional(z.string()),
    user_id: z.optional(z.string()),
    metadata: z.optional(z.record(z.string(), z.unknown())),
    error: z.optional(
      z.object({ code: z.optional(z.number()), subcode: z.optional(z.number()), message: z.optional(z.string()), is_transient: z.optional(z.boolean()) }),
    ),
  }),
});

/**
 * One `debug_token` answer made with our app token (a direct call, or one item of a batch). A
 * failure other than "another app's token" is about our call, not the input token: our
 * credentials (GraphMisconfiguredError), Facebook's trouble (GraphTransientError), or a refusal we
 * cannot place (GraphRequestError, worth one retry as a single call).
 */
export function readDebugTokenAnswer(answer: GraphAnswer): DebugTokenAnswer {
  if (answer.status === 200) {
    const parsed = debugDataSchema.safeParse(answer.body);
    if (!parsed.success) throw new GraphTransientError('malformed debug_token answer', DEFAULT_RETRY_AFTER_SECONDS);
    const data = parsed.data.data;
    const error = data.error;
    return {
      kind: 'described',
      token: {
        isValid: data.is_valid,
        ...(data.app_id !== undefined ? { appId: data.app_id } : {}),
        ...(data.user_id !== undefined ? { userId: data.user_id } : {}),
        ...(data.type !== undefined ? { type: data.type } : {}),
        ...(data.expires_at !== undefined ? { expiresAt: data.expires_at } : {}),
        ...(data.issued_at !== undefined ? { issuedAt: data.issued_at } : {}),
        ...(data.data_access_expires_at !== undefined ? { dataAccessExpiresAt: data.data_access_expires_at } : {}),
        scopes: data.scopes ?? [],
        ...(data.granular_scopes !== undefined
          ? { granularScopes: data.granular_scopes.map((g) => ({ scope: g.scope, ...(g.target_ids !== undefined ? { targetIds: g.target_ids } : {}) })) }
          : {}),
        ...(data.profile_id !== undefined ? { profileId: data.profile_id } : {}),
        metadata: data.metadata ?? {},
        ...(error
          ? {
              error: {
                ...(error.code !== undefined ? { code: error.code } : {}),
                ...(error.subcode !== undefined ? { subcode: error.subcode } : {}),
                ...(error.message !== undefined ? { message: error.message } : {}),
                ...(error.is_transient !== undefined ? { isTransient: error.is_transient } : {}),
              },
            }
          : {}),
      },
    };
  }
  const failure = classifyFailure(answer);
  if (failure instanceof GraphTransientError) throw failure;
  if (isWrongAppError(failure)) return { kind: 'wrong_app' };
  // The access token of this call is our app token: Facebook refusing it is our configuration.
  if (isOwnCredentialsError(failure) || (failure.code !== undefined && TOKEN_INVALID_CODES.has(failure.code))) {
    throw new GraphMisconfiguredError(failure);
  }
  throw new GraphRequestError(failure);
}

/** What a candidate token can do when used as an access token: only a user access token can. */
export type AccessProbe = 'user_token' | 'debug_only';

export interface DebugTokenChecks {
  debugToken(inputToken: string): Promise<DebugTokenAnswer>;
  /**
   * Uses `token` as the access token of `GET /me` (with its appsecret_proof). A user access token
   * succeeds; a session-info token is refused as "Debug only access token". Anything else throws:
   * transient, our credentials (a bad proof: GraphMisconfiguredError), or a refusal of the token.
   */
  probeAsAccessToken(token: string): Promise<AccessProbe>;
}

export class DebugTokenClient implements DebugTokenChecks {
  constructor(private readonly transport: Pick<GraphTransport, 'get'>) {}

  async debugToken(inputToken: string): Promise<DebugTokenAnswer> {
    return readDebugTokenAnswer(await this.transport.get('debug_token', { input_token: inputToken }, 'app'));
  }

  async probeAsAccessToken(token: string): Promise<AccessProbe> {
    const answer = await this.transport.get('me', { fields: 'id' }, { accessToken: token });
    if (answer.status === 200) return 'user_token';
    const failure = classifyFailure(answer);
    if (failure instanceof GraphTransientError) throw failure;
    if (isDebugOnlyTokenError(failure)) return 'debug_only';
    if (isOwnCredentialsError(failure)) throw new GraphMisconfiguredError(failure);
    throw new GraphRequestError(failure);
  }
}
