import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '#commons/platform/api-schemas';
import { routes } from '#functions/routes';
import { buildOpenApiDocument, OPENAPI_PATH, openApiText } from '#local/openapi';
import { startTestStack, type TestStack } from '#test/support/local-stack';
import { documentMatcher, expectValidOpenApi31, isValidOpenApi } from '#test/support/openapi-document';

/**
 * The OpenAPI description is generated from the route table and the handlers' zod schemas. This
 * fails when the committed docs/openapi.json is stale (run `npm run openapi`), when the document is
 * not valid OpenAPI 3.1, and when a real answer of the local stack does not match it.
 */
let stack: TestStack;
const document = buildOpenApiDocument() as any;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Checks a real answer against the document's schema for that route, status and media type. */
const expectMatchesDocument = documentMatcher(document);

describe('the OpenAPI description', () => {
  it('is committed as generated (run `npm run openapi` after changing a route or schema)', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(openApiText());
  });

  it('is valid OpenAPI 3.1', async () => {
    await expectValidOpenApi31(document);
    // The validator can fail: a document without its info object is not OpenAPI.
    const { info: _info, ...broken } = structuredClone(document);
    expect(await isValidOpenApi(broken)).toBe(false);
  });

  it('describes exactly the routes of the route table', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('is served by the local stack at /v1/openapi.json', async () => {
    const served = await stack.request('GET', '/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.json).toEqual(document);
  });

  it("lists the README's error codes with their statuses, and no others", () => {
    const readme = readFileSync('README.md', 'utf8');
    const table = new Map<string, number>();
    for (const row of readme.matchAll(/^\| (\d{3}(?: \/ \d{3})?) \| (`[a-z_]+`(?: \/ `[a-z_]+`)?) \|/gm)) {
      const statuses = row[1]!.split(' / ').map(Number);
      row[2]!.split(' / ').forEach((code, i) => table.set(code.replaceAll('`', ''), statuses[i] ?? statuses[0]!));
    }
    expect(Object.fromEntries(table)).toEqual(ERROR_STATUS);
  });

  it('matches what the local stack really answers', async () => {
    const graph = stack.graphEmulator();
    const user = graph.createTestUser(stack.appId);
    const sessionInfoToken = graph.mintSessionInfoToken(stack.appId, user.id);
    const signIn = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken } });
    expectMatchesDocument('/v1/sessions', 'post', 201, signIn.json);
    const bearer = { authorization: `Bearer ${signIn.json.sessionToken}` };
    expectMatchesDocument('/v1/sessions/current', 'get', 200, (await stack.request('GET', '/v1/sessions/current', { headers: bearer })).json);
    expectMatchesDocument('/v1/health', 'get', 200, (await stack.request('GET', '/v1/health')).json);
    // The person's own sessions (behind the authorizer); the session stays live for what follows.
    expectMatchesDocument('/v1/sessions', 'get', 200, (await stack.request('GET', '/v1/sessions', { headers: bearer })).json);
    expectMatchesDocument('/v1/sessions/{id}', 'delete', 404, (await stack.request('DELETE', '/v1/sessions/ses_not_mine', { headers: bearer })).json);
    expectMatchesDocument('/v1/sessions', 'delete', 200, (await stack.request('DELETE', '/v1/sessions?keepCurrent=true', { headers: bearer })).json);
    expectMatchesDocument('/v1/sessions', 'delete', 400, (await stack.request('DELETE', '/v1/sessions?keepCurrent=maybe', { headers: bearer })).json);
    const bad = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: 'x', extra: 1 } });
    expectMatchesDocument('/v1/sessions', 'post', 400, bad.json);
    await stack.request('POST', '/_local/facebook/deauthorize', { body: { facebookUserId: user.id } });
    const revoked = await stack.request('GET', '/v1/sessions/current', { headers: bearer });
    expect(revoked.json.error.code).toBe('session_revoked');
    expectMatchesDocument('/v1/sessions/current', 'get', 401, revoked.json);
    const deletion = await stack.request('POST', '/_local/facebook/data-deletion', { body: { facebookUserId: user.id } });
    expectMatchesDocument('/v1/facebook/data-deletion', 'post', 200, deletion.json.callback.body);
    const code = deletion.json.callback.body.confirmation_code as string;
    expectMatchesDocument('/v1/facebook/data-deletion/{code}', 'get', 200, (await stack.request('GET', `/v1/facebook/data-deletion/${code}`)).json);
  });
});
