import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EnvelopeOpener, type EnvelopeOpenerOptions, EnvelopeSealer, type EnvelopeSealerOptions, KMS_ENCRYPTION_CONTEXT, VaultError } from '#commons/crypto/vault';

const KEY_ID = 'alias/session-guard-test';
const TOKEN = 'EAAGsessionInfoToken1234567890abcdefABCDEF';
const BINDING = { sessionId: 'ses_AAAAAAAAAAAAAAAAAAAAAA', userId: 'usr_BBBBBBBBBBBBBBBBBBBBBB' };

/**
 * A fake KMS behind the real client: GenerateDataKey makes a random key and an opaque "wrapped"
 * blob; Decrypt unwraps only blobs it made, and only under the encryption context it made them with.
 */
const kmsMock = mockClient(KMSClient);
const kms = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
let wrappedKeys: Map<string, { plaintext: Uint8Array; context: string }>;

beforeEach(() => {
  kmsMock.reset();
  wrappedKeys = new Map();
  kmsMock.on(GenerateDataKeyCommand).callsFake(async (input) => {
    const plaintext = new Uint8Array(randomBytes(32));
    const blob = new Uint8Array(randomBytes(48));
    wrappedKeys.set(Buffer.from(blob).toString('hex'), { plaintext, context: JSON.stringify(input.EncryptionContext ?? {}) });
    return { KeyId: KEY_ID, Plaintext: plaintext, CiphertextBlob: blob };
  });
  kmsMock.on(DecryptCommand).callsFake(async (input) => {
    const entry = wrappedKeys.get(Buffer.from(input.CiphertextBlob!).toString('hex'));
    if (!entry || entry.context !== JSON.stringify(input.EncryptionContext ?? {})) {
      throw new InvalidCiphertextException({ message: 'InvalidCiphertextException', $metadata: {} });
    }
    return { KeyId: KEY_ID, Plaintext: entry.plaintext };
  });
});

const generateCalls = () => kmsMock.commandCalls(GenerateDataKeyCommand);
const decryptCalls = () => kmsMock.commandCalls(DecryptCommand);
/** A sealer and an opener side by side, as a sign-in function and the sweep worker hold them. */
function envelope(options: EnvelopeSealerOptions & EnvelopeOpenerOptions = {}) {
  const sealer = new EnvelopeSealer(kms, KEY_ID, options);
  const opener = new EnvelopeOpener(kms, KEY_ID, options);
  return { sealer, seal: sealer.seal.bind(sealer), open: opener.open.bind(opener) };
}

const wrappedPartOf = (sealed: string) => sealed.split('.')[1]!;

/** Replaces one base64url segment of a sealed token with the same bytes, one bit flipped. */
function flipBit(sealed: string, segment: 1 | 2 | 3, byte = 0): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[segment]!, 'base64url');
  bytes[byte] = bytes[byte]! ^ 0x01;
  parts[segment] = bytes.toString('base64url');
  return parts.join('.');
}

describe('EnvelopeVault.seal / open', () => {
  it('opens what it sealed for the same session and user', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    await expect(vault.open(sealed, BINDING)).resolves.toBe(TOKEN);
  });

  it('never puts the plaintext token in the sealed form', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    expect(sealed).not.toContain(TOKEN);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  });

  it('seals the same token differently each time (fresh IV)', async () => {
    const vault = envelope();
    const [a, b] = [await vault.seal(TOKEN, BINDING), await vault.seal(TOKEN, BINDING)];
    expect(a).not.toBe(b);
    expect(wrappedPartOf(a)).toBe(wrappedPartOf(b));
  });

  it('asks KMS for an AES_256 data key under the session-info-token encryption context', async () => {
    const vault = envelope();
    await vault.seal(TOKEN, BINDING);
    expect(generateCalls()).toHaveLength(1);
    expect(generateCalls()[0]!.args[0].input).toEqual({
      KeyId: KEY_ID,
      KeySpec: 'AES_256',
      EncryptionContext: { purpose: 'session-info-token' },
    });
    expect(KMS_ENCRYPTION_CONTEXT).toEqual({ purpose: 'session-info-token' });
  });

  it('keeps no key for opening on the sealing side: the opener unwraps with Decrypt even right after a seal', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    expect('open' in vault.sealer).toBe(false);
    await vault.open(sealed, BINDING);
    expect(decryptCalls()).toHaveLength(1);
  });
});

