import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import type { RouteDefinition } from '#functions/routes';
import type { IamAuthenticator } from './iam-auth.ts';

/**
 * Serves Lambda handlers the way an API Gateway HTTP API (payload 2.0) does: it builds the same
 * event, runs the Lambda authorizer on protected routes (simple responses, no caching), and turns
 * the structured result back into HTTP, including API Gateway's own bare 403/404/500 bodies.
 * AWS_IAM routes (the admin API) pass the SigV4 check of `iam-auth.ts` first. Just over 300 lines:
 * one emulation of one API Gateway request cycle, read best in one place.
 */
export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2 | string | undefined>;
export type AuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEventV2,
) => Promise<APIGatewaySimpleAuthorizerWithContextResult<Record<string, unknown>>>;

export interface BoundRoute extends RouteDefinition {
  readonly handler: HttpHandler;
}

/** A plain Node route for local-only pages and tools (the demo page, `/_local/*`). */
export interface LocalRoute {
  readonly method: string;
  readonly path: string;
  handle(request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> | void;
}

export interface ListenOptions {
  /** 0 (the default) lets the server bind a free port itself. */
  readonly port?: number;
  readonly host?: string;
}

export interface ApiGatewayRoutes {
  readonly routes: readonly BoundRoute[];
  /** Runs before `auth: 'session'` routes. */
  readonly authorizer?: AuthorizerHandler;
  /** Checks the SigV4 signature of `auth: 'iam'` routes (`iam-auth.ts`). */
  readonly iam?: IamAuthenticator;
  readonly localRoutes?: readonly LocalRoute[];
  /** API Gateway's payload limit for HTTP APIs is 10 MB. */
  readonly maxBodyBytes?: number;
  /** CORS as the HTTP API is configured with it (`corsPolicy` for these origins). @default no CORS */
  readonly cors?: CorsSettings;
}

export interface CorsSettings {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds: number;
}

/**
 * API Gateway's CORS: it answers a preflight itself (no OPTIONS route needed) and adds the
 * allow-origin headers to every answer for an allowed Origin; any other Origin gets none.
 */
function corsHeaders(cors: CorsSettings | undefined, origin: string | undefined): Record<string, string> {
  if (!cors || origin === undefined || !cors.allowOrigins.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(cors.exposeHeaders.length > 0 ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') } : {}),
    vary: 'origin',
  };
}

function isPreflight(request: IncomingMessage): boolean {
  return request.method === 'OPTIONS' && request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined;
}

export type ApiGatewayOptions = ListenOptions & ApiGatewayRoutes;

export interface RunningApi {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** A server already listening, whose routes come later: 503 to every request until then. */
export interface ListeningApi extends RunningApi {
  serve(routes: ApiGatewayRoutes): void;
}

const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript)|[^;]*\+json)/i;

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .split('/')
    .map((segment) => {
      const parameter = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
      names.push(parameter[1] as string);
      return '([^/]+)';
    })
    .join('/');
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) return undefined;
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
  } catch {
    return undefined;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function buildEvent(request: IncomingMessage, body: Buffer, route: RouteDefinition, pathParameters: Record<string, string>): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const joined = Array.isArray(value) ? value.join(',') : value;
    // HTTP API moves cookies out of the headers into their own list.
    if (key === 'cookie') cookies = joined.split(/;\s*/).filter((c) => c !== '');
    else headers[key] = joined;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | undefined, extraHeaders: Record<string, string>): void {
  // Payload 2.0: a bare string or object (no statusCode) means 200 JSON.
  if (result === undefined || typeof result === 'string' || result.statusCode === undefined) {
    response.writeHead(200, { ...extraHeaders, 'content-type': 'application/json' });
    response.end(typeof result === 'string' ? result : JSON.stringify(result ?? null));
    return;
  }
  const headers: Record<string, string | string[]> = { ...extraHeaders };
  for (const [key, value] of Object.entries(result.headers ?? {})) {
    headers[key] = key.toLowerCase() === 'vary' && extraHeaders.vary ? `${String(value)}, ${extraHeaders.vary}` : String(value);
  }
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode, headers);
  if (result.body === undefined) response.end();
  else response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<RunningApi> {
  const api = await listenApiGateway(options);
  api.serve(options);
  return api;
}

