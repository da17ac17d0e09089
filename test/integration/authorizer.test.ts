import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AuthorizerHandler, type RunningApi, startApiGateway } from '#local/api-gateway';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * The authorizer as API Gateway runs it in front of a protected route: the real handler against
 * DynamoDB Local, behind the same API Gateway emulation as the local stack.
 */
let stack: TestStack;
let protectedApi: RunningApi;
let authorizer: AuthorizerHandler;
const seenByRoute: APIGatewayProxyEventV2[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  authorizer = ((await import('#functions/authorizer')) as { handler: AuthorizerHandler }).handler;
  protectedApi = await startApiGateway({
    authorizer,
    routes: [
      {
        method: 'GET',
        path: '/orders',
        entry: 'orders',
        auth: 'session',
        handler: async (event) => {
          seenByRoute.push(event);
          return { statusCode: 200, body: JSON.stringify({ ok: true }) };
        },
      },
    ],
  });
});
afterAll(async () => {
  await protectedApi?.close();
  await stack?.close();
});

async function liveSession() {
  const user = stack.graphEmulator().createTestUser(stack.appId);
  const token = stack.graphEmulator().mintSessionInfoToken(stack.appId, user.id);
  const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: token } });
  expect(response.status).toBe(201);
  return { sessionToken: response.json.sessionToken as string, userId: response.json.user.id as string, facebookUserId: user.id };
}

const callProtected = (headers: Record<string, string>) => fetch(`${protectedApi.url}/orders`, { headers });

describe('Lambda authorizer', () => {
  it('admits a live session and passes userId, sessionId and authTime to the route', async () => {
    const signedInFrom = Math.floor(Date.now() / 1000);
    const { sessionToken, userId, facebookUserId } = await liveSession();
    const response = await callProtected({ authorization: `Bearer ${sessionToken}` });
    expect(response.status).toBe(200);
    const context = (seenByRoute.at(-1)!.requestContext as unknown as { authorizer: { lambda: Record<string, unknown> } }).authorizer.lambda;
    expect(context).toEqual({
      userId,
      sessionId: sessionToken.split('.')[1],
      facebookUserId,
      authTime: expect.any(Number),
    });
    expect(context.authTime as number).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    // The session-info token was minted just now: its issue time is the sign-in's auth time.
    expect(context.authTime as number).toBeGreaterThanOrEqual(signedInFrom - 5);
  });

  it.each([
    ['no credential', {}],
    ['a garbage bearer token', { authorization: 'Bearer garbage' }],
    ['an unknown session', { authorization: 'Bearer sg1.ses_AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
  ])('refuses %s', async (_label, headers) => {
    const before = seenByRoute.length;
    const response = await callProtected(headers);
    expect(response.status).toBe(403);
    expect(seenByRoute.length).toBe(before);
  });

  it('refuses a session the moment it is revoked (no caching)', async () => {
    const { sessionToken } = await liveSession();
    expect((await callProtected({ authorization: `Bearer ${sessionToken}` })).status).toBe(200);
    await stack.updateItem(`SESSION#${sessionToken.split('.')[1]}`, 'SESSION', { status: 'revoked', revokedReason: 'logged_out', revokedAt: Date.now() });
    expect((await callProtected({ authorization: `Bearer ${sessionToken}` })).status).toBe(403);
  });

  it('refuses a session that signed out', async () => {
    const { sessionToken } = await liveSession();
    await stack.request('DELETE', '/v1/sessions/current', { headers: { authorization: `Bearer ${sessionToken}` } });
    expect((await callProtected({ authorization: `Bearer ${sessionToken}` })).status).toBe(403);
  });

  it('returns the simple-response shape API Gateway expects', async () => {
    const { sessionToken } = await liveSession();
    const result = await authorizer({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:aws:execute-api:us-east-1:000000000000:api/$default/GET/orders',
      identitySource: [],
      routeKey: 'GET /orders',
      rawPath: '/orders',
      rawQueryString: '',
      headers: { authorization: `Bearer ${sessionToken}` },
      requestContext: { requestId: 'r1' },
    } as never);
    expect(result.isAuthorized).toBe(true);
    expect(Object.keys(result.context ?? {}).sort()).toEqual(['authTime', 'facebookUserId', 'sessionId', 'userId']);
  });
});
