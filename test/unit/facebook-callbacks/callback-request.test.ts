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
  it('verifies the signed_request of the form and keeps it as sent', () => {
    const signedRequest = signSignedRequest({ user_id: '10150000000000001' }, SECRET);
    const request = readCallbackRequest(post(`signed_request=${signedRequest}&extra=ignored`), SECRET);
    expect(request.signedRequest).toBe(signedRequest);
    expect(request.payload.userId).toBe('10150000000000001');
  });

  it('tells a wrong form (invalid_request) from a refused signature (invalid_signed_request)', () => {
    expect(() => readCallbackRequest(post('other=1'), SECRET)).toThrow(InvalidRequestError);
    expect(() => readCallbackRequest(post(`signed_request=${'a'.repeat(MAX_SIGNED_REQUEST_LENGTH + 1)}`), SECRET)).toThrow(InvalidRequestError);
    const forged = signSignedRequest({ user_id: '1' }, 'another-apps-secret');
    expect(() => readCallbackRequest(post(`signed_request=${forged}`), SECRET)).toThrow(InvalidSignedRequestError);
  });
});
