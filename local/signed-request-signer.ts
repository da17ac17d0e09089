import { createHmac } from 'node:crypto';
import { SIGNED_REQUEST_ALGORITHM } from '#commons/facebook-callbacks/signed-request';

/**
 * Makes a `signed_request` the way Facebook does, for the tests and `local/sign-request.ts`: the
 * service only ever verifies one (`functions/commons/facebook-callbacks/signed-request.ts`), so
 * signing stays out of the code that ships. `algorithm` and `issued_at` default to Facebook's values.
 */
export function signSignedRequest(payload: Record<string, unknown>, appSecret: string, nowMs = Date.now()): string {
  const full = { algorithm: SIGNED_REQUEST_ALGORITHM, issued_at: Math.floor(nowMs / 1000), ...payload };
  const encodedPayload = Buffer.from(JSON.stringify(full), 'utf8').toString('base64url');
  const signature = createHmac('sha256', appSecret).update(encodedPayload, 'utf8').digest('base64url');
  return `${signature}.${encodedPayload}`;
}
