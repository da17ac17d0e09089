import { readFileSync } from 'node:fs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '#cli/admin-client';
import { ERROR_STATUS } from '#commons/platform/api-schemas';
import { adminRoutes } from '#functions/admin-routes';
import { adminApi, buildOpenApiDocument, openApiText } from '#local/openapi';
import { httpEvent } from '#test/support/http-events';
import { startTestStack, type TestStack } from '#test/support/local-stack';
import { documentMatcher, expectValidOpenApi31, isValidOpenApi } from '#test/support/openapi-document';

/**
 * The admin API's OpenAPI description (docs/admin-openapi.json), generated like the public one
 * from its route table and the handlers' zod schemas. This fails when the committed file is stale
 * (run `npm run openapi`), when it is not valid OpenAPI 3.1, when a route lacks its SigV4
 * requirement, and when a real answer of the admin handlers does not match it, or a documented
 * answer was never seen from them.
 */
let stack: TestStack;
let admin: AdminClient;
let secrets: SecretsManagerClient;
const document = buildOpenApiDocument(adminApi) as any;
const matchesDocument = documentMatcher(document);

beforeAll(async () => {
  stack = await startTestStack();
  admin = new AdminClient({ baseUrl: stack.adminUrl, region: 'us-east-1', credentials: stack.operatorKey });
  secrets = new SecretsManagerClient({});
}, 60_000);
afterAll(async () => {
  secrets?.destroy();
  await stack?.close();
});

const routeKeys = adminRoutes.map((route) => `${route.method} ${route.path}`);

