import { timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * API Gateway's AWS_IAM authorization, for the local admin API: the request's SigV4 signature is
 * checked against the local operator keys (the same signer the AWS SDK uses, run over the headers
 * the request says it signed), and the caller's identity is handed to the route as
 * `requestContext.authorizer.iam`, as API Gateway does. Unlike AWS there are no IAM policies: a
 * valid signature by a configured key is enough.
 */
export interface LocalOperatorKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The principal the key stands for, as IAM would name it. */
  readonly userArn: string;
  readonly accountId: string;
}

/** `requestContext.authorizer.iam` of an HTTP API payload 2.0 event. */
export interface IamIdentity {
  readonly accessKey: string;
  readonly accountId: string;
  readonly callerId: string;
  readonly cognitoIdentity: null;
  readonly principalOrgId: null;
  readonly userArn: string;
  readonly userId: string;
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export type IamAuthenticator = (request: SignedRequest) => Promise<IamIdentity | undefined>;

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
/** SigV4's own limit on clock skew. */
const MAX_SKEW_MS = 15 * 60 * 1000;

export const DEFAULT_LOCAL_OPERATOR: LocalOperatorKey = {
  accessKeyId: 'AKIALOCALOPERATOR',
  secretAccessKey: 'local-operator-secret-not-for-production',
  userArn: 'arn:aws:iam::000000000000:user/local-operator',
  accountId: '000000000000',
};

export function sigV4Authenticator(keys: readonly LocalOperatorKey[], region: string, now: () => number = Date.now): IamAuthenticator {
  return async (request) => {
    const authorization = headerValue(request.headers, 'authorization');
    const match = authorization === undefined ? null : AUTHORIZATION.exec(authorization);
    if (!match) return undefined;
    const [, accessKeyId, , signedRegion, service, signedHeaderList, signature] = match as unknown as string[];
    const key = keys.find((candidate) => candidate.accessKeyId === accessKeyId);
    const amzDate = headerValue(request.headers, 'x-amz-date');
    if (!key || signedRegion !== region || service !== 'execute-api' || amzDate === undefined) return undefined;
    const signingDate = parseAmzDate(amzDate);
    if (signingDate === undefined || Math.abs(now() - signingDate.getTime()) > MAX_SKEW_MS) return undefined;

    const signedNames = (signedHeaderList as string).split(';');
    const headers: Record<string, string> = {};
    for (const name of signedNames) {
      const value = headerValue(request.headers, name);
      if (value === undefined) return undefined;
      headers[name] = value;
    }
    const url = new URL(request.url, 'http://local');
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const signer = new SignatureV4({
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
      region,
      service: 'execute-api',
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign(
      { method: request.method, protocol: 'http:', hostname: headers.host ?? '', path: url.pathname, query, headers, ...(request.body.length > 0 ? { body: request.body } : {}) },
      { signingDate },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1];
    if (expected === undefined || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature as string))) return undefined;
    return {
      accessKey: key.accessKeyId,
      accountId: key.accountId,
      callerId: key.accessKeyId,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: key.userArn,
      userId: key.accessKeyId,
    };
  };
}

function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20240101T120000Z` */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}
