import * as z from 'zod';
import { GraphTransientError, type GraphClient } from './graph-client.ts';

/**
 * Facebook's token exchanges, all on `GET /oauth/access_token` (graph-api.md calls 1-3): the
 * login dialog's code for a user token, a user token for a long-lived one, and a long-lived token
 * for a session-info token. Failures come out as the Graph client's errors (GraphTransientError,
 * GraphRequestError); the domain decides what they mean. Tokens pass through and are never kept
 * or logged here.
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

export interface FacebookOAuthOptions {
  /** Graph origin, `https://graph.facebook.com` in production. */
  readonly baseUrl: string;
  readonly version: string;
  readonly appId: string;
  readonly appSecret: string;
}

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().nonnegative().optional(),
});

export class FacebookOAuthClient implements FacebookTokenExchanges {
  private readonly endpoint: string;

  constructor(
    private readonly graph: Pick<GraphClient, 'request' | 'failureOf'>,
    private readonly options: FacebookOAuthOptions,
  ) {
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/${options.version}/oauth/access_token`;
  }

  /** Call 1. `redirect_uri` must be the dialog's byte for byte; the verifier answers the PKCE challenge. */
  exchangeCode(input: { code: string; redirectUri: string; codeVerifier: string }): Promise<ExchangedToken> {
    return this.call({
      client_id: this.options.appId,
      redirect_uri: input.redirectUri,
      client_secret: this.options.appSecret,
      code: input.code,
      code_verifier: input.codeVerifier,
    });
  }

  /** Call 2: needs the app secret, so only the server can make it. */
  exchangeForLongLived(userToken: string): Promise<ExchangedToken> {
    return this.call({
      grant_type: 'fb_exchange_token',
      client_id: this.options.appId,
      client_secret: this.options.appSecret,
      fb_exchange_token: userToken,
    });
  }

  /** Call 3: a long-lived user token becomes a session-info token (no secret needed). */
  attenuate(longLivedToken: string): Promise<ExchangedToken> {
    return this.call({ grant_type: 'fb_attenuate_token', client_id: this.options.appId, fb_exchange_token: longLivedToken });
  }

  private async call(query: Record<string, string>): Promise<ExchangedToken> {
    const { status, body } = await this.graph.request(`${this.endpoint}?${new URLSearchParams(query)}`, { method: 'GET' });
    if (status !== 200) throw this.graph.failureOf(status, body);
    const parsed = tokenAnswer.safeParse(body);
    if (!parsed.success) throw new GraphTransientError('malformed oauth/access_token answer', 30);
    return {
      accessToken: parsed.data.access_token,
      ...(parsed.data.expires_in !== undefined ? { expiresInSeconds: parsed.data.expires_in } : {}),
    };
  }
}