describe('EnvelopeSealer: no data key past its sealing window', () => {
  it('wipes the unwrapped data key when its window ends, even if no seal comes to notice', async () => {
    vi.useFakeTimers();
    try {
      const sealer = new EnvelopeSealer(kms, KEY_ID, { dataKeyMaxAgeMs: 60_000 });
      await sealer.seal(TOKEN, BINDING);
      const internal = sealer as unknown as { sealingKey: { plaintext: Buffer } };
      const key = internal.sealingKey.plaintext;
      expect(sealer.holdsDataKey).toBe(true);
      vi.advanceTimersByTime(59_999);
      expect(sealer.holdsDataKey).toBe(true);
      vi.advanceTimersByTime(1);
      expect(sealer.holdsDataKey).toBe(false);
      // The bytes themselves are zeroed, not just left for the garbage collector.
      vi.runAllTicks();
      await vi.runAllTimersAsync();
      expect(key.equals(Buffer.alloc(32))).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('wipes the previous key when it renews one at the end of its uses', async () => {
    const sealer = new EnvelopeSealer(kms, KEY_ID, { dataKeyMaxUses: 1 });
    await sealer.seal(TOKEN, BINDING);
    const internal = sealer as unknown as { sealingKey: { plaintext: Buffer } };
    const first = internal.sealingKey.plaintext;
    await sealer.seal(TOKEN, BINDING);
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.equals(Buffer.alloc(32))).toBe(true);
    expect(internal.sealingKey.plaintext.equals(Buffer.alloc(32))).toBe(false);
  });
});

describe('binding a sealed token to its session and user', () => {
  it('refuses to open a ciphertext copied onto another session', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    await expect(vault.open(sealed, { ...BINDING, sessionId: 'ses_CCCCCCCCCCCCCCCCCCCCCC' })).rejects.toBeInstanceOf(VaultError);
  });

  it('refuses to open a ciphertext copied onto another user', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    await expect(vault.open(sealed, { ...BINDING, userId: 'usr_DDDDDDDDDDDDDDDDDDDDDD' })).rejects.toBeInstanceOf(VaultError);
  });

  it('does not let session and user ids be shifted into each other', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, { sessionId: 'ses_a', userId: 'b' });
    await expect(vault.open(sealed, { sessionId: 'ses_', userId: 'ab' })).rejects.toBeInstanceOf(VaultError);
    await expect(vault.open(sealed, { sessionId: 'ses_ab', userId: '' })).rejects.toBeInstanceOf(VaultError);
  });

  it('refuses to open a different session\'s ciphertext even in a fresh vault (cold start)', async () => {
    const sealed = await envelope().seal(TOKEN, BINDING);
    const coldVault = envelope();
    await expect(coldVault.open(sealed, { ...BINDING, sessionId: 'ses_CCCCCCCCCCCCCCCCCCCCCC' })).rejects.toBeInstanceOf(VaultError);
    await expect(coldVault.open(sealed, BINDING)).resolves.toBe(TOKEN);
  });
});

describe('tampering', () => {
  it('refuses a ciphertext whose body was altered', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    await expect(vault.open(flipBit(sealed, 3, 0), BINDING)).rejects.toBeInstanceOf(VaultError);
  });

  it('refuses a ciphertext whose authentication tag was altered', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    const tagByte = Buffer.from(sealed.split('.')[3]!, 'base64url').length - 1;
    await expect(vault.open(flipBit(sealed, 3, tagByte), BINDING)).rejects.toBeInstanceOf(VaultError);
  });

  it('refuses a ciphertext whose IV was altered', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    await expect(vault.open(flipBit(sealed, 2, 5), BINDING)).rejects.toBeInstanceOf(VaultError);
  });

  it('refuses a ciphertext whose wrapped data key was altered (KMS will not unwrap it)', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    await expect(vault.open(flipBit(sealed, 1, 0), BINDING)).rejects.toThrow();
  });

  it('refuses malformed and truncated sealed tokens with VaultError before calling KMS', async () => {
    const vault = envelope();
    const sealed = await vault.seal(TOKEN, BINDING);
    const [, wrapped, iv, body] = sealed.split('.') as [string, string, string, string];
    const broken = [
      '',
      TOKEN,
      `v2.${wrapped}.${iv}.${body}`,
      `v1.${wrapped}.${iv}`,
      `${sealed}.extra`,
      `v1.${wrapped}.${iv.slice(0, 8)}.${body}`,
      `v1.${wrapped}.${iv}.${Buffer.from(body, 'base64url').subarray(0, 15).toString('base64url')}`,
    ];
    for (const candidate of broken) {
      await expect(vault.open(candidate, BINDING), candidate).rejects.toBeInstanceOf(VaultError);
    }
    expect(decryptCalls()).toHaveLength(0);
  });
});

