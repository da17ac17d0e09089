/**
 * In-process AWS KMS emulator, reached through the ordinary `@aws-sdk/client-kms` client with
 * `endpoint` (or `AWS_ENDPOINT_URL_KMS`) pointed at `url`. It speaks the real wire protocol (AWS
 * JSON 1.1: `POST /`, `X-Amz-Target: TrentService.<Operation>`, base64 blobs, errors as
 * `{"__type", "message"}`) so the SDK's own serializers, error classes and retry rules are what get
 * exercised. Crypto is real: each key holds random AES-256 material, ciphertexts are AES-256-GCM
 * with the encryption context as additional authenticated data, so a wrong context or a tampered
 * blob fails the way it does in AWS. Keys live in memory; signatures are required but not checked.
 *
 * One file over 300 lines on purpose: the wire protocol, the key store and the five operations share
 * one state and one error table; split, each part would import the others.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataKeySpec, KeySpec, KeyUsageType } from '@aws-sdk/client-kms';
import * as z from 'zod';

export interface KmsEmulatorOptions {
  /** @default 0, a random free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 'us-east-1' */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
}

export interface KmsEmulator {
  readonly url: string;
  close(): Promise<void>;
  /** Count of requests per operation name since start/reset, e.g. { GenerateDataKey: 3, Decrypt: 10 } */
  requestCounts(): Record<string, number>;
  resetCounts(): void;
  /** The next `count` calls of `operation` fail with that AWS error (e.g. 'ThrottlingException'), for fault tests. */
  failNext(operation: string, errorType: string, count?: number): void;
  /** Optional artificial latency per request in ms. */
  setLatency(ms: number): void;
}

/** An error as KMS puts it on the wire. */
class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Status codes of KMS's server-side errors; every other KMS error arrives as 400. */
const SERVER_ERROR_STATUS: Readonly<Record<string, number>> = {
  KMSInternalException: 500,
  KeyUnavailableException: 500,
  DependencyTimeoutException: 503,
};

interface Key {
  readonly id: string;
  readonly arn: string;
  readonly material: Buffer;
  readonly description: string;
  readonly creationDate: number;
  enabled: boolean;
  rotationPeriodInDays: number | undefined;
}

interface Alias {
  readonly name: string;
  readonly targetKeyId: string;
  readonly creationDate: number;
}

type Context = Record<string, string> | undefined;

const BLOB_VERSION = 1;
const KEY_ID_LENGTH = 36; // a uuid
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 1 + KEY_ID_LENGTH;

const epochSeconds = () => Date.now() / 1000;

