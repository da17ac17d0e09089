import * as z from '#commons/platform/zod';
import { isOwnCredentialsError } from './graph-codes.ts';
import {
  classifyFailure,
  DEFAULT_RETRY_AFTER_SECONDS,
  GraphMisconfiguredError,
  GraphRequestError,
  GraphTransientError,
  type GraphAuth,
  type GraphTransport,
} from './graph-transport.ts';

/**
 * Facebook's token exchanges, all on `GET /oauth/access_token` (docs/facebook-graph.md, "Calls"):
 * the login dialog's code for a user token, a user token for a long-lived one, and a long-lived
 * token for a session-info token. Failures come out as the transport's errors: GraphTransientError,
 * GraphMisconfiguredError (our secret or app id refused: never the person's fault) or
 * GraphRequestError (the code or token refused); the domain decides what they mean. Tokens pass
 * through and are never kept or logged here.
 */
export interface ExchangedToken {
  readonly accessToken: string;
  /** Seconds, when Facebook says; absent means it did not say. */
  readonly expiresInSeconds?: number;
}

export interface FacebookTokenExchanges {
  exchangeCode(input: { code: string; redirectUri: string; codeVerifier: string }): Promise<ExchangedToken>;
  exchangeForLongLived(userToken: string): Promise<ExchangedToken>;
  attenuate(longLivedToken: string): Promise<ExchangedToken>;
}

const tokenAnswer = z.object({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.optional(z.string()),
  expires_in: z.optional(z.number().check(z.nonnegative())),
});

export class FacebookOAuthClient implements FacebookTokenExchanges {
  constructor(private readonly transport: Pick<GraphTransport, 'get' | 'appId'>) {}

  /** Call 1. `redirect_uri` must be the dialog's byte for byte; the verifier answers the PKCE challenge. */
  exchangeCode(input: { code: string; redirectUri: string; codeVerifier: string }): Promise<ExchangedToken> {
    return this.call({ redirect_uri: input.redirectUri, code: input.code, code_verifier: input.codeVerifier }, 'client_secret');
  }

  /** Call 2: needs the app secret, so only the server can make it. */
  exchangeForLongLived(userToken: string): Promise<ExchangedToken> {
    return this.call({ grant_type: 'fb_exchange_token', fb_exchange_token: userToken }, 'client_secret');
  }

  /** Call 3: a long-lived user token becomes a session-info token (no secret needed). */
  attenuate(longLivedToken: string): Promise<ExchangedToken> {
    return this.call({ grant_type: 'fb_attenuate_token', client_id: this.transport.appId, fb_exchange_token: longLivedToken });
  }

  private async call(query: Record<string, string>, auth?: GraphAuth): Promise<ExchangedToken> {
    const answer = await this.transport.get('oauth/access_token', query, auth);
    if (answer.status !== 200) {
      const failure = classifyFailure(answer);
      if (failure instanceof GraphTransientError) throw failure;
      throw isOwnCredentialsError(failure) ? new GraphMisconfiguredError(failure) : new GraphRequestError(failure);
    }
    const parsed = tokenAnswer.safeParse(answer.body);
    if (!parsed.success) throw new GraphTransientError('malformed oauth/access_token answer', DEFAULT_RETRY_AFTER_SECONDS);
    return {
      accessToken: parsed.data.access_token,
      ...(parsed.data.expires_in !== undefined ? { expiresInSeconds: parsed.data.expires_in } : {}),
    };
  }
}
