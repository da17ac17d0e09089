import { describe, expect, it } from 'vitest';
import { ConfigError, envOf, facebookEnv, readConfig, sessionEnv, storeEnv, vaultEnv } from '#commons/platform/config';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:facebook-app-secret-AbCdEf';

function configErrorFrom(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.unreachable('expected ConfigError');
}

describe('readConfig', () => {
  it('names a missing variable', () => {
    expect(configErrorFrom(() => readConfig(storeEnv, {})).message).toMatch(/TABLE_NAME/);
    expect(configErrorFrom(() => readConfig(vaultEnv, { KMS_KEY_ID: '' })).message).toMatch(/KMS_KEY_ID/);
  });

  it("says what is wrong in zod's English messages (functions/ uses zod/mini, which loads no locale by itself)", () => {
    expect(configErrorFrom(() => readConfig(storeEnv, {})).message).toBe('invalid environment: TABLE_NAME: Invalid input: expected string, received undefined');
  });

  it('names a bad variable and only that one', () => {
    const error = configErrorFrom(() => readConfig(facebookEnv, { FACEBOOK_APP_ID: 'my-app', FACEBOOK_APP_SECRET: 's' }));
    expect(error.message).toMatch(/FACEBOOK_APP_ID/);
    expect(error.message).toMatch(/numeric Facebook app id/);
    expect(error.message).not.toMatch(/GRAPH_/);
  });

  it.each([
    ['GRAPH_API_URL', 'not a url'],
    ['GRAPH_API_VERSION', '21.0'],
    ['GRAPH_TIMEOUT_MS', 'soon'],
    ['GRAPH_TIMEOUT_MS', '0'],
    ['GRAPH_TIMEOUT_MS', '1.5'],
    ['FACEBOOK_APP_SECRET_ARN', 'facebook-app-secret'],
  ])('names %s when it is %j', (name, value) => {
    const env = { FACEBOOK_APP_ID: '1234567890', ...(name === 'FACEBOOK_APP_SECRET_ARN' ? {} : { FACEBOOK_APP_SECRET: 's' }), [name]: value };
    expect(configErrorFrom(() => readConfig(facebookEnv, env)).message).toContain(name);
  });

  it('names SESSION_MAX_AGE_SECONDS when it is not a positive integer', () => {
    expect(configErrorFrom(() => readConfig(sessionEnv, { SESSION_MAX_AGE_SECONDS: '-5' })).message).toContain('SESSION_MAX_AGE_SECONDS');
  });

  it('never echoes the app secret in the error', () => {
    const error = configErrorFrom(() => readConfig(facebookEnv, { FACEBOOK_APP_ID: 'x', FACEBOOK_APP_SECRET: 'very-secret-value', FACEBOOK_APP_SECRET_ARN: ARN }));
    expect(error.message).not.toContain('very-secret-value');
  });

  it('applies the documented defaults', () => {
    expect(readConfig(facebookEnv, { FACEBOOK_APP_ID: '1234567890', FACEBOOK_APP_SECRET: 's' })).toEqual({
      FACEBOOK_APP_ID: '1234567890',
      FACEBOOK_APP_SECRET: 's',
      GRAPH_API_URL: 'https://graph.facebook.com',
      GRAPH_API_VERSION: 'v21.0',
      GRAPH_TIMEOUT_MS: 3000,
    });
    expect(readConfig(sessionEnv, {})).toEqual({ SESSION_MAX_AGE_SECONDS: 30 * 24 * 3600, MAX_LIVE_SESSIONS_PER_PERSON: 25 });
  });

  it('coerces numeric variables from their string form', () => {
    expect(readConfig(facebookEnv, { FACEBOOK_APP_ID: '1', FACEBOOK_APP_SECRET: 's', GRAPH_TIMEOUT_MS: '750' }).GRAPH_TIMEOUT_MS).toBe(750);
    expect(readConfig(sessionEnv, { SESSION_MAX_AGE_SECONDS: '3600' }).SESSION_MAX_AGE_SECONDS).toBe(3600);
  });

  it('reads the process environment by default', () => {
    const previous = process.env.TABLE_NAME;
    process.env.TABLE_NAME = 'from-process-env';
    try {
      expect(readConfig(storeEnv).TABLE_NAME).toBe('from-process-env');
    } finally {
      if (previous === undefined) delete process.env.TABLE_NAME;
      else process.env.TABLE_NAME = previous;
    }
  });
});

describe('the Facebook app secret setting', () => {
  it('accepts the secret itself (local)', () => {
    expect(readConfig(facebookEnv, { FACEBOOK_APP_ID: '1', FACEBOOK_APP_SECRET: 'abc' }).FACEBOOK_APP_SECRET).toBe('abc');
  });

  it('accepts only the ARN of the secret (AWS)', () => {
    const config = readConfig(facebookEnv, { FACEBOOK_APP_ID: '1', FACEBOOK_APP_SECRET_ARN: ARN });
    expect(config.FACEBOOK_APP_SECRET_ARN).toBe(ARN);
    expect(config.FACEBOOK_APP_SECRET).toBeUndefined();
  });

  it('refuses both at once, naming them', () => {
    const error = configErrorFrom(() => readConfig(facebookEnv, { FACEBOOK_APP_ID: '1', FACEBOOK_APP_SECRET: 'abc', FACEBOOK_APP_SECRET_ARN: ARN }));
    expect(error.message).toMatch(/exactly one of FACEBOOK_APP_SECRET .* and FACEBOOK_APP_SECRET_ARN/);
  });

  it('refuses neither, naming them', () => {
    const error = configErrorFrom(() => readConfig(facebookEnv, { FACEBOOK_APP_ID: '1' }));
    expect(error.message).toMatch(/FACEBOOK_APP_SECRET/);
    expect(error.message).toMatch(/FACEBOOK_APP_SECRET_ARN/);
  });
});

describe('combined sections', () => {
  it('reads the sections a function combines and reports every missing variable at once', () => {
    const schema = envOf(storeEnv, vaultEnv, sessionEnv);
    expect(readConfig(schema, { TABLE_NAME: 't', KMS_KEY_ID: 'alias/k' })).toEqual({ TABLE_NAME: 't', KMS_KEY_ID: 'alias/k', SESSION_MAX_AGE_SECONDS: 2592000, MAX_LIVE_SESSIONS_PER_PERSON: 25 });
    const error = configErrorFrom(() => readConfig(schema, {}));
    expect(error.message).toContain('TABLE_NAME');
    expect(error.message).toContain('KMS_KEY_ID');
  });
});
