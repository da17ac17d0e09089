import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  ConcurrentUpdateError,
  FacebookTokenRejectedError,
  FacebookUnavailableError,
  ForbiddenError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  SessionRevokedError,
  UnauthenticatedError,
} from '#commons/platform/errors';
import { TokenOfAnotherAppError } from '#commons/facebook/graph-transport';
import { errorResponse, header, httpHandler, MAX_BODY_BYTES, parseJsonBody } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';

function event(parts: { body?: string; headers?: Record<string, string>; isBase64Encoded?: boolean } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /sessions',
    rawPath: '/sessions',
    rawQueryString: '',
    headers: parts.headers ?? { 'content-type': 'application/json' },
    body: parts.body,
    isBase64Encoded: parts.isBase64Encoded ?? false,
    requestContext: { requestId: 'req-1' },
  } as unknown as APIGatewayProxyEventV2;
}

const schema = z.strictObject({ sessionInfoToken: z.string().min(1), remember: z.boolean().optional() });

function invalidRequestFrom(fn: () => unknown): InvalidRequestError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  return expect.unreachable('expected InvalidRequestError');
}

const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? 'null') as { error: Record<string, unknown> };

let logged: { level: string; args: unknown[] }[];
beforeEach(() => {
  logged = [];
  for (const level of ['info', 'warn', 'error'] as const) {
    vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
      logged.push({ level, args });
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseJsonBody', () => {
  it('returns the parsed body when it matches the schema', () => {
    expect(parseJsonBody(event({ body: '{"sessionInfoToken":"abc","remember":true}' }), schema)).toEqual({ sessionInfoToken: 'abc', remember: true });
  });

  it('accepts application/json with a charset, and a body sent without content type', () => {
    const body = '{"sessionInfoToken":"abc"}';
    expect(parseJsonBody(event({ body, headers: { 'Content-Type': 'application/json; charset=utf-8' } }), schema)).toEqual({ sessionInfoToken: 'abc' });
    expect(parseJsonBody(event({ body, headers: {} }), schema)).toEqual({ sessionInfoToken: 'abc' });
  });

  it('decodes a base64-encoded body', () => {
    const body = Buffer.from('{"sessionInfoToken":"from-base64"}').toString('base64');
    expect(parseJsonBody(event({ body, isBase64Encoded: true }), schema)).toEqual({ sessionInfoToken: 'from-base64' });
  });

  it('refuses malformed JSON as invalid_request', () => {
    const error = invalidRequestFrom(() => parseJsonBody(event({ body: '{"sessionInfoToken":' }), schema));
    expect(error.issues).toEqual([{ field: '(body)', message: 'malformed JSON' }]);
  });

  it.each([undefined, '', '   \n'])('refuses an empty body (%j) as invalid_request', (body) => {
    const error = invalidRequestFrom(() => parseJsonBody(event({ body }), schema));
    expect(error.issues).toEqual([{ field: '(body)', message: 'missing' }]);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', 'multipart/form-data; boundary=x'])(
    'refuses content type %s, naming the content-type field',
    (contentType) => {
      const error = invalidRequestFrom(() => parseJsonBody(event({ body: '{"sessionInfoToken":"abc"}', headers: { 'content-type': contentType } }), schema));
      expect(error.issues).toEqual([{ field: 'content-type', message: 'expected application/json' }]);
    },
  );

  it('names an unknown field', () => {
    const error = invalidRequestFrom(() => parseJsonBody(event({ body: '{"sessionInfoToken":"abc","accessToken":"EAA"}' }), schema));
    expect(error.issues).toEqual([{ field: 'accessToken', message: 'unknown field' }]);
    expect(error.message).toContain('accessToken');
  });

  it('names a missing field', () => {
    const error = invalidRequestFrom(() => parseJsonBody(event({ body: '{}' }), schema));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.field).toBe('sessionInfoToken');
  });

  it('names a field of the wrong type', () => {
    const error = invalidRequestFrom(() => parseJsonBody(event({ body: '{"sessionInfoToken":42,"remember":"yes"}' }), schema));
    expect(error.issues.map((i) => i.field).sort()).toEqual(['remember', 'sessionInfoToken']);
  });

  it('refuses a JSON value that is not an object, pointing at the body', () => {
    const error = invalidRequestFrom(() => parseJsonBody(event({ body: '[1,2]' }), schema));
    expect(error.issues[0]!.field).toBe('(body)');
  });

  it('accepts a body of exactly 16 KiB and refuses one byte more with PayloadTooLargeError', () => {
    const big = z.object({ sessionInfoToken: z.string() });
    const frame = '{"sessionInfoToken":""}';
    const exact = `{"sessionInfoToken":"${'a'.repeat(MAX_BODY_BYTES - frame.length)}"}`;
    expect(Buffer.byteLength(exact)).toBe(16 * 1024);
    expect(() => parseJsonBody(event({ body: exact }), big)).not.toThrow();
    const over = `{"sessionInfoToken":"${'a'.repeat(MAX_BODY_BYTES - frame.length + 1)}"}`;
    expect(() => parseJsonBody(event({ body: over }), big)).toThrow(PayloadTooLargeError);
  });

  it('counts bytes, not characters, and counts the decoded size of a base64 body', () => {
    const multibyte = `{"sessionInfoToken":"${'é'.repeat(9000)}"}`; // 9000 chars, 18000 bytes
    expect(() => parseJsonBody(event({ body: multibyte }), schema)).toThrow(PayloadTooLargeError);
    const encoded = Buffer.from(`{"sessionInfoToken":"${'a'.repeat(20_000)}"}`).toString('base64');
    expect(() => parseJsonBody(event({ body: encoded, isBase64Encoded: true }), schema)).toThrow(PayloadTooLargeError);
  });
});

describe('errorResponse', () => {
  const cases = [
    { error: new InvalidRequestError('bad', [{ field: 'x', message: 'required' }]), status: 400, code: 'invalid_request' },
    { error: new PayloadTooLargeError('too big'), status: 413, code: 'payload_too_large' },
    { error: new UnauthenticatedError('sign in'), status: 401, code: 'unauthenticated' },
    { error: new SessionRevokedError('password_changed'), status: 401, code: 'session_revoked' },
    { error: new FacebookTokenRejectedError('invalid_token', 'no'), status: 401, code: 'invalid_token' },
    { error: new FacebookTokenRejectedError('token_expired', 'old'), status: 401, code: 'token_expired' },
    { error: new FacebookUnavailableError('later', 120), status: 503, code: 'facebook_unavailable' },
    { error: new ForbiddenError('no'), status: 403, code: 'forbidden' },
    { error: new NotFoundError('none'), status: 404, code: 'not_found' },
    { error: new MethodNotAllowedError('nope'), status: 405, code: 'method_not_allowed' },
  ];

  it.each(cases)('maps $error.name ($code) to HTTP $status with {"error":{"code","message"}}', ({ error, status, code }) => {
    const response = errorResponse(error);
    expect(response.statusCode).toBe(status);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    const body = bodyOf(response);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toBe(error.message);
  });

  it('answers a token Facebook calls another app\'s as a generic 500: maybe our misconfiguration, never blamed on the person', () => {
    const response = errorResponse(new TokenOfAnotherAppError());
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side. Try again later.' } });
  });

  it('adds the field issues to invalid_request', () => {
    const body = bodyOf(errorResponse(new InvalidRequestError('bad', [{ field: 'sessionInfoToken', message: 'required' }])));
    expect(body).toEqual({ error: { code: 'invalid_request', message: 'bad', issues: [{ field: 'sessionInfoToken', message: 'required' }] } });
  });

  it('leaves issues out of invalid_request when there are none', () => {
    expect(bodyOf(errorResponse(new InvalidRequestError('bad'))).error).not.toHaveProperty('issues');
  });

  it('adds the reason to session_revoked', () => {
    const body = bodyOf(errorResponse(new SessionRevokedError('logged_out')));
    expect(body.error).toEqual({ code: 'session_revoked', message: expect.stringContaining('logged_out'), reason: 'logged_out' });
  });

  it('sends Retry-After with facebook_unavailable', () => {
    const response = errorResponse(new FacebookUnavailableError('later', 300));
    expect(response.headers?.['retry-after']).toBe('300');
    expect(bodyOf(response).error).toEqual({ code: 'facebook_unavailable', message: 'later' });
  });

  it('answers an unknown Error with a generic 500 that leaks neither message nor stack, keeping the detail for the log', () => {
    const secretish = new Error('ConditionalCheckFailed on pk=SESSION#ses_secret token=EAAGsecret');
    const response = errorResponse(secretish);
    expect(response.statusCode).toBe(500);
    const body = bodyOf(response);
    expect(body).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(response.body).not.toContain('ses_secret');
    expect(response.body).not.toContain('EAAGsecret');
    expect(response.body).not.toContain(secretish.stack!.split('\n')[1]!.trim());
    expect(response.body).not.toContain('Error:');
    const errorLog = logged.find((l) => l.level === 'error');
    expect(JSON.stringify(errorLog?.args)).toContain('ConditionalCheckFailed on pk=SESSION#ses_secret');
  });

  it('answers internal errors that are not SessionGuardErrors (e.g. ConcurrentUpdateError, a string) with the same generic 500', () => {
    for (const thrown of [new ConcurrentUpdateError('race on USER#usr_1'), 'a thrown string', { toString: () => 'object' }]) {
      const response = errorResponse(thrown);
      expect(response.statusCode).toBe(500);
      expect(bodyOf(response).error.code).toBe('internal_error');
      expect(response.body).not.toContain('usr_1');
      expect(response.body).not.toContain('a thrown string');
    }
  });
});

describe('httpHandler', () => {
  it('turns a throw inside the handler into the mapped response', async () => {
    const handler = httpHandler(async () => {
      throw new UnauthenticatedError('sign in');
    });
    const response = await handler(event());
    expect(response.statusCode).toBe(401);
    expect(bodyOf(response).error.code).toBe('unauthenticated');
  });
});

describe('header', () => {
  it('finds a header whatever its case', () => {
    expect(header(event({ headers: { 'X-Thing': 'v' } }), 'x-thing')).toBe('v');
    expect(header(event({ headers: {} }), 'x-thing')).toBeUndefined();
  });
});
