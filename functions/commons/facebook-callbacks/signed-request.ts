import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from '#commons/platform/zod';
import { InvalidSignedRequestError } from '#commons/platform/errors';

/**
 * Facebook's `signed_request`, as it arrives at the deauthorize and data-deletion callbacks:
 * `base64url(signature) "." base64url(JSON payload)`, where the signature is HMAC-SHA256 keyed with
 * the app secret over the payload part **as sent** (still encoded).
 *
 * Decisions:
 * - The signature is checked before the payload is even decoded, in constant time and only after
 *   checking it is 32 bytes long, so a forger learns nothing but "signature does not match".
 * - Encoding: base64url without padding is what Facebook sends. Trailing `=` padding is tolerated
 *   (some tools add it; the HMAC covers the payload text exactly as received, so tolerance cannot
 *   be abused). Characters outside the base64url alphabet (`+`, `/`, spaces, ...) are refused,
 *   rather than silently skipped the way Node's decoder would.
 * - `algorithm` must be `HMAC-SHA256`, compared case-insensitively: Facebook's own PHP SDK v3 and
 *   its documentation sample upper-case it before comparing (SDK v5 compares exactly). Either way
 *   we only ever verify with HMAC-SHA256, so the spelling cannot downgrade anything.
 * - `issued_at` must be present, not older than `maxAgeSeconds` and not in the future beyond a
 *   small clock skew. The age limit is our own choice (no public source states one; it bounds how
 *   long a captured request can be replayed): `SIGNED_REQUEST_MAX_AGE_SECONDS`, a day by default.
 * - `user_id` must be a non-empty string (the app-scoped id). Other fields (`expires`, which the
 *   data-deletion payload carries) are passed through unchecked: they describe Facebook's own
 *   token, not this request.
 * - Only callbacks: the same format and app secret also sign the JavaScript SDK's login cookie and
 *   `authResponse.signedRequest` (they carry `code`) and canvas requests (`oauth_token`). Whoever
 *   reads one of those must not be able to replay it here to log a person out or erase their data,
 *   so a payload carrying either field is refused.
 * - The decoded signature bytes are returned: one request has one signature, whatever its text
 *   (padding, the spare bits of the last base64 character), so it identifies the request.
 */
export const SIGNED_REQUEST_ALGORITHM = 'HMAC-SHA256';
export const DEFAULT_MAX_AGE_SECONDS = 24 * 3600;
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;

/** Longest `signed_request` we look at; Facebook's are a few hundred characters. */
export const MAX_SIGNED_REQUEST_LENGTH = 4096;

/** The form Facebook posts to both callbacks. It may add fields; only `signed_request` matters. */
export const signedRequestForm = z.object({
  signed_request: z.string({ error: 'is missing' }).check(z.minLength(1, 'must not be empty'), z.maxLength(MAX_SIGNED_REQUEST_LENGTH, 'is too long')),
});

const HMAC_SHA256_BYTES = 32;
const BASE64URL_PART = /^[A-Za-z0-9_-]+={0,2}$/;

export interface SignedRequestPayload {
  /** The person's app-scoped Facebook id. */
  readonly userId: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Everything Facebook sent, for fields we do not model. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The HMAC as decoded bytes: the same for every encoding of one request. */
  readonly signature: Buffer;
}

/** Fields only the SDK's login cookie / signedRequest (`code`) and canvas requests (`oauth_token`) carry. */
const NOT_A_CALLBACK_FIELDS = ['code', 'oauth_token'] as const;

export interface VerifyOptions {
  /** Epoch milliseconds. @default Date.now() */
  readonly now?: number;
  /** Oldest `issued_at` accepted, our own choice. @default 86400 (one day) */
  readonly maxAgeSeconds?: number;
  /** @default 300 */
  readonly clockSkewSeconds?: number;
}

const payloadSchema = z.object({
  algorithm: z.string({ error: 'is missing' }),
  user_id: z.string({ error: 'must be a string' }).check(z.minLength(1, 'must not be empty'), z.maxLength(128, 'is too long')),
  issued_at: z.number({ error: 'must be a number of epoch seconds' }).check(z.int('must be whole epoch seconds'), z.positive('must be positive')),
});

/** Verifies a `signed_request` with the app secret; anything off throws `InvalidSignedRequestError`. */
export function verifySignedRequest(signedRequest: string, appSecret: string, options: VerifyOptions = {}): SignedRequestPayload {
  if (appSecret === '') throw new Error('the app secret is empty');
  if (signedRequest.length === 0) throw refused('is empty');
  if (signedRequest.length > MAX_SIGNED_REQUEST_LENGTH) throw refused('is too long');
  const parts = signedRequest.split('.');
  if (parts.length !== 2) throw refused('must be two base64url parts joined by one "."');
  const [encodedSignature, encodedPayload] = parts as [string, string];
  const signature = decodeBase64Url(encodedSignature, 'signature');
  if (signature.length !== HMAC_SHA256_BYTES) throw refused('signature is not an HMAC-SHA256 (32 bytes)');

  const expected = createHmac('sha256', appSecret).update(encodedPayload, 'utf8').digest();
  if (!timingSafeEqual(signature, expected)) {
    throw refused('signature does not match (signed with another app secret, or the payload was altered)');
  }

  let payload: unknown;
  try {
    payload = JSON.parse(decodeBase64Url(encodedPayload, 'payload').toString('utf8'));
  } catch (error) {
    if (error instanceof InvalidSignedRequestError) throw error;
    throw refused('payload is not JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw refused('payload is not a JSON object');
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw refused(`payload field ${issue.path.join('.')} ${issue.message}`);
  }
  const { algorithm, user_id: userId, issued_at: issuedAt } = parsed.data;
  if (algorithm.toUpperCase() !== SIGNED_REQUEST_ALGORITHM) throw refused(`algorithm must be ${SIGNED_REQUEST_ALGORITHM}`);
  const foreign = NOT_A_CALLBACK_FIELDS.filter((field) => field in payload);
  if (foreign.length > 0) throw refused(`payload carries ${foreign.join(' and ')}: a login cookie or canvas request, not a callback`);

  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (issuedAt > nowSeconds + (options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS)) {
    throw refused('issued_at is in the future');
  }
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (nowSeconds - issuedAt > maxAgeSeconds) {
    throw refused(`issued_at is more than ${describeSeconds(maxAgeSeconds)} old`);
  }
  return { userId, issuedAt, raw: payload as Record<string, unknown>, signature };
}

function decodeBase64Url(part: string, what: string): Buffer {
  const unpadded = part.replace(/=+$/, '');
  const padded = unpadded !== part;
  // A length of 1 mod 4 is never valid base64 (one character cannot carry a whole byte), and
  // padding, when present, must complete the last group of four exactly.
  if (!BASE64URL_PART.test(part) || unpadded.length % 4 === 1 || (padded && part.length % 4 !== 0)) {
    throw refused(`${what} is not base64url`);
  }
  return Buffer.from(unpadded, 'base64url');
}

function describeSeconds(seconds: number): string {
  if (seconds === 86_400) return 'a day';
  if (seconds % 3600 === 0) return `${seconds / 3600} hours`;
  return `${seconds} seconds`;
}

function refused(detail: string): InvalidSignedRequestError {
  return new InvalidSignedRequestError(`The signed_request was refused: ${detail}.`);
}
