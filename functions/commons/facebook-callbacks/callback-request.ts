import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseFormBody } from '#commons/platform/form';
import { type SignedRequestPayload, signedRequestForm, type VerifyOptions, verifySignedRequest } from './signed-request.ts';

/**
 * What both of Facebook's callbacks (deauthorize, data deletion) do first: read the form and verify
 * its `signed_request` with the app secret. A bad form is `invalid_request`; a refused signature or
 * payload is `invalid_signed_request`. Callers get only the decoded request: nothing may be keyed on
 * the raw string, which has several encodings.
 */
export function readCallbackRequest(event: APIGatewayProxyEventV2, appSecret: string, options: VerifyOptions = {}): SignedRequestPayload {
  const { signed_request: signedRequest } = parseFormBody(event, signedRequestForm);
  return verifySignedRequest(signedRequest, appSecret, options);
}