describe('data key reuse and renewal', () => {
  it('seals 1000 tokens with one GenerateDataKey call', async () => {
    const vault = envelope();
    const sealed = [];
    for (let i = 0; i < 1000; i++) sealed.push(await vault.seal(`${TOKEN}${i}`, BINDING));
    expect(generateCalls()).toHaveLength(1);
    expect(new Set(sealed.map(wrappedPartOf)).size).toBe(1);
  });

  it('renews the data key once it is older than dataKeyMaxAgeMs', async () => {
    let now = 1_000_000;
    const vault = envelope({ dataKeyMaxAgeMs: 60_000, now: () => now });
    const first = await vault.seal(TOKEN, BINDING);
    now += 59_999;
    const stillFirst = await vault.seal(TOKEN, BINDING);
    expect(generateCalls()).toHaveLength(1);
    now += 1;
    const second = await vault.seal(TOKEN, BINDING);
    expect(generateCalls()).toHaveLength(2);
    expect(wrappedPartOf(stillFirst)).toBe(wrappedPartOf(first));
    expect(wrappedPartOf(second)).not.toBe(wrappedPartOf(first));
  });

  it('renews the data key after dataKeyMaxUses seals', async () => {
    const vault = envelope({ dataKeyMaxUses: 3 });
    const sealed = [];
    for (let i = 0; i < 7; i++) sealed.push(await vault.seal(TOKEN, BINDING));
    expect(generateCalls()).toHaveLength(3);
    const wrapped = sealed.map(wrappedPartOf);
    expect(new Set(wrapped.slice(0, 3)).size).toBe(1);
    expect(new Set(wrapped.slice(3, 6)).size).toBe(1);
    expect(wrapped[3]).not.toBe(wrapped[0]);
    expect(wrapped[6]).not.toBe(wrapped[3]);
  });

  it('still opens tokens sealed under an earlier data key after renewal', async () => {
    let now = 0;
    const vault = envelope({ dataKeyMaxAgeMs: 1000, now: () => now });
    const old = await vault.seal('old-token', BINDING);
    now += 5000;
    const fresh = await vault.seal('fresh-token', BINDING);
    expect(wrappedPartOf(old)).not.toBe(wrappedPartOf(fresh));
    await expect(vault.open(old, BINDING)).resolves.toBe('old-token');
    await expect(vault.open(fresh, BINDING)).resolves.toBe('fresh-token');
  });

  it('shares one GenerateDataKey call between concurrent seals', async () => {
    const vault = envelope();
    const sealed = await Promise.all(Array.from({ length: 50 }, (_, i) => vault.seal(`${TOKEN}${i}`, BINDING)));
    expect(generateCalls()).toHaveLength(1);
    expect(new Set(sealed.map(wrappedPartOf)).size).toBe(1);
  });

  // Seals waiting on the same GenerateDataKey used to all take that key; each now reserves a use.
  it('never seals more than dataKeyMaxUses tokens with one data key, even when seals run concurrently', async () => {
    const vault = envelope({ dataKeyMaxUses: 2 });
    const sealed = await Promise.all(Array.from({ length: 10 }, (_, i) => vault.seal(`${TOKEN}${i}`, BINDING)));
    const usesPerKey = new Map<string, number>();
    for (const s of sealed) usesPerKey.set(wrappedPartOf(s), (usesPerKey.get(wrappedPartOf(s)) ?? 0) + 1);
    expect(Math.max(...usesPerKey.values())).toBeLessThanOrEqual(2);
  });

  it('tries KMS again on the next seal after a failed GenerateDataKey', async () => {
    const vault = envelope();
    const outage = Object.assign(new Error('KMS is unavailable'), { name: 'KMSInternalException' });
    kmsMock.on(GenerateDataKeyCommand).rejectsOnce(outage);
    await expect(vault.seal(TOKEN, BINDING)).rejects.toBe(outage);
    // The fake from beforeEach is gone after `on(...)`; answer the retry with a valid key.
    kmsMock.on(GenerateDataKeyCommand).resolves({ Plaintext: new Uint8Array(randomBytes(32)), CiphertextBlob: new Uint8Array(randomBytes(48)) });
    await expect(vault.seal(TOKEN, BINDING)).resolves.toMatch(/^v1\./);
    expect(generateCalls()).toHaveLength(2);
  });

  it('fails with VaultError when KMS returns no data key', async () => {
    kmsMock.on(GenerateDataKeyCommand).resolves({ CiphertextBlob: new Uint8Array(8) });
    await expect(envelope().seal(TOKEN, BINDING)).rejects.toBeInstanceOf(VaultError);
  });
});

