import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from './zod.ts';
import { InvalidRequestError, PayloadTooLargeError } from './errors.ts';
import { header, MAX_BODY_BYTES, validateRequest } from './http.ts';

const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * Parses an `application/x-www-form-urlencoded` body (how Facebook posts its callbacks) against
 * `schema`. The content type is required; API Gateway may hand the body over base64-encoded; a
 * field sent twice is refused rather than guessed at. Anything off is one 400 naming the fields.
 */
export function parseFormBody<S extends z.core.$ZodType>(event: APIGatewayProxyEventV2, schema: S): z.output<S> {
  const contentType = header(event, 'content-type');
  if (contentType === undefined || !FORM_CONTENT_TYPE.test(contentType)) {
    throw new InvalidRequestError('The body must be a form (Content-Type: application/x-www-form-urlencoded).', [
      { field: 'content-type', message: 'expected application/x-www-form-urlencoded' },
    ]);
  }
  const raw = event.body ?? '';
  if (raw.length > MAX_BODY_BYTES * 2) throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(fields, name)) {
      throw new InvalidRequestError(`Invalid request: ${name}: sent more than once`, [{ field: name, message: 'sent more than once' }]);
    }
    fields[name] = value;
  }
  return validateRequest(schema, fields);
}
