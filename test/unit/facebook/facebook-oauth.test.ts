import { describe, expect, it } from 'vitest';
import { FacebookOAuthClient } from '#commons/facebook/facebook-oauth';
import { GraphClient, GraphRequestError, GraphTransientError } from '#commons/facebook/graph-client';

const APP = { baseUrl: 'https://graph.test/', version: 'v21.0', appId: '1234567890123456', appSecret: 'app-secret' };

function clientAnswering(status: number, body: unknown) {
  const urls: URL[] = [];
  const fetchImpl = (async (input: string | URL | Request) => {
    urls.push(new URL(String(input)));
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const graph = new GraphClient({ ...APP, timeoutMs: 1000, fetch: fetchImpl });
  return { oauth: new FacebookOAuthClient(graph, APP), urls };
}

const params = (url: URL) => Object.fromEntries(url.searchParams);

describe('FacebookOAuthClient', () => {
  it('exchanges a code with the secret, the verifier and the identical redirect_uri', async () => {
    const { oauth, urls } = clientAnswering(200, { access_token: 'EAAuser', token_type: 'bearer', expires_in: 7200 });
    await expect(oauth.exchangeCode({ code: 'AQ-code', redirectUri: 'https://api.test/v1/auth/facebook/callback', codeVerifier: 'v'.repeat(43) })).resolves.toEqual({
      accessToken: 'EAAuser',
      expiresInSeconds: 7200,
    });
    expect(urls[0]!.origin + urls[0]!.pathname).toBe('https://graph.test/v21.0/oauth/access_token');
    expect(params(urls[0]!)).toEqual({
      client_id: APP.appId,
      redirect_uri: 'https://api.test/v1/auth/facebook/callback',
      client_secret: 'app-secret',
      code: 'AQ-code',
      code_verifier: 'v'.repeat(43),
    });
  });

  it('makes a token long-lived with fb_exchange_token and the secret', async () => {
    const { oauth, urls } = clientAnswering(200, { access_token: 'EAAlong', token_type: 'bearer', expires_in: 5184000 });
    await expect(oauth.exchangeForLongLived('EAAshort')).resolves.toEqual({ accessToken: 'EAAlong', expiresInSeconds: 5184000 });
    expect(params(urls[0]!)).toEqual({ grant_type: 'fb_exchange_token', client_id: APP.appId, client_secret: 'app-secret', fb_exchange_token: 'EAAshort' });
  });

  it('attenuates with fb_attenuate_token and no secret', async () => {
    const { oauth, urls } = clientAnswering(200, { access_token: 'EAAsit', token_type: 'bearer' });
    await expect(oauth.attenuate('EAAlong')).resolves.toEqual({ accessToken: 'EAAsit' });
    expect(params(urls[0]!)).toEqual({ grant_type: 'fb_attenuate_token', client_id: APP.appId, fb_exchange_token: 'EAAlong' });
  });

  it('turns a refusal into a GraphRequestError with Facebook’s code and message', async () => {
    const { oauth } = clientAnswering(400, { error: { message: 'This authorization code has been used.', type: 'OAuthException', code: 100, error_subcode: 36009 } });
    const error = await oauth.exchangeCode({ code: 'c', redirectUri: 'r', codeVerifier: 'v' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ code: 100, subcode: 36009, message: 'This authorization code has been used.' });
  });

  it('treats Facebook trouble and malformed answers as transient', async () => {
    await expect(clientAnswering(503, { error: { message: 'down', code: 2, is_transient: true } }).oauth.attenuate('t')).rejects.toBeInstanceOf(GraphTransientError);
    await expect(clientAnswering(200, { token: 'x' }).oauth.attenuate('t')).rejects.toBeInstanceOf(GraphTransientError);
  });
});
