import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  FieldIssue,
  InvalidRequestError,
  PayloadTooLargeError,
  SessionGuardError,
} from './errors.ts';
import { logger } from './logger.ts';
import { flushMetrics } from './metrics.ts';
import * as z from './zod.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Bodies we accept are a few hundred bytes; anything much larger is a mistake or an attack. */
export const MAX_BODY_BYTES = 16 * 1024;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...SECURITY_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function noContent(headers: Record<string, string> = {}): HttpResult {
  return { statusCode: 204, headers: { ...SECURITY_HEADERS, ...headers } };
}

export function errorBody(code: string, message: string, extra: Record<string, unknown> = {}) {
  return { error: { code, message, ...extra } };
}

/** The one place an error becomes an HTTP answer. */
export function errorResponse(error: unknown): HttpResult {
  if (error instanceof SessionGuardError) {
    const extra: Record<string, unknown> = {};
    if (error instanceof InvalidRequestError && error.issues.length > 0) extra.issues = error.issues;
    if ('reason' in error && typeof error.reason === 'string') extra.reason = error.reason;
    Object.assign(extra, error.details);
    const level = error.status >= 500 ? 'warn' : 'info';
    logger[level]('request refused', { errorCode: error.code, status: error.status });
    return json(error.status, errorBody(error.code, error.message, extra), { ...error.headers });
  }
  logger.error('unexpected failure', { error: describeForLog(error) });
  return json(500, errorBody('internal_error', 'Something went wrong on our side. Try again later.'));
}

/** Keeps the error's kind and message for the log, never request data. */
function describeForLog(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}

/** Wraps a handler body so every throw goes through `errorResponse`, and publishes the invocation's metrics. */
export function httpHandler(
  body: (event: APIGatewayProxyEventV2) => Promise<HttpResult>,
): (event: APIGatewayProxyEventV2) => Promise<HttpResult> {
  return async (event) => {
    logger.appendKeys({ requestId: event.requestContext?.requestId, route: event.routeKey });
    try {
      return await body(event);
    } catch (error) {
      return errorResponse(error);
    } finally {
      flushMetrics();
      logger.resetKeys();
    }
  };
}

/** A request header by name, whatever its case (API Gateway lowercases them; tests and callers may not). */
export function header(request: { readonly headers?: Readonly<Record<string, string | undefined>> }, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function toFieldIssues(error: z.core.$ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), message: 'unknown field' };
    }
    return { field, message: issue.message };
  });
}

/** Parses a JSON request body against `schema`; anything off is one 400 naming the fields. */
export function parseJsonBody<S extends z.core.$ZodType>(event: APIGatewayProxyEventV2, schema: S): z.output<S> {
  const contentType = header(event, 'content-type');
  if (contentType !== undefined && !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new InvalidRequestError('The body must be JSON (Content-Type: application/json).', [
      { field: 'content-type', message: 'expected application/json' },
    ]);
  }
  const raw = event.body === undefined || event.body === null ? '' : event.body;
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  if (text.trim() === '') {
    throw new InvalidRequestError('The request needs a JSON body.', [{ field: '(body)', message: 'missing' }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('The body is not valid JSON.', [{ field: '(body)', message: 'malformed JSON' }]);
  }
  return validateRequest(schema, value);
}

/** Checks request input (body, form, query) against `schema`; anything off is one 400 naming the fields. */
export function validateRequest<S extends z.core.$ZodType>(schema: S, value: unknown): z.output<S> {
  const result = z.safeParse(schema, value);
  if (!result.success) {
    const issues = toFieldIssues(result.error);
    throw new InvalidRequestError(`Invalid request: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues);
  }
  return result.data;
}

/** The query string, checked against `schema`. */
export function parseQuery<S extends z.core.$ZodType>(event: APIGatewayProxyEventV2, schema: S): z.output<S> {
  return validateRequest(schema, event.queryStringParameters ?? {});
}
