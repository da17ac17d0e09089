import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ERROR_STATUS, type ErrorCode, errorAnswer } from '#commons/platform/api-schemas';
import { type PublicRoute, type RouteDoc, routes } from '#functions/routes';
import type { LocalRoute } from './api-gateway.ts';
import { sendLocalJson } from './local-json.ts';

/**
 * The OpenAPI 3.1 description of the public API, built from the route table (`functions/routes.ts`)
 * and the zod schemas the handlers validate with, so it cannot describe an API we do not serve.
 * `npm run openapi` writes it to `docs/openapi.json`; a test fails when the committed file differs
 * from what this builds; the local stack serves it at `GET /v1/openapi.json`.
 */
export const OPENAPI_PATH = 'docs/openapi.json';

type Json = Record<string, unknown>;

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; description: string };

/** zod → JSON Schema; named schemas (`.meta({id})`) go to `components.schemas` and are referenced. */
class SchemaCollector {
  readonly components: Record<string, Json> = {};

  ref(schema: z.core.$ZodType, io: 'input' | 'output'): Json {
    const converted = JSON.parse(JSON.stringify(z.toJSONSchema(schema, { io, target: 'draft-2020-12' })).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
    const { $schema: _dialect, $defs, ...root } = converted as Json & { $defs?: Record<string, Json> };
    for (const [id, definition] of Object.entries($defs ?? {})) {
      const known = this.components[id];
      if (known && JSON.stringify(known) !== JSON.stringify(definition)) throw new Error(`schema ${id} differs between uses (request and answer?): give each its own id`);
      this.components[id] = definition;
    }
    return root;
  }

  /** An object schema's properties as OpenAPI parameters (query or path). */
  parameters(schema: z.core.$ZodObject, where: 'query' | 'path'): Json[] {
    const root = this.resolve(this.ref(schema, 'input'));
    const required = new Set((root.required as string[] | undefined) ?? []);
    return Object.entries((root.properties as Record<string, Json>) ?? {}).map(([name, property]) => {
      const { description, ...rest } = property;
      return { name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: rest };
    });
  }

  private resolve(schema: Json): Json {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const id = ref.replace('#/components/schemas/', '');
    const found = this.components[id];
    // Parameter objects are not schemas of their own: keep them out of components.
    delete this.components[id];
    if (!found) throw new Error(`no schema ${id}`);
    return found;
  }
}

function errorResponses(doc: RouteDoc, schemas: SchemaCollector): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...doc.errors, 'internal_error' as const]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `\`error.code\`: ${codes.map((c) => `\`${c}\``).join(', ')}`,
      ...(status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: schemas.ref(errorAnswer, 'output') } },
    };
  }
  return responses;
}

function operation(route: PublicRoute, schemas: SchemaCollector): Json {
  const { doc } = route;
  const parameters = [
    ...(doc.request?.path ? schemas.parameters(doc.request.path, 'path') : []),
    ...(doc.request?.query ? schemas.parameters(doc.request.query, 'query') : []),
  ];
  const requestBody = doc.request?.json
    ? { required: true, content: { 'application/json': { schema: schemas.ref(doc.request.json, 'input') } } }
    : doc.request?.form
      ? { required: true, content: { 'application/x-www-form-urlencoded': { schema: schemas.ref(doc.request.form, 'input') } } }
      : undefined;
  const responses: Record<string, Json> = {};
  for (const [status, answer] of Object.entries(doc.answers)) {
    const content: Json = {};
    if (answer.json) content['application/json'] = { schema: schemas.ref(answer.json, 'output') };
    if (answer.html) content['text/html'] = { schema: { type: 'string' } };
    responses[status] = {
      description: answer.description,
      ...(answer.headers ? { headers: Object.fromEntries(Object.entries(answer.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) } : {}),
      ...(Object.keys(content).length > 0 ? { content } : {}),
    };
  }
  Object.assign(responses, errorResponses(doc, schemas));
  return {
    operationId: route.entry.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    ...(doc.sessionCredential ? { security: [{ sessionBearer: [] }, { sessionCookie: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

export function buildOpenApiDocument(routeTable: readonly PublicRoute[] = routes): Json {
  const schemas = new SchemaCollector();
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routeTable) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, schemas);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Session Guard',
      version: packageJson.version,
      description: `${packageJson.description} Generated from functions/routes.ts and the zod schemas the handlers use (npm run openapi); do not edit by hand.`,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'sessions', description: 'Sign in with a session-info token; use and end the session.' },
      { name: 'browser sign-in', description: "The OAuth code flow through Facebook's login dialog, done by the server." },
      { name: 're-authentication', description: 'Ask Facebook for the password again (auth_type=reauthenticate with a single-use auth_nonce), and routes that need a recent authentication.' },
      { name: 'facebook callbacks', description: 'What Facebook calls when a person removes the app or asks for their data to be deleted.' },
      { name: 'operations', description: 'Liveness.' },
    ],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas.components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        sessionBearer: { type: 'http', scheme: 'bearer', description: 'The `sessionToken` from `POST /v1/sessions`.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Host-sg_session', description: 'Set by browser sign-in (`sg_session` on the local http stack). Writes need an allowed `Origin`.' },
      },
    },
  };
}

/** `GET /v1/openapi.json` on the local stack (local only: the deployed API does not serve it; `docs/openapi.json` is the published copy). */
export function openApiRoute(): LocalRoute {
  return { method: 'GET', path: '/v1/openapi.json', handle: (_request, response) => sendLocalJson(response, 200, buildOpenApiDocument()) };
}

export function openApiText(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_PATH, openApiText());
  console.log(`wrote ${OPENAPI_PATH}`);
}
