import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessTokenInfoClient } from '#commons/facebook/access-token-info';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError, HttpGraphTransport } from '#commons/facebook/graph-transport';

const APP = { baseUrl: 'https://graph.example.test', version: 'v21.0', appId: '1234567890', appSecret: 'shh' };
const TOKEN = 'EAAloginToken';

function clientAnswering(status: number, body: unknown) {
  const urls: string[] = [];
  const fetch = (async (url: string) => {
    urls.push(url);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { client: new AccessTokenInfoClient(new HttpGraphTransport({ ...APP, timeoutMs: 1000, fetch })), urls };
}

describe('AccessTokenInfoClient', () => {
  it('asks /oauth/access_token_info with client_id, the token and its appsecret_proof, and reads auth_nonce and auth_type', async () => {
    const { client, urls } = clientAnswering(200, { access_token: TOKEN, token_type: 'bearer', expires_in: 7000, auth_type: 'reauthenticate', auth_nonce: 'abc' });
    await expect(client.accessTokenInfo(TOKEN)).resolves.toEqual({ authNonce: 'abc', authType: 'reauthenticate' });
    const url = new URL(urls[0]!);
    expect(url.origin + url.pathname).toBe('https://graph.example.test/v21.0/oauth/access_token_info');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: APP.appId,
      access_token: TOKEN,
      appsecret_proof: createHmac('sha256', APP.appSecret).update(TOKEN).digest('hex'),
    });
  });

  it('answers nothing when the token carries no login fields', async () => {
    await expect(clientAnswering(200, { access_token: TOKEN, token_type: 'bearer' }).client.accessTokenInfo(TOKEN)).resolves.toEqual({});
  });

  it("throws the Graph client's errors: a refusal as GraphRequestError, trouble and garbage as GraphTransientError", async () => {
    const refused = clientAnswering(400, { error: { code: 190, message: 'Invalid OAuth access token.' } }).client.accessTokenInfo(TOKEN);
    await expect(refused).rejects.toBeInstanceOf(GraphRequestError);
    await expect(refused).rejects.not.toBeInstanceOf(GraphMisconfiguredError);
    await expect(clientAnswering(500, { error: { code: 2, message: 'down' } }).client.accessTokenInfo(TOKEN)).rejects.toBeInstanceOf(GraphTransientError);
    await expect(clientAnswering(200, { auth_nonce: 42 }).client.accessTokenInfo(TOKEN)).rejects.toBeInstanceOf(GraphTransientError);
  });
});
