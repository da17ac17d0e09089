import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traced } from '#commons/platform/tracer';

/**
 * The Facebook app secret: from the environment locally, from Secrets Manager in AWS. The secret
 * string is the app secret itself, or JSON `{"appSecret": "..."}`.
 */
export async function loadAppSecret(
  config: { FACEBOOK_APP_SECRET?: string | undefined; FACEBOOK_APP_SECRET_ARN?: string | undefined },
  client: Pick<SecretsManagerClient, 'send'> = traced(new SecretsManagerClient({})),
): Promise<string> {
  if (config.FACEBOOK_APP_SECRET) return config.FACEBOOK_APP_SECRET;
  const result = await client.send(new GetSecretValueCommand({ SecretId: config.FACEBOOK_APP_SECRET_ARN }));
  const value = result.SecretString?.trim();
  if (!value) throw new Error('the Facebook app secret in Secrets Manager is empty');
  if (value.startsWith('{')) {
    const parsed = JSON.parse(value) as { appSecret?: unknown };
    if (typeof parsed.appSecret !== 'string' || parsed.appSecret === '') {
      throw new Error('the Facebook app secret JSON has no "appSecret" string');
    }
    return parsed.appSecret;
  }
  return value;
}