describe('unwrapped key cache for opening', () => {
  async function sealUnderDistinctKeys(count: number): Promise<string[]> {
    const sealer = envelope({ dataKeyMaxUses: 1 });
    const sealed = [];
    for (let i = 0; i < count; i++) sealed.push(await sealer.seal(`token-${i}`, BINDING));
    kmsMock.resetHistory();
    return sealed;
  }

  it('calls Decrypt once per distinct data key across many opens, under the same encryption context', async () => {
    const [a, b] = await sealUnderDistinctKeys(2);
    const opener = envelope();
    for (let i = 0; i < 100; i++) {
      await expect(opener.open(a!, BINDING)).resolves.toBe('token-0');
      await expect(opener.open(b!, BINDING)).resolves.toBe('token-1');
    }
    expect(decryptCalls()).toHaveLength(2);
    for (const call of decryptCalls()) {
      expect(call.args[0].input.EncryptionContext).toEqual({ purpose: 'session-info-token' });
      expect(call.args[0].input.KeyId).toBe(KEY_ID);
    }
    expect(decryptCalls().map((c) => Buffer.from(c.args[0].input.CiphertextBlob!).toString('base64url'))).toEqual([
      wrappedPartOf(a!),
      wrappedPartOf(b!),
    ]);
  });

  it('unwraps again once a cached key is older than openCacheMaxAgeMs', async () => {
    const [a] = await sealUnderDistinctKeys(1);
    let now = 0;
    const opener = envelope({ openCacheMaxAgeMs: 10_000, now: () => now });
    await opener.open(a!, BINDING);
    now += 9_999;
    await opener.open(a!, BINDING);
    expect(decryptCalls()).toHaveLength(1);
    now += 1;
    await opener.open(a!, BINDING);
    expect(decryptCalls()).toHaveLength(2);
  });

  it('keeps at most openCacheMaxEntries unwrapped keys, dropping the oldest', async () => {
    const [a, b, c] = await sealUnderDistinctKeys(3);
    const opener = envelope({ openCacheMaxEntries: 2 });
    await opener.open(a!, BINDING);
    await opener.open(b!, BINDING);
    await opener.open(c!, BINDING); // evicts a
    expect(decryptCalls()).toHaveLength(3);
    await opener.open(b!, BINDING);
    await opener.open(c!, BINDING);
    expect(decryptCalls()).toHaveLength(3);
    await opener.open(a!, BINDING); // a was evicted: unwrap again
    expect(decryptCalls()).toHaveLength(4);
  });

  it('fails with VaultError when KMS returns no plaintext', async () => {
    const [a] = await sealUnderDistinctKeys(1);
    kmsMock.on(DecryptCommand).resolves({});
    await expect(envelope().open(a!, BINDING)).rejects.toBeInstanceOf(VaultError);
  });
});
