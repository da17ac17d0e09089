import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  InvalidCiphertextException,
  KMSClient,
  type KMSClientConfig,
  ListAliasesCommand,
  ListKeysCommand,
  NotFoundException,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KmsEmulator, startKmsEmulator } from '#local/emulators/kms';

let emulator: KmsEmulator;
let kms: KMSClient;

const clientFor = (config: Partial<KMSClientConfig> = {}) =>
  new KMSClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...config,
  });

const createKey = async (description = 'test key') => {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: description }));
  return KeyMetadata!;
};

const rawRequest = (operation: string, headers: Record<string, string> = {}) =>
  fetch(emulator.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}`, ...headers },
    body: '{}',
  });

beforeAll(async () => {
  emulator = await startKmsEmulator();
  kms = clientFor();
});

afterAll(async () => {
  kms.destroy();
  await emulator.close();
});

describe('KMS emulator', () => {
  it('creates a symmetric key with real-shaped metadata', async () => {
    const key = await createKey('session tokens');

    expect(key).toMatchObject({
      AWSAccountId: '000000000000',
      Arn: `arn:aws:kms:us-east-1:000000000000:key/${key.KeyId}`,
      Description: 'session tokens',
      Enabled: true,
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
    });
    expect(key.KeyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(key.CreationDate).toBeInstanceOf(Date);
    const { Keys } = await kms.send(new ListKeysCommand({}));
    expect(Keys).toContainEqual({ KeyId: key.KeyId, KeyArn: key.Arn });
  });

  it('resolves a key by id, key ARN, alias name and alias ARN', async () => {
    const key = await createKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/session-guard', TargetKeyId: key.KeyId }));
    const aliasArn = 'arn:aws:kms:us-east-1:000000000000:alias/session-guard';

    for (const ref of [key.KeyId, key.Arn, 'alias/session-guard', aliasArn]) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: ref }));
      expect(KeyMetadata?.KeyId).toBe(key.KeyId);
    }
    const { Aliases } = await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }));
    expect(Aliases).toEqual([expect.objectContaining({ AliasName: 'alias/session-guard', AliasArn: aliasArn, TargetKeyId: key.KeyId })]);
  });

  it('refuses a duplicate alias and a name without the alias/ prefix', async () => {
    const key = await createKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: key.KeyId }));

    await expect(kms.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: key.KeyId }))).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
    await expect(kms.send(new CreateAliasCommand({ AliasName: 'taken', TargetKeyId: key.KeyId }))).rejects.toMatchObject({
      name: 'InvalidAliasNameException',
    });
  });

  it('decrypts what it encrypted under the same encryption context, without being told the key', async () => {
    const key = await createKey();
    const context = { purpose: 'session-info-token', tenant: 'a' };
    const { CiphertextBlob, KeyId } = await kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('secret'), EncryptionContext: context }),
    );
    expect(KeyId).toBe(key.Arn);

    // context order does not matter, as in KMS
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 'a', purpose: 'session-info-token' } }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('secret');
    expect(decrypted.KeyId).toBe(key.Arn);
  });

  it('refuses to decrypt under a different or missing encryption context', async () => {
    const key = await createKey();
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('secret'), EncryptionContext: { purpose: 'a' } }),
    );

    await expect(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { purpose: 'b' } }))).rejects.toBeInstanceOf(
      InvalidCiphertextException,
    );
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });

  it('refuses a tampered or truncated ciphertext blob', async () => {
    const key = await createKey();
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('secret') }));
    const tampered = Buffer.from(CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 0x01;

    await expect(kms.send(new DecryptCommand({ CiphertextBlob: tampered }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: CiphertextBlob!.subarray(0, 20) }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it('refuses to decrypt with a KeyId other than the one that encrypted', async () => {
    const [key, other] = [await createKey(), await createKey()];
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('secret') }));

    await expect(kms.send(new DecryptCommand({ CiphertextBlob, KeyId: other.KeyId }))).rejects.toMatchObject({ name: 'IncorrectKeyException' });
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob, KeyId: key.Arn }));
    expect(Buffer.from(Plaintext!).toString()).toBe('secret');
  });

  it('generates a 32-byte data key whose wrapped copy decrypts back to it', async () => {
    const key = await createKey();
    const context = { purpose: 'session-info-token' };
    const generated = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: context }));

    expect(generated.Plaintext).toHaveLength(32);
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(Plaintext!).equals(Buffer.from(generated.Plaintext!))).toBe(true);

    const sixteen = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 16 }));
    expect(sixteen.Plaintext).toHaveLength(16);
    const wrappedOnly = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_128' }));
    expect(wrappedOnly).not.toHaveProperty('Plaintext');
    const unwrapped = await kms.send(new DecryptCommand({ CiphertextBlob: wrappedOnly.CiphertextBlob }));
    expect(unwrapped.Plaintext).toHaveLength(16);
  });

  it('re-encrypts under another key and context', async () => {
    const [source, destination] = [await createKey(), await createKey()];
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: source.KeyId, Plaintext: Buffer.from('secret'), EncryptionContext: { v: '1' } }),
    );
    const reEncrypted = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob,
        SourceEncryptionContext: { v: '1' },
        DestinationKeyId: destination.KeyId,
        DestinationEncryptionContext: { v: '2' },
      }),
    );

    expect(reEncrypted).toMatchObject({ SourceKeyId: source.Arn, KeyId: destination.Arn });
    const { Plaintext, KeyId } = await kms.send(new DecryptCommand({ CiphertextBlob: reEncrypted.CiphertextBlob, EncryptionContext: { v: '2' } }));
    expect([Buffer.from(Plaintext!).toString(), KeyId]).toEqual(['secret', destination.Arn]);
  });

  it('reports an unknown key or alias as NotFoundException', async () => {
    const missingId = '11111111-2222-3333-4444-555555555555';

    await expect(kms.send(new DescribeKeyCommand({ KeyId: missingId }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(kms.send(new EncryptCommand({ KeyId: 'alias/nope', Plaintext: Buffer.from('x') }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(
      kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:eu-west-1:000000000000:key/${missingId}` })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('refuses to use a disabled key until it is enabled again', async () => {
    const key = await createKey();
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('secret') }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));

    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(KeyMetadata).toMatchObject({ Enabled: false, KeyState: 'Disabled' });
    await expect(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }))).rejects.toMatchObject({
      name: 'DisabledException',
    });
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({ name: 'DisabledException' });

    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).resolves.toMatchObject({ KeyId: key.Arn });
  });

  it('turns key rotation on and reports it', async () => {
    const key = await createKey();
    expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).toMatchObject({ KeyRotationEnabled: false });

    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));

    expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.Arn }))).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 365,
    });
  });

  it('answers invalid input with ValidationException', async () => {
    const key = await createKey();

    await expect(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.alloc(4097) }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_512' as 'AES_256' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(kms.send(new EncryptCommand({ Plaintext: Buffer.from('x') } as never))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('injects faults the SDK recognises by name, and its retries absorb a single throttle', async () => {
    const key = await createKey();
    const noRetries = clientFor({ maxAttempts: 1 });
    emulator.failNext('GenerateDataKey', 'ThrottlingException');
    emulator.failNext('Decrypt', 'KMSInternalException');

    await expect(noRetries.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const { CiphertextBlob } = await noRetries.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
    await expect(noRetries.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({
      name: 'KMSInternalException',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    noRetries.destroy();

    emulator.resetCounts();
    emulator.failNext('GenerateDataKey', 'ThrottlingException');
    await expect(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }))).resolves.toHaveProperty('Plaintext');
    expect(emulator.requestCounts()).toEqual({ GenerateDataKey: 2 });
  });

  it('refuses requests that are not SigV4-signed, as AWS does', async () => {
    const unsigned = await rawRequest('ListKeys');
    expect(unsigned.status).toBe(400);
    expect(unsigned.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await unsigned.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });

    const wrongScheme = await rawRequest('ListKeys', { authorization: 'Bearer local' });
    expect(await wrongScheme.json()).toMatchObject({ __type: 'IncompleteSignatureException' });

    const unknownOperation = await rawRequest('ListEverything');
    expect(await unknownOperation.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('counts requests per operation until reset', async () => {
    const key = await createKey();
    emulator.resetCounts();

    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('a') }));
    await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('b') }));
    await kms.send(new DecryptCommand({ CiphertextBlob }));

    expect(emulator.requestCounts()).toEqual({ Encrypt: 2, Decrypt: 1 });
    emulator.resetCounts();
    expect(emulator.requestCounts()).toEqual({});
  });

  it('applies artificial latency to every request', async () => {
    emulator.setLatency(50);
    const started = performance.now();
    await kms.send(new ListKeysCommand({}));
    emulator.setLatency(0);

    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