/**
 * Binds first (port 0 → a free port the server holds from then on, with no window for another
 * process to take it), so what must know the address before the routes exist (the handlers read
 * PUBLIC_BASE_URL when imported) can learn it from the listening server.
 */
export async function listenApiGateway(listen: ListenOptions): Promise<ListeningApi> {
  let options: ApiGatewayRoutes | undefined;
  const server = createServer(async (request, response) => {
    if (!options) return sendJson(response, 503, { message: 'Service Unavailable' });
    const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = (request.method ?? 'GET').toUpperCase();
      const body = await readBody(request, maxBodyBytes);
      const cors = corsHeaders(options.cors, request.headers.origin);
      if (body === 'too_large') return sendJson(response, 413, { message: 'Request Entity Too Large' }, cors);

      const local = options.localRoutes?.find((r) => r.method === method && matchPath(r.path, url.pathname));
      if (local) return await local.handle(request, response, body);

      if (options.cors && isPreflight(request)) {
        const allowed = Object.keys(cors).length > 0;
        response.writeHead(204, allowed
          ? {
              ...cors,
              'access-control-allow-methods': options.cors.allowMethods.join(','),
              'access-control-allow-headers': options.cors.allowHeaders.join(','),
              'access-control-max-age': String(options.cors.maxAgeSeconds),
            }
          : {});
        return response.end();
      }

      const candidates = options.routes.filter((r) => matchPath(r.path, url.pathname));
      const route = candidates.find((r) => r.method === method);
      if (!route) {
        if (candidates.length > 0) return sendJson(response, 405, { error: { code: 'method_not_allowed', message: `Use ${candidates.map((c) => c.method).join(' or ')} on this path.` } }, cors);
        return sendJson(response, 404, { error: { code: 'not_found', message: 'No such route.' } }, cors);
      }
      const event = buildEvent(request, body, route, matchPath(route.path, url.pathname) ?? {});
      if (route.auth === 'iam') {
        // AWS_IAM: API Gateway refuses an unsigned or badly signed request itself, with a bare 403.
        const identity = options.iam ? await options.iam({ method, url: request.url ?? '/', headers: request.headers, body }) : undefined;
        if (!identity) return sendJson(response, 403, { message: 'Forbidden' }, cors);
        (event.requestContext as unknown as Record<string, unknown>).authorizer = { iam: identity };
      }
      if (route.auth === 'session') {
        if (!options.authorizer) return sendJson(response, 500, { message: 'Internal Server Error' }, cors);
        const verdict = await runAuthorizer(options.authorizer, event);
        if (verdict === 'error') return sendJson(response, 500, { message: 'Internal Server Error' }, cors);
        if (!verdict.isAuthorized) return sendJson(response, 403, { message: 'Forbidden' }, cors);
        (event.requestContext as unknown as Record<string, unknown>).authorizer = { lambda: verdict.context ?? {} };
      }
      let result: Awaited<ReturnType<HttpHandler>>;
      try {
        result = await route.handler(event);
      } catch {
        // A handler that throws is a Lambda error: API Gateway answers with its own bare 500.
        return sendJson(response, 500, { message: 'Internal Server Error' }, cors);
      }
      writeResult(response, result, cors);
    } catch {
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, listen.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${listen.host ?? '127.0.0.1'}:${port}`,
    port,
    server,
    serve(routes) {
      options = routes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function runAuthorizer(authorizer: AuthorizerHandler, event: APIGatewayProxyEventV2) {
  const authEvent: APIGatewayRequestAuthorizerEventV2 = {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${event.requestContext.http.method}${event.rawPath}`,
    identitySource: [],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    ...(event.cookies ? { cookies: event.cookies } : {}),
    headers: event.headers,
    ...(event.queryStringParameters ? { queryStringParameters: event.queryStringParameters as Record<string, string> } : {}),
    requestContext: event.requestContext,
    ...(event.pathParameters ? { pathParameters: event.pathParameters as Record<string, string> } : {}),
  } as APIGatewayRequestAuthorizerEventV2;
  try {
    return await authorizer(authEvent);
  } catch {
    return 'error' as const;
  }
}