describe("the admin API's OpenAPI description", () => {
  it('is committed as generated (run `npm run openapi` after changing an admin route or schema)', () => {
    expect(readFileSync(adminApi.file, 'utf8')).toBe(openApiText(adminApi));
  });

  it('is valid OpenAPI 3.1', async () => {
    await expectValidOpenApi31(document);
    // The validator can fail: a security scheme of a type OpenAPI does not know is refused.
    const broken = structuredClone(document);
    broken.components.securitySchemes.sigv4.type = 'awsSigv4';
    expect(await isValidOpenApi(broken)).toBe(false);
  });

  it('describes exactly the admin routes, each needing a SigV4 signature in the form API Gateway exports', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item as object).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })));
    expect(operations.map((o) => o.key).sort()).toEqual([...routeKeys].sort());
    for (const { key, operation } of operations) expect(operation.security, key).toEqual([{ sigv4: [] }]);
    expect(document.components.securitySchemes).toEqual({
      sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', 'x-amazon-apigateway-authtype': 'awsSigv4', description: expect.stringContaining('OpenAPI has no SigV4 type') },
    });
    const declaredTags = document.tags.map((tag: { name: string }) => tag.name);
    for (const { key, operation } of operations) expect(declaredTags, key).toEqual(expect.arrayContaining(operation.tags));
    expect(document.servers[0].description).toContain('AdminApiUrl');
  });

  it('matches what the admin handlers really answer, and every answer it documents was seen from them', async () => {
    const seen = new Set<string>();
    /** Checks one real answer against the document, and its error code against the route's `doc.errors`. */
    const expectDocumented = (method: string, path: string, status: number, body: unknown) => {
      matchesDocument(path, method.toLowerCase(), status, body);
      const code = (body as { error?: { code?: keyof typeof ERROR_STATUS } } | undefined)?.error?.code;
      if (code !== undefined) {
        expect(adminRoutes.find((route) => route.method === method && route.path === path)?.doc.errors, `${method} ${path}`).toContain(code);
        expect(ERROR_STATUS[code]).toBe(status);
      }
      seen.add(`${method} ${path} ${status}`);
    };
    /** A signed request to `route` (its path template) at `url`, checked against the document. */
    const call = async (route: string, url: string, body?: unknown) => {
      const [method, path] = route.split(' ') as ['GET' | 'POST' | 'DELETE', string];
      const answer = await admin.request(method, url, body);
      if (answer.status !== 204) expectDocumented(method, path, answer.status, answer.body);
      else {
        expect(answer.body).toBeUndefined();
        seen.add(`${method} ${path} 204`);
      }
      return answer;
    };

    // People and sessions.
    const graph = stack.graphEmulator();
    const person = graph.createTestUser(stack.appId);
    const signIns = [];
    for (let i = 0; i < 2; i++) signIns.push(await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: graph.mintSessionInfoToken(stack.appId, person.id) } }));
    const userId = signIns[0]!.json.user.id as string;
    const sessionId = (signIns[0]!.json.sessionToken as string).split('.')[1]!;
    expect((await call('DELETE /admin/v1/sessions/{id}', `/admin/v1/sessions/${sessionId}`)).status).toBe(204);
    expect((await call('DELETE /admin/v1/sessions/{id}', `/admin/v1/sessions/${sessionId}`)).status).toBe(404);
    expect((await call('DELETE /admin/v1/sessions/{id}', '/admin/v1/sessions/not%20an%20id')).status).toBe(400);
    // One live session and one revocation record: both shapes of a session are checked.
    const listed = await call('GET /admin/v1/users/{userId}/sessions', `/admin/v1/users/${userId}/sessions`);
    expect((listed.body as { sessions: { status: string }[] }).sessions.map((s) => s.status)).toEqual(['active', 'revoked']);
    expect((await call('GET /admin/v1/users/{userId}/sessions', '/admin/v1/users/usr_nobody/sessions')).status).toBe(404);
    expect((await call('GET /admin/v1/users/{userId}/sessions', '/admin/v1/users/no%20spaces/sessions')).status).toBe(400);
    expect((await call('GET /admin/v1/facebook-users/{facebookUserId}/sessions', `/admin/v1/facebook-users/${person.id}/sessions`)).status).toBe(200);
    expect((await call('GET /admin/v1/facebook-users/{facebookUserId}/sessions', '/admin/v1/facebook-users/999000999/sessions')).status).toBe(404);
    expect((await call('GET /admin/v1/facebook-users/{facebookUserId}/sessions', '/admin/v1/facebook-users/a.b/sessions')).status).toBe(400);
    expect((await call('POST /admin/v1/users/{userId}/offboard', `/admin/v1/users/${userId}/offboard`)).status).toBe(200);
    expect((await call('POST /admin/v1/users/{userId}/offboard', '/admin/v1/users/usr_nobody/offboard')).status).toBe(404);
    expect((await call('POST /admin/v1/users/{userId}/offboard', '/admin/v1/users/no%20spaces/offboard')).status).toBe(400);

    // The credential inventory: a system-user token (Graph cannot revoke it) and a user token (it can).
    const secretHolding = async (name: string, value: string) =>
      (await secrets.send(new CreateSecretCommand({ Name: `session-guard/inventory/${name}`, SecretString: value, Tags: [{ Key: 'session-guard:inventory', Value: 'true' }] }))).ARN!;
    const system = graph.mintSystemUserToken(stack.appId, { scopes: ['ads_read'], assets: {} });
    const userToken = graph.mintUserToken(stack.appId, graph.createTestUser(stack.appId).id, { lifetime: 'long', scopes: ['public_profile'] });
    const entry = (label: string, kind: string, secretArn: string) => ({ label, kind, purpose: `test ${label}`, owner: 'ops@example.com', secretArn, expectedScopes: ['ads_read'] });
    const systemEntry = entry('doc-system', 'system_user', await secretHolding('doc-system', JSON.stringify({ accessToken: system.token })));
    const credentials = 'POST /admin/v1/inventory/credentials';
    expect((await call(credentials, '/admin/v1/inventory/credentials', systemEntry)).status).toBe(200);
    expect((await call(credentials, '/admin/v1/inventory/credentials', entry('doc-user', 'user', await secretHolding('doc-user', userToken)))).status).toBe(200);
    expect((await call(credentials, '/admin/v1/inventory/credentials', systemEntry)).status).toBe(409);
    expect((await call(credentials, '/admin/v1/inventory/credentials', { ...systemEntry, label: 'Not A Label', token: 'x' })).status).toBe(400);
    expect((await call(credentials, '/admin/v1/inventory/credentials', { ...systemEntry, purpose: 'x'.repeat(17 * 1024) })).status).toBe(413);
    expect((await call('POST /admin/v1/inventory/checks', '/admin/v1/inventory/checks')).status).toBe(200);
    // After a check the entries carry `lastCheck` and their flags.
    expect((await call('GET /admin/v1/inventory/credentials', '/admin/v1/inventory/credentials')).status).toBe(200);
    const shown = await call('GET /admin/v1/inventory/credentials/{label}', '/admin/v1/inventory/credentials/doc-system');
    expect(shown.body).toMatchObject({ lastCheck: { isValid: true } });
    expect((await call('GET /admin/v1/inventory/credentials/{label}', '/admin/v1/inventory/credentials/no-such-entry')).status).toBe(404);
    expect((await call('GET /admin/v1/inventory/credentials/{label}', '/admin/v1/inventory/credentials/Not%20A%20Label')).status).toBe(400);
    const revoke = 'POST /admin/v1/inventory/credentials/{label}/revoke';
    expect((await call(revoke, '/admin/v1/inventory/credentials/doc-system/revoke')).status).toBe(409);
    expect((await call(revoke, '/admin/v1/inventory/credentials/doc-user/revoke')).body).toMatchObject({ outcome: 'revoked' });
    expect((await call(revoke, '/admin/v1/inventory/credentials/doc-user/revoke')).body).toMatchObject({ error: { code: 'already_closed' } });
    expect((await call(revoke, '/admin/v1/inventory/credentials/no-such-entry/revoke')).status).toBe(404);
    expect((await call(revoke, '/admin/v1/inventory/credentials/Not%20A%20Label/revoke')).status).toBe(400);
    const offboardOwner = 'POST /admin/v1/inventory/owners/{owner}/offboard';
    expect((await call(offboardOwner, '/admin/v1/inventory/owners/ops@example.com/offboard')).body).toMatchObject({ marked: ['doc-system'] });
    expect((await call(offboardOwner, '/admin/v1/inventory/owners/not%20an%20owner/offboard')).status).toBe(400);

    // 403 from API Gateway (an unsigned request), and from a handler reached without an IAM identity.
    for (const route of adminRoutes) {
      const url = `${stack.adminUrl}${route.path.replace(/\{\w+\}/g, 'x')}`;
      const unsigned = await fetch(url, { method: route.method });
      expectDocumented(route.method, route.path, unsigned.status, await unsigned.json());
      const { handler } = (await import(`../../functions/${route.entry}.ts`)) as { handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> };
      const direct = await handler({ ...httpEvent(route.method, route.path), pathParameters: {} });
      expect(direct.statusCode, route.entry).toBe(403);
      expectDocumented(route.method, route.path, 403, JSON.parse(direct.body!));
    }

    // Every answer the document promises was seen, but the 500 no test can ask for.
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { responses: object }>).flatMap(([method, operation]) => Object.keys(operation.responses).map((status) => `${method.toUpperCase()} ${path} ${status}`)),
    );
    expect(documented.filter((answer) => !answer.endsWith(' 500')).sort()).toEqual([...seen].sort());
  }, 60_000);
});
