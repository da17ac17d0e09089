import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { TOKEN_ENCRYPTION_CONTEXT } from './token-key-names.ts';

/**
 * Seals Facebook session-info tokens at rest.
 *
 * Envelope encryption: KMS issues AES-256 data keys (under the encryption context
 * `{purpose: session-info-token}`), each sealing many tokens for a bounded time, so a sweep over a
 * million sessions costs a handful of KMS calls, not a million. Each sealed token is AES-256-GCM
 * with the session id and user id as additional authenticated data: the per-item encryption
 * context. A ciphertext copied onto another session or user fails authentication and never opens.
 *
 * Sealing and opening are separate classes because separate functions hold them: the sign-in
 * functions only seal, the sweep worker only opens.
 */
export interface TokenBinding {
  readonly sessionId: string;
  readonly userId: string;
}

export interface TokenSealer {
  seal(plaintext: string, binding: TokenBinding): Promise<string>;
}

export interface TokenOpener {
  open(sealed: string, binding: TokenBinding): Promise<string>;
}

export class VaultError extends Error {
  override readonly name = 'VaultError';
}

export const KMS_ENCRYPTION_CONTEXT = TOKEN_ENCRYPTION_CONTEXT;
const FORMAT = 'v1';

export interface EnvelopeSealerOptions {
  /** How long one data key seals new tokens: its sealing window. @default 5 minutes */
  readonly dataKeyMaxAgeMs?: number;
  /** How many tokens one data key seals at most. @default 100000 */
  readonly dataKeyMaxUses?: number;
  readonly now?: () => number;
}

export interface EnvelopeOpenerOptions {
  /** How long an unwrapped data key stays cached for opening. @default 15 minutes */
  readonly openCacheMaxAgeMs?: number;
  /** How many unwrapped data keys stay cached for opening. @default 50000 */
  readonly openCacheMaxEntries?: number;
  readonly now?: () => number;
}

interface SealingKey {
  readonly plaintext: Buffer;
  readonly wrapped: Buffer;
  readonly createdAt: number;
  uses: number;
}

/**
 * The sealing half, for the functions that open sessions (internet-facing, no `kms:Decrypt`). It
 * holds at most one unwrapped data key, and not past its sealing window: once the window ends (or
 * the key's uses run out) the key is wiped from memory, by a timer if no seal comes to notice. It
 * never keeps a key for opening: a memory dump of a sign-in function exposes at most the tokens
 * sealed in the last window, never the ones stored before.
 */
export class EnvelopeSealer implements TokenSealer {
  private sealingKey: SealingKey | undefined;
  private pendingSealingKey: Promise<SealingKey> | undefined;
  private wipeTimer: NodeJS.Timeout | undefined;
  private readonly maxAgeMs: number;
  private readonly maxUses: number;
  private readonly now: () => number;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    options: EnvelopeSealerOptions = {},
  ) {
    this.maxAgeMs = options.dataKeyMaxAgeMs ?? 5 * 60_000;
    this.maxUses = options.dataKeyMaxUses ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether an unwrapped data key is in memory (for tests of the wiping). */
  get holdsDataKey(): boolean {
    return this.sealingKey !== undefined;
  }

  async seal(plaintext: string, binding: TokenBinding): Promise<string> {
    const key = await this.reserveSealingKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv);
    cipher.setAAD(additionalData(binding));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [FORMAT, key.wrapped.toString('base64url'), iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** A data key with one use reserved for the caller, so concurrent seals respect the use limit. */
  private async reserveSealingKey(): Promise<SealingKey> {
    for (;;) {
      const key = this.sealingKey;
      if (key !== undefined && this.now() - key.createdAt < this.maxAgeMs && key.uses < this.maxUses) {
        key.uses += 1;
        return key;
      }
      if (key !== undefined) this.wipe(key);
      // Concurrent seals share one GenerateDataKey call, then compete for its uses.
      this.pendingSealingKey ??= this.generateDataKey()
        .then((fresh) => this.adopt(fresh))
        .finally(() => {
          this.pendingSealingKey = undefined;
        });
      await this.pendingSealingKey;
    }
  }

  private adopt(fresh: SealingKey): SealingKey {
    this.sealingKey = fresh;
    clearTimeout(this.wipeTimer);
    // Wipe at the end of the window even if no seal comes to notice; never keeps a process alive.
    this.wipeTimer = setTimeout(() => this.wipe(fresh), this.maxAgeMs);
    this.wipeTimer.unref();
    return fresh;
  }

  private wipe(key: SealingKey): void {
    if (this.sealingKey === key) this.sealingKey = undefined;
    // A seal that reserved this key encrypts in the microtask after its reservation: zero the
    // bytes only once those have run.
    setImmediate(() => key.plaintext.fill(0));
  }

  private async generateDataKey(): Promise<SealingKey> {
    const result = await this.kms.send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT } }),
    );
    if (!result.Plaintext || !result.CiphertextBlob) throw new VaultError('KMS returned no data key');
    return { plaintext: Buffer.from(result.Plaintext), wrapped: Buffer.from(result.CiphertextBlob), createdAt: this.now(), uses: 0 };
  }
}

