import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadAppSecret } from '#commons/facebook/app-secret';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:facebook-app-secret-AbCdEf';
const SECRET = '0123456789abcdef0123456789abcdef';

const secretsMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

beforeEach(() => {
  secretsMock.reset();
});

describe('loadAppSecret', () => {
  it('uses FACEBOOK_APP_SECRET as is, without calling Secrets Manager', async () => {
    await expect(loadAppSecret({ FACEBOOK_APP_SECRET: SECRET, FACEBOOK_APP_SECRET_ARN: ARN }, client)).resolves.toBe(SECRET);
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('reads a plain-string secret from Secrets Manager by its ARN, trimming whitespace', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: `  ${SECRET}\n` });
    await expect(loadAppSecret({ FACEBOOK_APP_SECRET_ARN: ARN }, client)).resolves.toBe(SECRET);
    const calls = secretsMock.commandCalls(GetSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ SecretId: ARN });
  });

  it('reads the appSecret field of a JSON secret', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ appSecret: SECRET, note: 'rotated 2025-01' }) });
    await expect(loadAppSecret({ FACEBOOK_APP_SECRET_ARN: ARN }, client)).resolves.toBe(SECRET);
  });

  it.each([undefined, '', '   '])('fails when the secret string is empty (%j)', async (SecretString) => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString });
    await expect(loadAppSecret({ FACEBOOK_APP_SECRET_ARN: ARN }, client)).rejects.toThrow(/empty/);
  });

  it.each([{ appSecret: '' }, { appSecret: 42 }, { secret: SECRET }])('fails when the JSON secret has no usable appSecret (%j)', async (json) => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(json) });
    const error = await loadAppSecret({ FACEBOOK_APP_SECRET_ARN: ARN }, client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/appSecret/);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('lets a Secrets Manager failure pass through', async () => {
    const denied = Object.assign(new Error('not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' });
    secretsMock.on(GetSecretValueCommand).rejects(denied);
    await expect(loadAppSecret({ FACEBOOK_APP_SECRET_ARN: ARN }, client)).rejects.toBe(denied);
  });
});
