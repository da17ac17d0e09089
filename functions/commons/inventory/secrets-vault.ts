import { DescribeSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretVault } from './ports.ts';

/**
 * The inventory's secrets in Secrets Manager, read by the checker alone: its role may call
 * `GetSecretValue` only on secrets tagged `session-guard:inventory=true` (infra/credential-inventory.ts).
 * A secret holds the token itself, or JSON `{"accessToken": "…"}`. Errors name the ARN, never a value.
 */
export class SecretsManagerVault implements SecretVault {
  constructor(private readonly client: Pick<SecretsManagerClient, 'send'>) {}

  async readToken(secretArn: string): Promise<string> {
    const value = (await this.client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString?.trim();
    if (!value) throw new Error(`secret ${secretArn} holds no string`);
    if (!value.startsWith('{')) return value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error(`secret ${secretArn} is neither a token nor JSON`);
    }
    const token = (parsed as { accessToken?: unknown }).accessToken;
    if (typeof token !== 'string' || token === '') throw new Error(`secret ${secretArn} has no "accessToken" string`);
    return token;
  }

  async rotatedAt(secretArn: string): Promise<number> {
    const described = await this.client.send(new DescribeSecretCommand({ SecretId: secretArn }));
    const when = described.LastRotatedDate ?? described.CreatedDate;
    if (!when) throw new Error(`secret ${secretArn} has no creation date`);
    return when.getTime();
  }
}

/** The tag that makes a secret readable by the checker, and nothing else. */
export const INVENTORY_SECRET_TAG = { key: 'session-guard:inventory', value: 'true' } as const;
