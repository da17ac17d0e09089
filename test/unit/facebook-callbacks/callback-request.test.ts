import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { readCallbackRequest } from '#commons/facebook-callbacks/callback-request';
import { MAX_SIGNED_REQUEST_LENGTH } from '#commons/facebook-callbacks/signed-request';
import { InvalidRequestError, InvalidSignedRequestError } from '#commons/platform/errors';
import { signSignedRequest } from '#local/signed-request-signer';

const SECRET = 'app-secret-for-tests';

function post(body: string): APIGatewayProxyEventV2 {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, isBase64Encoded: false } as unknown as APIGatewayProxyEventV2;
}

describe('readCallbackRequest', () => {
  it('verifies the signed_request of the form and answers it decoded, with the signature bytes', () => {
    const signedRequest = signSignedRequest({ user_id: '10150000000000001' }, SECRET);
    const request = readCallbackRequest(post(`signed_request=${signedRequest}&extra=ignored`), SECRET);
    expect(request.userId).toBe('10150000000000001');
    expect(request.signature.toString('base64url')).toBe(signedRequest.split('.')[0]);
  });

  it('applies the age limit it is given', () => {
    const hourOld = signSignedRequest({ user_id: '1', issued_at: Math.floor(Date.now() / 1000) - 3600 }, SECRET);
    expect(readCallbackRequest(post(`signed_request=${hourOld}`), SECRET).userId).toBe('1');
    expect(() => readCallbackRequest(post(`signed_request=${hourOld}`), SECRET, { maxAgeSeconds: 1800 })).toThrow(InvalidSignedRequestError);
  });

  it('tells a wrong form (invalid_request) from a refused signature (invalid_signed_request)', () => {
    expect(() => readCallbackRequest(post('other=1'), SECRET)).toThrow(InvalidRequestError);
    expect(() => readCallbackRequest(post(`signed_request=${'a'.repeat(MAX_SIGNED_REQUEST_LENGTH + 1)}`), SECRET)).toThrow(InvalidRequestError);
    const forged = signSignedRequest({ user_id: '1' }, 'another-apps-secret');
    expect(() => readCallbackRequest(post(`signed_request=${forged}`), SECRET)).toThrow(InvalidSignedRequestError);
  });
});
