import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ERROR_STATUS, type ErrorCode, errorAnswer } from '#commons/platform/api-schemas';
import { adminRoutes } from '#functions/admin-routes';
import { type RouteDefinition, type RouteDoc, routes } from '#functions/routes';
import type { LocalRoute } from './api-gateway.ts';
import { sendLocalJson } from './local-json.ts';

/**
 * The OpenAPI 3.1 descriptions of the public API and of the admin API, each built from its route
 * table (`functions/routes.ts`, `functions/admin-routes.ts`) and the zod schemas the handlers
 * validate with, so neither can describe an API we do not serve. `npm run openapi` writes them to
 * `docs/openapi.json` and `docs/admin-openapi.json`; a test fails when a committed file differs from
 * what this builds; the local stack serves the public one at `GET /v1/openapi.json`.
 */
export const OPENAPI_PATH = 'docs/openapi.json';
export const ADMIN_OPENAPI_PATH = 'docs/admin-openapi.json';

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

/** A route with its OpenAPI description, of either API. */
export interface DocumentedRoute extends RouteDefinition {
  readonly doc: RouteDoc<string>;
}

/** An answer API Gateway itself gives, before any function runs. */
interface GatewayAnswer {
  readonly description: string;
  readonly json: z.core.$ZodType;
}

/** One API's document: what differs between the public API and the admin API. */
export interface ApiDescription {
  /** Where `npm run openapi` writes it. */
  readonly file: string;
  readonly title: string;
  /** What the API is for; the document adds where it is generated from. */
  readonly about: string;
  /** The route table it is built from. */
  readonly source: string;
  readonly routes: readonly DocumentedRoute[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly servers?: readonly Json[];
  readonly securitySchemes: Readonly<Record<string, Json>>;
  /** The security requirement of a route's operation; none when undefined. */
  security(route: DocumentedRoute): Json[] | undefined;
  /** Answers API Gateway gives on every route of this API, by status (beside the handler's own). */
  readonly gatewayAnswers?: Readonly<Record<number, GatewayAnswer>>;
}

function errorResponses(api: ApiDescription, doc: RouteDoc<string>, schemas: SchemaCollector): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...doc.errors, 'internal_error' as const]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const gateway = api.gatewayAnswers?.[status];
    const error = schemas.ref(errorAnswer, 'output');
    const description = `\`error.code\`: ${codes.map((c) => `\`${c}\``).join(', ')}`;
    responses[String(status)] = {
      description: gateway ? `${gateway.description} Or, from the function, ${description}.` : description,
      ...(status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: gateway ? { anyOf: [schemas.ref(gateway.json, 'output'), error] } : error } },
    };
  }
  for (const [status, gateway] of Object.entries(api.gatewayAnswers ?? {})) {
    responses[status] ??= { description: gateway.description, content: { 'application/json': { schema: schemas.ref(gateway.json, 'output') } } };
  }
  return responses;
}

function operation(api: ApiDescription, route: DocumentedRoute, schemas: SchemaCollector): Json {
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
  Object.assign(responses, errorResponses(api, doc, schemas));
  const security = api.security(route);
  return {
    operationId: route.entry.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    ...(security ? { security } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

export function buildOpenApiDocument(api: ApiDescription = publicApi): Json {
  const schemas = new SchemaCollector();
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of api.routes) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(api, route, schemas);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: api.title,
      version: packageJson.version,
      description: `${api.about} Generated from ${api.source} and the zod schemas the handlers use (npm run openapi); do not edit by hand.`,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    ...(api.servers ? { servers: api.servers } : {}),
    tags: api.tags,
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas.components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: api.securitySchemes,
    },
  };
}

export const publicApi: ApiDescription = {
  file: OPENAPI_PATH,
  title: 'Session Guard',
  about: packageJson.description,
  source: 'functions/routes.ts',
  routes,
  tags: [
    { name: 'sessions', description: 'Sign in with a session-info token; use and end the session.' },
    { name: 'browser sign-in', description: "The OAuth code flow through Facebook's login dialog, done by the server." },
    { name: 're-authentication', description: 'Ask Facebook for the password again (auth_type=reauthenticate with a single-use auth_nonce), and routes that need a recent authentication.' },
    { name: 'facebook callbacks', description: 'What Facebook calls when a person removes the app or asks for their data to be deleted.' },
    { name: 'operations', description: 'Liveness.' },
  ],
  securitySchemes: {
    sessionBearer: { type: 'http', scheme: 'bearer', description: 'The `sessionToken` from `POST /v1/sessions`.' },
    sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Host-sg_session', description: 'Set by browser sign-in (`sg_session` on the local http stack). Writes need an allowed `Origin`.' },
  },
  security: (route) => (route.doc.sessionCredential ? [{ sessionBearer: [] }, { sessionCookie: [] }] : undefined),
};

/** API Gateway's own refusal body (`{"message":"Forbidden"}`): not our `Error` shape. */
const gatewayRefusal = z.object({ message: z.string() }).meta({ id: 'GatewayRefusal', description: "API Gateway's own answer, not Session Guard's `Error`." });

export const adminApi: ApiDescription = {
  file: ADMIN_OPENAPI_PATH,
  title: 'Session Guard admin API',
  about: "The operators' API (docs/operators.md): a person's sessions, ending them, offboarding, and the long-lived credential inventory (docs/inventory.md). Its own HTTP API, never on the public surface; every route needs a request signed with AWS credentials (SigV4) that IAM allows.",
  source: 'functions/admin-routes.ts',
  routes: adminRoutes,
  servers: [
    {
      url: 'https://{adminApiId}.execute-api.{region}.amazonaws.com',
      description: 'The stack output `AdminApiUrl` (`npm start` serves it at `http://127.0.0.1:3002`).',
      variables: { adminApiId: { default: 'adminApiId', description: 'The admin API id, from `AdminApiUrl`.' }, region: { default: 'us-east-1', description: 'The stack region.' } },
    },
  ],
  tags: [
    { name: 'people and sessions', description: "A person's sessions, ending one, offboarding a person." },
    { name: 'credential inventory', description: 'Long-lived Facebook credentials: registered by the secret that holds them, checked daily, offboarded with their owner.' },
  ],
  securitySchemes: {
    sigv4: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      'x-amazon-apigateway-authtype': 'awsSigv4',
      description:
        "AWS Signature Version 4 (service `execute-api`) with the operator's AWS credentials; IAM must allow `execute-api:Invoke` on the route (docs/operators.md). OpenAPI has no SigV4 type: this is the form API Gateway itself exports, an `apiKey` in the `Authorization` header with the `x-amazon-apigateway-authtype: awsSigv4` extension. `npm run admin` signs for you.",
    },
  },
  security: () => [{ sigv4: [] }],
  gatewayAnswers: {
    403: { description: 'API Gateway refused the request before any function ran: not signed, a bad signature, or IAM does not allow the caller (`{"message":"Forbidden"}`).', json: gatewayRefusal },
  },
};

/** `GET /v1/openapi.json` on the local stack (local only: the deployed API does not serve it; `docs/openapi.json` is the published copy). */
export function openApiRoute(): LocalRoute {
  return { method: 'GET', path: '/v1/openapi.json', handle: (_request, response) => sendLocalJson(response, 200, buildOpenApiDocument()) };
}

export function openApiText(api: ApiDescription = publicApi): string {
  return `${JSON.stringify(buildOpenApiDocument(api), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const api of [publicApi, adminApi]) {
    writeFileSync(api.file, openApiText(api));
    console.log(`wrote ${api.file}`);
  }
}
