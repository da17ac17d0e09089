import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError, PayloadTooLargeError } from '#commons/platform/errors';
import { parseFormBody } from '#commons/platform/form';

const schema = z.object({ signed_request: z.string({ error: 'is missing' }).min(1, 'must not be empty') });

function event(body: string | undefined, headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }, isBase64Encoded = false) {
  return { headers, body, isBase64Encoded } as unknown as APIGatewayProxyEventV2;
}

function failure(fn: () => unknown): InvalidRequestError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  return expect.unreachable('expected InvalidRequestError');
}

describe('parseFormBody', () => {
  it('reads a url-encoded field, decoding percent-escapes', () => {
    expect(parseFormBody(event('signed_request=abc%2Edef&other=1'), schema)).toEqual({ signed_request: 'abc.def' });
  });

  it('reads a body API Gateway handed over base64-encoded', () => {
    const body = Buffer.from('signed_request=abc.def').toString('base64');
    expect(parseFormBody(event(body, { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' }, true), schema)).toEqual({
      signed_request: 'abc.def',
    });
  });

  it.each([
    ['missing', {}],
    ['JSON', { 'content-type': 'application/json' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['a look-alike', { 'content-type': 'application/x-www-form-urlencodedx' }],
  ])('refuses a %s content type with 400 invalid_request', (_label, headers) => {
    const error = failure(() => parseFormBody(event('signed_request=a.b', headers), schema));
    expect(error.code).toBe('invalid_request');
    expect(error.issues).toEqual([{ field: 'content-type', message: 'expected application/x-www-form-urlencoded' }]);
  });

  it('names a missing or empty field', () => {
    expect(failure(() => parseFormBody(event(''), schema)).issues).toEqual([{ field: 'signed_request', message: 'is missing' }]);
    expect(failure(() => parseFormBody(event(undefined), schema)).issues).toEqual([{ field: 'signed_request', message: 'is missing' }]);
    expect(failure(() => parseFormBody(event('signed_request='), schema)).issues).toEqual([{ field: 'signed_request', message: 'must not be empty' }]);
  });

  it('refuses a field sent twice rather than picking one', () => {
    expect(failure(() => parseFormBody(event('signed_request=a.b&signed_request=c.d'), schema)).issues).toEqual([
      { field: 'signed_request', message: 'sent more than once' },
    ]);
  });

  it('refuses a body over 16 KiB with 413, plain or base64-encoded', () => {
    const big = `signed_request=${'a'.repeat(17 * 1024)}`;
    expect(() => parseFormBody(event(big), schema)).toThrow(PayloadTooLargeError);
    expect(() => parseFormBody(event(Buffer.from(big).toString('base64'), undefined, true), schema)).toThrow(PayloadTooLargeError);
  });
});
