import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Calls the admin API as the operator: every request is signed (SigV4, service `execute-api`)
 * with the operator's AWS credentials by the AWS SDK's own signer and credential chain
 * (environment, profile, SSO, instance role…). Against the local stack, the local operator key.
 */
export interface AdminClientOptions {
  /** The admin API's base URL (the stack output `AdminApiUrl`, or the local stack's admin port). */
  readonly baseUrl: string;
  readonly region: string;
  /** @default the SDK's default credential chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export interface AdminResponse {
  readonly status: number;
  /** The parsed JSON body, when there is one. */
  readonly body: unknown;
}

export class AdminClient {
  private readonly base: URL;
  private readonly signer: SignatureV4;

  constructor(options: AdminClientOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    this.signer = new SignatureV4({
      credentials: options.credentials ?? defaultProvider(),
      region: options.region,
      service: 'execute-api',
      sha256: Hash.bind(null, 'sha256'),
    });
  }

  async request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<AdminResponse> {
    const url = new URL(path.replace(/^\/+/, ''), this.base);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const query: Record<string, string> = Object.fromEntries(url.searchParams);
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { host: url.host, ...(text !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(text !== undefined ? { body: text } : {}),
    });
    // fetch sets Host itself, from the same URL.
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(url, { method, headers, ...(text !== undefined ? { body: text } : {}) });
    const raw = await response.text();
    let parsed: unknown;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      parsed = raw;
    }
    return { status: response.status, body: parsed };
  }
}

/** The region of an execute-api URL (`https://abc123.execute-api.eu-west-1.amazonaws.com`), if it is one. */
export function regionOfApiUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(new URL(url).hostname)?.[1];
}
