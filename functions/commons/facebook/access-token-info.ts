import * as z from '#commons/platform/zod';
import type { LoginMetadata } from '#commons/reauth/ports';
import { isOwnCredentialsError } from './graph-codes.ts';
import { classifyFailure, DEFAULT_RETRY_AFTER_SECONDS, GraphMisconfiguredError, GraphRequestError, GraphTransientError, type GraphTransport } from './graph-transport.ts';

/**
 * `GET /oauth/access_token_info?client_id&access_token` (with the token's `appsecret_proof`):
 * Facebook's older answer to "which auth_nonce and auth_type did this login carry", used when
 * `debug_token` shows no `metadata` (docs/reauth.md has the evidence behind both). Only the two
 * login fields are read; the token passes through and is never kept or logged here.
 */
const answerSchema = z.object({
  auth_nonce: z.optional(z.string()),
  auth_type: z.optional(z.string()),
});

export class AccessTokenInfoClient {
  constructor(private readonly transport: Pick<GraphTransport, 'get' | 'appId'>) {}

  /** Throws the transport's errors: GraphTransientError, GraphMisconfiguredError, or GraphRequestError (the token refused). */
  async accessTokenInfo(userToken: string): Promise<LoginMetadata> {
    const answer = await this.transport.get('oauth/access_token_info', { client_id: this.transport.appId }, { accessToken: userToken });
    if (answer.status !== 200) {
      const failure = classifyFailure(answer);
      if (failure instanceof GraphTransientError) throw failure;
      if (isOwnCredentialsError(failure)) throw new GraphMisconfiguredError(failure);
      throw new GraphRequestError(failure);
    }
    const parsed = answerSchema.safeParse(answer.body);
    if (!parsed.success) throw new GraphTransientError('malformed oauth/access_token_info answer', DEFAULT_RETRY_AFTER_SECONDS);
    return {
      ...(parsed.data.auth_nonce !== undefined ? { authNonce: parsed.data.auth_nonce } : {}),
      ...(parsed.data.auth_type !== undefined ? { authType: parsed.data.auth_type } : {}),
    };
  }
}