/** Sorted key/value pairs, so `{a, b}` and `{b, a}` bind the same; no context equals `{}` as in KMS. */
const canonicalContext = (context: Context) =>
  Buffer.from(JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

class KeyStore {
  private readonly keys = new Map<string, Key>();
  private readonly aliases = new Map<string, Alias>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  create(description: string): Key {
    const id = randomUUID();
    const key: Key = {
      id,
      arn: this.arn(`key/${id}`),
      material: randomBytes(32),
      description,
      creationDate: epochSeconds(),
      enabled: true,
      rotationPeriodInDays: undefined,
    };
    this.keys.set(id, key);
    return key;
  }

  allKeys = () => [...this.keys.values()];
  allAliases = () => [...this.aliases.values()];
  arn = (resource: string) => `arn:aws:kms:${this.region}:${this.accountId}:${resource}`;

  createAlias(name: string, key: Key): void {
    if (this.aliases.has(name)) throw new KmsError('AlreadyExistsException', `An alias with the name ${this.arn(name)} already exists`);
    this.aliases.set(name, { name, targetKeyId: key.id, creationDate: epochSeconds() });
  }

  /** Finds a key by id, key ARN and, where the operation allows them, alias name or alias ARN. */
  resolve(ref: string, { aliases = true } = {}): Key {
    const arn = /^arn:aws[a-z-]*:kms:([^:]*):([^:]*):((?:key|alias)\/.+)$/.exec(ref);
    const resource = arn ? arn[3]! : ref;
    const foreign = arn !== null && (arn[1] !== this.region || arn[2] !== this.accountId);
    if (resource.startsWith('alias/')) {
      const alias = aliases && !foreign ? this.aliases.get(resource) : undefined;
      if (!alias) throw new KmsError('NotFoundException', `Alias ${arn ? ref : this.arn(resource)} is not found.`);
      return this.keys.get(alias.targetKeyId)!;
    }
    const key = foreign ? undefined : this.keys.get(arn ? resource.slice('key/'.length) : ref);
    if (!key) throw new KmsError('NotFoundException', `Key '${arn ? ref : this.arn(`key/${ref}`)}' does not exist`);
    return key;
  }

  /** Like `resolve`, for operations that use the key material. */
  usable(ref: string, options?: { aliases?: boolean }): Key {
    const key = this.resolve(ref, options);
    if (!key.enabled) throw new KmsError('DisabledException', `${key.arn} is disabled.`);
    return key;
  }

  /** Blob layout: version (1) | key id (36, ASCII) | iv (12) | tag (16) | ciphertext. */
  seal(key: Key, plaintext: Buffer, context: Context): Buffer {
    const header = Buffer.concat([Buffer.from([BLOB_VERSION]), Buffer.from(key.id, 'ascii')]);
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv);
    cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
  }

  /** Decrypts a blob; `expectedKeyId` is the caller's optional KeyId, checked like KMS does. */
  open(blob: Buffer, context: Context, expectedKeyId?: string): { key: Key; plaintext: Buffer } {
    const invalid = () => new KmsError('InvalidCiphertextException', '');
    if (blob.length <= HEADER_LENGTH + IV_LENGTH + TAG_LENGTH || blob[0] !== BLOB_VERSION) throw invalid();
    const key = this.keys.get(blob.subarray(1, HEADER_LENGTH).toString('ascii'));
    if (!key) throw invalid();
    if (expectedKeyId !== undefined && this.resolve(expectedKeyId).id !== key.id) {
      throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    }
    if (!key.enabled) throw new KmsError('DisabledException', `${key.arn} is disabled.`);
    const iv = blob.subarray(HEADER_LENGTH, HEADER_LENGTH + IV_LENGTH);
    const tag = blob.subarray(HEADER_LENGTH + IV_LENGTH, HEADER_LENGTH + IV_LENGTH + TAG_LENGTH);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.material, iv);
      decipher.setAAD(Buffer.concat([blob.subarray(0, HEADER_LENGTH), canonicalContext(context)]));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(blob.subarray(HEADER_LENGTH + IV_LENGTH + TAG_LENGTH)), decipher.final()]);
      return { key, plaintext };
    } catch {
      throw invalid();
    }
  }

  metadata(key: Key) {
    return {
      AWSAccountId: this.accountId,
      KeyId: key.id,
      Arn: key.arn,
      CreationDate: key.creationDate,
      Enabled: key.enabled,
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: key.enabled ? 'Enabled' : 'Disabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    };
  }
}

// Request field shapes. Unknown fields (GrantTokens, Tags, Policy...) are accepted and ignored.
const keyRef = z.string().min(1).max(2048);
const blob = z.base64().transform((s) => Buffer.from(s, 'base64'));
const plaintext = blob.refine((b) => b.length >= 1 && b.length <= 4096, 'Member must have length between 1 and 4096');
const ciphertext = blob.refine((b) => b.length >= 1 && b.length <= 6144, 'Member must have length between 1 and 6144');
const context = z.record(z.string(), z.string()).optional();
const algorithm = z.literal('SYMMETRIC_DEFAULT').optional();
const page = { Limit: z.number().int().min(1).max(1000).optional(), Marker: z.string().min(1).optional() };
const dataKey = z.object({
  KeyId: keyRef,
  EncryptionContext: context,
  KeySpec: z.enum(DataKeySpec).optional(),
  NumberOfBytes: z.number().int().min(1).max(1024).optional(),
});

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    return `Value at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: ${missing ? 'Member must not be null' : issue.message}`;
  });
  throw new KmsError('ValidationException', `${issues.length} validation error${issues.length > 1 ? 's' : ''} detected: ${issues.join('; ')}`);
}

function paginate<T>(items: T[], limit = 100, marker?: string) {
  const start = marker === undefined ? 0 : Number(marker);
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new KmsError('InvalidMarkerException', 'Invalid marker');
  const end = start + limit;
  return end < items.length
    ? { items: items.slice(start, end), NextMarker: String(end), Truncated: true }
    : { items: items.slice(start), Truncated: false };
}

