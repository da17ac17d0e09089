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
 */
export interface TokenBinding {
  readonly sessionId: string;
  readonly userId: string;
}

export interface TokenVault {
  seal(plaintext: string, binding: TokenBinding): Promise<string>;
  open(sealed: string, binding: TokenBinding): Promise<string>;
}

export class VaultError extends Error {
  override readonly name = 'VaultError';
}

export const KMS_ENCRYPTION_CONTEXT = TOKEN_ENCRYPTION_CONTEXT;
const FORMAT = 'v1';

export interface EnvelopeVaultOptions {
  /** How long one data key seals new tokens. @default 5 minutes */
  readonly dataKeyMaxAgeMs?: number;
  /** How many tokens one data key seals at most. @default 100000 */
  readonly dataKeyMaxUses?: number;
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

export class EnvelopeVault implements TokenVault {
  private sealingKey: SealingKey | undefined;
  private pendingSealingKey: Promise<SealingKey> | undefined;
  private readonly openCache = new Map<string, { key: Buffer; cachedAt: number }>();
  private readonly pendingUnwraps = new Map<string, Promise<Buffer>>();
  private readonly options: Required<Omit<EnvelopeVaultOptions, 'now'>>;
  private readonly now: () => number;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    options: EnvelopeVaultOptions = {},
  ) {
    this.options = {
      dataKeyMaxAgeMs: options.dataKeyMaxAgeMs ?? 5 * 60_000,
      dataKeyMaxUses: options.dataKeyMaxUses ?? 100_000,
      openCacheMaxAgeMs: options.openCacheMaxAgeMs ?? 15 * 60_000,
      openCacheMaxEntries: options.openCacheMaxEntries ?? 50_000,
    };
    this.now = options.now ?? Date.now;
  }

  async seal(plaintext: string, binding: TokenBinding): Promise<string> {
    const key = await this.reserveSealingKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv);
    cipher.setAAD(additionalData(binding));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [FORMAT, key.wrapped.toString('base64url'), iv.toString('base64url'), body.toString('base64url')].join('.');
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

  /** A data key with one use reserved for the caller, so concurrent seals respect the use limit. */
  private async reserveSealingKey(): Promise<SealingKey> {
    for (;;) {
      const key = this.sealingKey;
      if (key !== undefined && this.now() - key.createdAt < this.options.dataKeyMaxAgeMs && key.uses < this.options.dataKeyMaxUses) {
        key.uses += 1;
        return key;
      }
      // Concurrent seals share one GenerateDataKey call, then compete for its uses.
      this.pendingSealingKey ??= this.generateDataKey()
        .then((fresh) => (this.sealingKey = fresh))
        .finally(() => {
          this.pendingSealingKey = undefined;
        });
      await this.pendingSealingKey;
    }
  }

  private async generateDataKey(): Promise<SealingKey> {
    const result = await this.kms.send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT } }),
    );
    if (!result.Plaintext || !result.CiphertextBlob) throw new VaultError('KMS returned no data key');
    const plaintext = Buffer.from(result.Plaintext);
    const wrapped = Buffer.from(result.CiphertextBlob);
    this.rememberUnwrapped(cacheKeyOf(wrapped), plaintext);
    return { plaintext, wrapped, createdAt: this.now(), uses: 0 };
  }

  private async unwrap(wrapped: Buffer): Promise<Buffer> {
    const cacheKey = cacheKeyOf(wrapped);
    const cached = this.openCache.get(cacheKey);
    if (cached && this.now() - cached.cachedAt < this.options.openCacheMaxAgeMs) return cached.key;
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
    this.rememberUnwrapped(cacheKey, key);
    return key;
  }

  private rememberUnwrapped(cacheKey: string, key: Buffer): void {
    this.openCache.delete(cacheKey);
    this.openCache.set(cacheKey, { key, cachedAt: this.now() });
    // Map keeps insertion order: the first entry is the least recently stored.
    while (this.openCache.size > this.options.openCacheMaxEntries) {
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
