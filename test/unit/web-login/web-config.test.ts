import { describe, expect, it } from 'vitest';
import { ConfigError, facebookDialogEnv, readConfig, webOriginsEnv } from '#commons/platform/config';

describe('webOriginsEnv', () => {
  it('reads PUBLIC_BASE_URL and the allowed return origins', () => {
    expect(readConfig(webOriginsEnv, { PUBLIC_BASE_URL: 'https://api.example.com/', RETURN_TO_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173' })).toEqual({
      PUBLIC_BASE_URL: 'https://api.example.com',
      RETURN_TO_ALLOWED_ORIGINS: ['https://app.example.com', 'http://localhost:5173'],
    });
  });

  it('allows no other origin by default', () => {
    expect(readConfig(webOriginsEnv, { PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).RETURN_TO_ALLOWED_ORIGINS).toEqual([]);
  });

  it.each(['https://app.example.com/', 'https://app.example.com/path', 'http://app.example.com', 'app.example.com', '*', 'https://*.example.com'])(
    'refuses %j as an allowed origin, naming the variable',
    (origin) => {
      expect(() => readConfig(webOriginsEnv, { PUBLIC_BASE_URL: 'https://api.example.com', RETURN_TO_ALLOWED_ORIGINS: origin })).toThrow(
        /RETURN_TO_ALLOWED_ORIGINS: must be exact origins/,
      );
    },
  );

  it('needs PUBLIC_BASE_URL, https unless on loopback', () => {
    expect(() => readConfig(webOriginsEnv, {})).toThrow(ConfigError);
    expect(() => readConfig(webOriginsEnv, { PUBLIC_BASE_URL: 'http://api.example.com' })).toThrow(/PUBLIC_BASE_URL/);
  });
});

describe('facebookDialogEnv', () => {
  it('defaults to Facebook’s dialog, v21.0 and public_profile', () => {
    expect(readConfig(facebookDialogEnv, { FACEBOOK_APP_ID: '123' })).toEqual({
      FACEBOOK_APP_ID: '123',
      GRAPH_API_VERSION: 'v21.0',
      FACEBOOK_DIALOG_URL: 'https://www.facebook.com',
      FACEBOOK_SCOPES: ['public_profile'],
    });
  });

  it('takes an emulator URL and a list of scopes', () => {
    const config = readConfig(facebookDialogEnv, { FACEBOOK_APP_ID: '123', FACEBOOK_DIALOG_URL: 'http://127.0.0.1:3001/', FACEBOOK_SCOPES: 'public_profile,email' });
    expect(config.FACEBOOK_DIALOG_URL).toBe('http://127.0.0.1:3001');
    expect(config.FACEBOOK_SCOPES).toEqual(['public_profile', 'email']);
  });

  it.each([
    ['FACEBOOK_SCOPES', 'public_profile&x=1'],
    ['FACEBOOK_SCOPES', ' , '],
    ['FACEBOOK_DIALOG_URL', 'javascript:alert(1)'],
    ['FACEBOOK_APP_ID', 'abc'],
  ])('refuses a bad %s', (name, value) => {
    expect(() => readConfig(facebookDialogEnv, { FACEBOOK_APP_ID: '123', [name]: value })).toThrow(new RegExp(name));
  });
});
