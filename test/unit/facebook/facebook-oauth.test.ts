import { describe, expect, it } from 'vitest';
import { FacebookOAuthClient } from '#commons/facebook/facebook-oauth';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError, HttpGraphTransport } from '#commons/facebook/graph-transport';
import { facebookFixture } from '#test/support/facebook-fixtures';

const APP = { baseUrl: 'https://graph.test/', version: 'v21.0', appId: '1234567890123456', appSecret: 'app-secret' };

function clientAnswering(status: number, body: unknown) {
  const urls: URL[] = [];
  const fetchImpl = (async (input: string | URL | Request) => {
    urls.push(new URL(String(input)));
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { oauth: new FacebookOAuthClient(new HttpGraphTransport({ ...APP, timeoutMs: 1000, fetch: fetchImpl })), urls };
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

  it('turns the captured "This authorization code has been used." into a GraphRequestError, not a misconfiguration', async () => {
    const fixture = facebookFixture('oauth-code-used');
    const error = await clientAnswering(fixture.status, fixture.body).oauth.exchangeCode({ code: 'c', redirectUri: 'r', codeVerifier: 'v' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).not.toBeInstanceOf(GraphMisconfiguredError);
  });

  it('turns the captured HTTP 400 code 1 "Error validating client secret." into GraphMisconfiguredError, never transient', async () => {
    const fixture = facebookFixture('oauth-wrong-client-secret');
    for (const call of [(o: FacebookOAuthClient) => o.exchangeCode({ code: 'c', redirectUri: 'r', codeVerifier: 'v' }), (o: FacebookOAuthClient) => o.exchangeForLongLived('t')]) {
      const error = await call(clientAnswering(fixture.status, fixture.body).oauth).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphMisconfiguredError);
      expect((error as GraphMisconfiguredError).what).toMatch(/client secret.*code 1/);
    }
  });

  it('treats code 1 with HTTP 500 as transient', async () => {
    await expect(clientAnswering(500, { error: { message: 'An unknown error has occurred.', code: 1 } }).oauth.attenuate('t')).rejects.toBeInstanceOf(GraphTransientError);
  });

  it('treats Facebook trouble and malformed answers as transient', async () => {
    await expect(clientAnswering(503, { error: { message: 'down', code: 2, is_transient: true } }).oauth.attenuate('t')).rejects.toBeInstanceOf(GraphTransientError);
    await expect(clientAnswering(200, { token: 'x' }).oauth.attenuate('t')).rejects.toBeInstanceOf(GraphTransientError);
  });
});
