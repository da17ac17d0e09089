/**
 * In-process emulator of the parts of AWS Secrets Manager the credential inventory uses, on its
 * JSON 1.1 wire protocol (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`, errors as
 * `{"__type", "message"}`), so the checker runs the real SDK client against it through
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`. Operations: CreateSecret, GetSecretValue, DescribeSecret,
 * PutSecretValue (a rotation, for tests), TagResource. Dates travel as epoch seconds, as AWS sends them.
 * Every call must carry a SigV4 Authorization header scoped to `secretsmanager`; the signature is
 * not verified (IAM is the CDK tests' job).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';

export interface SecretsManagerEmulator {
  readonly url: string;
  close(): Promise<void>;
  /** Calls per operation since start. */
  requestCounts(): Record<string, number>;
  /** Moves a secret's creation and rotation dates back, to age it. */
  ageSecret(secretId: string, days: number): void;
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  value: string;
  created: number;
  lastRotated?: number;
  lastChanged: number;
  tags: { Key: string; Value: string }[];
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const SIGNED_FOR_SECRETS = /^AWS4-HMAC-SHA256 Credential=[^/\s]+\/\d{8}\/[^/\s]+\/secretsmanager\/aws4_request,/;

export async function startSecretsManagerEmulator(options: { region?: string; accountId?: string } = {}): Promise<SecretsManagerEmulator> {
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? '000000000000';
  const secrets = new Map<string, StoredSecret>();
  const counts: Record<string, number> = {};
  const now = () => Date.now() / 1000;

  const find = (id: unknown): StoredSecret => {
    const found = typeof id === 'string' ? (secrets.get(id) ?? [...secrets.values()].find((secret) => secret.name === id)) : undefined;
    if (!found) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return found;
  };
  const describe = (secret: StoredSecret) => ({
    ARN: secret.arn,
    Name: secret.name,
    CreatedDate: secret.created,
    LastChangedDate: secret.lastChanged,
    ...(secret.lastRotated !== undefined ? { LastRotatedDate: secret.lastRotated, RotationEnabled: true } : { RotationEnabled: false }),
    Tags: secret.tags,
  });

  const operations: Record<string, (input: Record<string, unknown>) => object> = {
    CreateSecret(input) {
      const name = String(input.Name ?? '');
      if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) throw new AwsError('ValidationException', 'Invalid name.');
      if ([...secrets.values()].some((secret) => secret.name === name)) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      // AWS appends six random characters to the name in the ARN.
      const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${randomBytes(3).toString('hex')}`;
      const created = now();
      const tags = Array.isArray(input.Tags) ? (input.Tags as { Key: string; Value: string }[]) : [];
      secrets.set(arn, { arn, name, value: String(input.SecretString ?? ''), created, lastChanged: created, tags });
      return { ARN: arn, Name: name, VersionId: randomUUID() };
    },
    GetSecretValue(input) {
      const secret = find(input.SecretId);
      return { ARN: secret.arn, Name: secret.name, SecretString: secret.value, VersionId: randomUUID(), CreatedDate: secret.lastChanged };
    },
    DescribeSecret: (input) => describe(find(input.SecretId)),
    PutSecretValue(input) {
      const secret = find(input.SecretId);
      secret.value = String(input.SecretString ?? '');
      secret.lastChanged = secret.lastRotated = now();
      return { ARN: secret.arn, Name: secret.name, VersionId: randomUUID() };
    },
    TagResource(input) {
      find(input.SecretId).tags.push(...((input.Tags as { Key: string; Value: string }[] | undefined) ?? []));
      return {};
    },
  };

  const answer = (res: ServerResponse, status: number, payload: object) => {
    const body = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': randomUUID() });
    res.end(body);
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
      const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (!run) throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
      counts[operation] = (counts[operation] ?? 0) + 1;
      if (!SIGNED_FOR_SECRETS.test(req.headers.authorization ?? '')) throw new AwsError('MissingAuthenticationTokenException', 'Missing or malformed SigV4 signature for secretsmanager.');
      const raw = Buffer.concat(chunks).toString('utf8');
      answer(res, 200, run(raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>)));
    } catch (error) {
      const known = error instanceof AwsError ? error : new AwsError('InternalServiceError', 'Internal error in the Secrets Manager emulator');
      answer(res, known.type === 'InternalServiceError' ? 500 : 400, { __type: known.type, message: known.message });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
    requestCounts: () => ({ ...counts }),
    ageSecret(secretId, days) {
      const secret = find(secretId);
      const shift = days * 86_400;
      secret.created -= shift;
      secret.lastChanged -= shift;
      if (secret.lastRotated !== undefined) secret.lastRotated -= shift;
    },
  };
}
