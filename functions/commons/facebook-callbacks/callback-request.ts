import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseFormBody } from '#commons/platform/form';
import { type SignedRequestPayload, signedRequestForm, verifySignedRequest } from './signed-request.ts';

export interface CallbackRequest {
  /** The `signed_request` as Facebook sent it (the data-deletion confirmation code derives from it). */
  readonly signedRequest: string;
  readonly payload: SignedRequestPayload;
}

/**
 * What both of Facebook's callbacks (deauthorize, data deletion) do first: read the form and verify
 * its `signed_request` with the app secret. A bad form is `invalid_request`; a refused signature or
 * payload is `invalid_signed_request`.
 */
export function readCallbackRequest(event: APIGatewayProxyEventV2, appSecret: string): CallbackRequest {
  const { signed_request: signedRequest } = parseFormBody(event, signedRequestForm);
  return { signedRequest, payload: verifySignedRequest(signedRequest, appSecret) };
}
