import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EnvelopeOpener, EnvelopeSealer } from '#commons/crypto/vault';

/**
 * The sweep opens a whole page of tokens at once. Tokens sealed under one data key must then cost
 * one KMS Decrypt, not one each, even when the worker's cache is cold.
 */
const kmsMock = mockClient(KMSClient);
const kms = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const keys = new Map<string, Uint8Array>();

beforeEach(() => {
  kmsMock.reset();
  keys.clear();
  kmsMock.on(GenerateDataKeyCommand).callsFake(async () => {
    const plaintext = new Uint8Array(randomBytes(32));
    const blob = new Uint8Array(randomBytes(48));
    keys.set(Buffer.from(blob).toString('hex'), plaintext);
    return { Plaintext: plaintext, CiphertextBlob: blob };
  });
  kmsMock.on(DecryptCommand).callsFake(async (input) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { Plaintext: keys.get(Buffer.from(input.CiphertextBlob!).toString('hex')) };
  });
});

describe('EnvelopeOpener.open under concurrency', () => {
  it('shares one Decrypt among concurrent opens of tokens under the same data key', async () => {
    const sealer = new EnvelopeSealer(kms, 'alias/k', { dataKeyMaxUses: 100 });
    const bindings = Array.from({ length: 150 }, (_, i) => ({ sessionId: `ses_${i}`, userId: `usr_${i}` }));
    const sealed = await Promise.all(bindings.map((b, i) => sealer.seal(`token-${i}`, b)));
    // 150 tokens, 100 per data key: two data keys.
    expect(kmsMock.commandCalls(GenerateDataKeyCommand)).toHaveLength(2);

    const opener = new EnvelopeOpener(kms, 'alias/k');
    const opened = await Promise.all(sealed.map((s, i) => opener.open(s, bindings[i]!)));
    expect(opened).toEqual(bindings.map((_, i) => `token-${i}`));
    expect(kmsMock.commandCalls(DecryptCommand)).toHaveLength(2);
  });

  it('lets a failed Decrypt fail every waiting open, and tries again afterwards', async () => {
    const sealer = new EnvelopeSealer(kms, 'alias/k');
    const binding = { sessionId: 'ses_1', userId: 'usr_1' };
    const sealed = await sealer.seal('token', binding);
    const opener = new EnvelopeOpener(kms, 'alias/k');
    kmsMock.on(DecryptCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const results = await Promise.allSettled([opener.open(sealed, binding), opener.open(sealed, binding)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(kmsMock.commandCalls(DecryptCommand)).toHaveLength(1);
    kmsMock.on(DecryptCommand).callsFake(async (input) => ({ Plaintext: keys.get(Buffer.from(input.CiphertextBlob!).toString('hex')) }));
    await expect(opener.open(sealed, binding)).resolves.toBe('token');
  });
});