function dataKeyBytes({ KeySpec: spec, NumberOfBytes: bytes }: z.output<typeof dataKey>): Buffer {
  if ((spec === undefined) === (bytes === undefined)) {
    throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  return randomBytes(bytes ?? (spec === 'AES_128' ? 16 : 32));
}

type Operation = (body: unknown) => object;
const op =
  <S extends z.ZodType>(schema: S, run: (input: z.output<S>) => object): Operation =>
  (body) =>
    run(parse(schema, body));

/** The operation table: one entry per supported TrentService operation. */
function operations(store: KeyStore): Record<string, Operation> {
  const b64 = (b: Buffer) => b.toString('base64');
  const keyOnly = z.object({ KeyId: keyRef });
  const setEnabled = (enabled: boolean) =>
    op(keyOnly, ({ KeyId }) => {
      store.resolve(KeyId, { aliases: false }).enabled = enabled;
      return {};
    });

  return {
    CreateKey: op(
      z.object({
        Description: z.string().max(8192).optional(),
        KeySpec: z.enum(KeySpec).optional(),
        CustomerMasterKeySpec: z.enum(KeySpec).optional(),
        KeyUsage: z.enum(KeyUsageType).optional(),
      }),
      (input) => {
        const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
        if (spec !== 'SYMMETRIC_DEFAULT') throw new KmsError('UnsupportedOperationException', `The KMS emulator supports only SYMMETRIC_DEFAULT keys, not ${spec}.`);
        if ((input.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') {
          throw new KmsError('ValidationException', `KeyUsage ${input.KeyUsage} is not compatible with KeySpec SYMMETRIC_DEFAULT`);
        }
        return { KeyMetadata: store.metadata(store.create(input.Description ?? '')) };
      },
    ),
    DescribeKey: op(keyOnly, ({ KeyId }) => ({ KeyMetadata: store.metadata(store.resolve(KeyId)) })),
    ListKeys: op(z.object(page), ({ Limit, Marker }) => {
      const { items, ...rest } = paginate(store.allKeys(), Limit, Marker);
      return { Keys: items.map((key) => ({ KeyId: key.id, KeyArn: key.arn })), ...rest };
    }),
    EnableKey: setEnabled(true),
    DisableKey: setEnabled(false),
    CreateAlias: op(z.object({ AliasName: z.string().min(1).max(256).regex(/^[a-zA-Z0-9:/_-]+$/), TargetKeyId: keyRef }), (input) => {
      if (!input.AliasName.startsWith('alias/') || input.AliasName.startsWith('alias/aws/')) {
        throw new KmsError('InvalidAliasNameException', `Alias must start with the prefix "alias/" and must not start with "alias/aws/".`);
      }
      store.createAlias(input.AliasName, store.resolve(input.TargetKeyId, { aliases: false }));
      return {};
    }),
    ListAliases: op(z.object({ KeyId: keyRef.optional(), ...page }), ({ KeyId, Limit, Marker }) => {
      const target = KeyId === undefined ? undefined : store.resolve(KeyId, { aliases: false }).id;
      const aliases = store.allAliases().filter((alias) => target === undefined || alias.targetKeyId === target);
      const { items, ...rest } = paginate(aliases, Limit, Marker);
      const Aliases = items.map((alias) => ({
        AliasName: alias.name,
        AliasArn: store.arn(alias.name),
        TargetKeyId: alias.targetKeyId,
        CreationDate: alias.creationDate,
        LastUpdatedDate: alias.creationDate,
      }));
      return { Aliases, ...rest };
    }),
    EnableKeyRotation: op(z.object({ KeyId: keyRef, RotationPeriodInDays: z.number().int().min(90).max(2560).optional() }), (input) => {
      store.usable(input.KeyId, { aliases: false }).rotationPeriodInDays = input.RotationPeriodInDays ?? 365;
      return {};
    }),
    DisableKeyRotation: op(keyOnly, ({ KeyId }) => {
      store.usable(KeyId, { aliases: false }).rotationPeriodInDays = undefined;
      return {};
    }),
    GetKeyRotationStatus: op(keyOnly, ({ KeyId }) => {
      const key = store.resolve(KeyId, { aliases: false });
      const enabled = key.rotationPeriodInDays !== undefined;
      return { KeyId: key.arn, KeyRotationEnabled: enabled, ...(enabled && { RotationPeriodInDays: key.rotationPeriodInDays }) };
    }),
    Encrypt: op(z.object({ KeyId: keyRef, Plaintext: plaintext, EncryptionContext: context, EncryptionAlgorithm: algorithm }), (input) => {
      const key = store.usable(input.KeyId);
      const sealed = store.seal(key, input.Plaintext, input.EncryptionContext);
      return { CiphertextBlob: b64(sealed), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    }),
    Decrypt: op(
      z.object({ CiphertextBlob: ciphertext, KeyId: keyRef.optional(), EncryptionContext: context, EncryptionAlgorithm: algorithm }),
      (input) => {
        const { key, plaintext } = store.open(input.CiphertextBlob, input.EncryptionContext, input.KeyId);
        return { KeyId: key.arn, Plaintext: b64(plaintext), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      },
    ),
    GenerateDataKey: op(dataKey, (input) => {
      const key = store.usable(input.KeyId);
      const plain = dataKeyBytes(input);
      return { KeyId: key.arn, Plaintext: b64(plain), CiphertextBlob: b64(store.seal(key, plain, input.EncryptionContext)) };
    }),
    GenerateDataKeyWithoutPlaintext: op(dataKey, (input) => {
      const key = store.usable(input.KeyId);
      return { KeyId: key.arn, CiphertextBlob: b64(store.seal(key, dataKeyBytes(input), input.EncryptionContext)) };
    }),
    ReEncrypt: op(
      z.object({
        CiphertextBlob: ciphertext,
        SourceKeyId: keyRef.optional(),
        SourceEncryptionContext: context,
        DestinationKeyId: keyRef,
        DestinationEncryptionContext: context,
        SourceEncryptionAlgorithm: algorithm,
        DestinationEncryptionAlgorithm: algorithm,
      }),
      (input) => {
        const source = store.open(input.CiphertextBlob, input.SourceEncryptionContext, input.SourceKeyId);
        const destination = store.usable(input.DestinationKeyId);
        return {
          CiphertextBlob: b64(store.seal(destination, source.plaintext, input.DestinationEncryptionContext)),
          SourceKeyId: source.key.arn,
          KeyId: destination.arn,
          SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      },
    ),
  };
}

const TARGET_PREFIX = 'TrentService.';
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=[^/\s]+\/\d{8}\/[^/\s]+\/([^/\s]+)\/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$/;

/** Refuses unsigned or malformed requests the way AWS does; the signature itself is not verified. */
function authenticate(headers: IncomingHttpHeaders): void {
  const authorization = headers.authorization;
  if (authorization === undefined) throw new KmsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const match = SIGV4.exec(authorization);
  if (!match) throw new KmsError('IncompleteSignatureException', `Authorization header is not a valid AWS4-HMAC-SHA256 signature.`);
  if (match[1] !== 'kms') throw new KmsError('InvalidSignatureException', `Credential should be scoped to correct service: 'kms'.`);
  if (headers['x-amz-date'] === undefined && headers.date === undefined) {
    throw new KmsError('IncompleteSignatureException', `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
  }
}

function parseBody(raw: string): unknown {
  if (raw === '') return {};
  try {
    const body: unknown = JSON.parse(raw);
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body;
  } catch {
    // falls through to the same error
  }
  throw new KmsError('SerializationException', 'Request body is not a JSON object.');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, payload: object): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

export async function startKmsEmulator(options: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const host = options.host ?? '127.0.0.1';
  const table = operations(new KeyStore(options.region ?? 'us-east-1', options.accountId ?? '000000000000'));
  const faults = new Map<string, { errorType: string; remaining: number }>();
  let counts: Record<string, number> = {};
  let latencyMs = 0;

  const injectedFault = (operation: string): KmsError | undefined => {
    const fault = faults.get(operation);
    if (!fault) return undefined;
    if (--fault.remaining <= 0) faults.delete(operation);
    const message = fault.errorType === 'ThrottlingException' ? 'Rate exceeded' : `${fault.errorType} injected by the KMS emulator`;
    return new KmsError(fault.errorType, message);
  };

  /** The one request router: target → count → auth → injected fault → operation. */
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const raw = await readBody(req);
      if (latencyMs > 0) await sleep(latencyMs);
      const target = req.headers['x-amz-target'];
      const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      const run = req.method === 'POST' && Object.hasOwn(table, operation) ? table[operation] : undefined;
      if (!run) throw new KmsError('UnknownOperationException', `Unknown operation ${String(target)}`);
      counts[operation] = (counts[operation] ?? 0) + 1;
      authenticate(req.headers);
      const fault = injectedFault(operation);
      if (fault) throw fault;
      send(res, 200, run(parseBody(raw)));
    } catch (err) {
      if (!(err instanceof KmsError)) console.error('KMS emulator: unexpected error', err);
      const error = err instanceof KmsError ? err : new KmsError('KMSInternalException', 'Internal error in the KMS emulator');
      send(res, SERVER_ERROR_STATUS[error.type] ?? 400, { __type: error.type, message: error.message });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // the SDK keeps connections alive
      }),
    requestCounts: () => ({ ...counts }),
    resetCounts: () => {
      counts = {};
    },
    failNext: (operation, errorType, count = 1) => {
      if (!Object.hasOwn(table, operation)) throw new Error(`The KMS emulator has no operation ${operation}`);
      if (!Number.isInteger(count) || count < 1) throw new Error(`failNext count must be a positive integer, not ${count}`);
      faults.set(operation, { errorType, remaining: count });
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
  };
}
