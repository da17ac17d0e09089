import { describe, expect, it } from 'vitest';
import { appSecretEnv, ConfigError, dataDeletionEnv, readConfig } from '#commons/platform/config';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:facebook-app-secret-AbCdEf';

describe('appSecretEnv', () => {
  it('takes the secret itself (local) or its ARN (AWS), exactly one of them', () => {
    expect(readConfig(appSecretEnv, { FACEBOOK_APP_SECRET: 's' }).FACEBOOK_APP_SECRET).toBe('s');
    expect(readConfig(appSecretEnv, { FACEBOOK_APP_SECRET_ARN: ARN }).FACEBOOK_APP_SECRET_ARN).toBe(ARN);
    expect(() => readConfig(appSecretEnv, {})).toThrow(/FACEBOOK_APP_SECRET/);
    expect(() => readConfig(appSecretEnv, { FACEBOOK_APP_SECRET: 'very-secret', FACEBOOK_APP_SECRET_ARN: ARN })).toThrow(ConfigError);
  });

  it('needs no Facebook app id or Graph settings', () => {
    expect(readConfig(appSecretEnv, { FACEBOOK_APP_SECRET: 's' })).toEqual({ FACEBOOK_APP_SECRET: 's' });
  });
});

describe('dataDeletionEnv', () => {
  it('takes an https base URL, without its trailing slash, and keeps records 90 days by default', () => {
    expect(readConfig(dataDeletionEnv, { PUBLIC_BASE_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com/' })).toEqual({
      PUBLIC_BASE_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      DATA_DELETION_RECORD_RETENTION_DAYS: 90,
    });
    expect(readConfig(dataDeletionEnv, { PUBLIC_BASE_URL: 'https://example.com/auth', DATA_DELETION_RECORD_RETENTION_DAYS: '30' })).toEqual({
      PUBLIC_BASE_URL: 'https://example.com/auth',
      DATA_DELETION_RECORD_RETENTION_DAYS: 30,
    });
  });

  it('allows plain http only on a loopback host (the local stack)', () => {
    for (const url of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']) {
      expect(readConfig(dataDeletionEnv, { PUBLIC_BASE_URL: url }).PUBLIC_BASE_URL).toBe(url);
    }
  });

  it.each([
    ['missing', undefined],
    ['plain http on a public host', 'http://example.com'],
    ['not a URL', 'example.com'],
    ['with a query', 'https://example.com/?a=1'],
    ['with credentials', 'https://user:pw@example.com'],
    ['another scheme', 'ftp://example.com'],
  ])('names PUBLIC_BASE_URL when it is %s', (_label, value) => {
    expect(() => readConfig(dataDeletionEnv, value === undefined ? {} : { PUBLIC_BASE_URL: value })).toThrow(/PUBLIC_BASE_URL/);
  });

  it('names DATA_DELETION_RECORD_RETENTION_DAYS when it is not a positive integer', () => {
    expect(() => readConfig(dataDeletionEnv, { PUBLIC_BASE_URL: 'https://x.example', DATA_DELETION_RECORD_RETENTION_DAYS: '0' })).toThrow(
      /DATA_DELETION_RECORD_RETENTION_DAYS/,
    );
  });
});