/**
 * The opening half, for the sweep worker alone (the only function with `kms:Decrypt`). One Decrypt
 * per distinct data key serves every token sealed under it: unwrapped keys are cached for a bounded
 * time and number, which is what keeps a sweep to a handful of KMS calls.
 */
export class EnvelopeOpener implements TokenOpener {
  private readonly openCache = new Map<string, { key: Buffer; cachedAt: number }>();
  private readonly pendingUnwraps = new Map<string, Promise<Buffer>>();
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    options: EnvelopeOpenerOptions = {},
  ) {
    this.maxAgeMs = options.openCacheMaxAgeMs ?? 15 * 60_000;
    this.maxEntries = options.openCacheMaxEntries ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  async open(sealed: string, binding: TokenBinding): Promise<string> {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== FORMAT) throw new VaultError('unrecognised sealed token format');
    const [, wrappedText, ivText, bodyText] = parts as [string, string, string, string];
    const wrapped = Buffer.from(wrappedText, 'base64url');
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== 12 || body.length < 16) throw new VaultError('sealed token is truncated');
    const key = await this.unwrap(wrapped);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(additionalData(binding));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new VaultError('sealed token does not belong to this session', { cause });
    }
  }

  private async unwrap(wrapped: Buffer): Promise<Buffer> {
    const cacheKey = cacheKeyOf(wrapped);
    const cached = this.openCache.get(cacheKey);
    if (cached && this.now() - cached.cachedAt < this.maxAgeMs) return cached.key;
    // Concurrent opens of tokens under the same uncached data key share one Decrypt call: a sweep
    // opens a whole page at once, and without this a cold cache costs one KMS call per token.
    let pending = this.pendingUnwraps.get(cacheKey);
    if (!pending) {
      pending = this.decryptDataKey(wrapped, cacheKey).finally(() => this.pendingUnwraps.delete(cacheKey));
      this.pendingUnwraps.set(cacheKey, pending);
    }
    return pending;
  }

  private async decryptDataKey(wrapped: Buffer, cacheKey: string): Promise<Buffer> {
    let result;
    try {
      result = await this.kms.send(
        new DecryptCommand({ CiphertextBlob: wrapped, KeyId: this.keyId, EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT } }),
      );
    } catch (error) {
      // A wrapped key KMS will never open is a bad ciphertext, not passing trouble.
      if (error instanceof Error && (error.name === 'InvalidCiphertextException' || error.name === 'IncorrectKeyException')) {
        throw new VaultError('the data key of this sealed token cannot be unwrapped', { cause: error });
      }
      throw error;
    }
    if (!result.Plaintext) throw new VaultError('KMS returned no plaintext');
    const key = Buffer.from(result.Plaintext);
    this.remember(cacheKey, key);
    return key;
  }

  private remember(cacheKey: string, key: Buffer): void {
    this.openCache.delete(cacheKey);
    this.openCache.set(cacheKey, { key, cachedAt: this.now() });
    // Map keeps insertion order: the first entry is the least recently stored.
    while (this.openCache.size > this.maxEntries) {
      const oldest = this.openCache.keys().next().value;
      if (oldest === undefined) break;
      this.openCache.delete(oldest);
    }
  }
}

/** Unwrapped data keys are cached under a digest of the wrapped key, never the key itself. */
function cacheKeyOf(wrapped: Buffer): string {
  return createHash('sha256').update(wrapped).digest('base64url');
}

function additionalData(binding: TokenBinding): Buffer {
  return Buffer.from(JSON.stringify(['session-guard/session-info-token/v1', binding.sessionId, binding.userId]), 'utf8');
}
