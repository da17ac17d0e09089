import { describe, expect, it } from 'vitest';
import {
  areFacebookScopes,
  DEPLOYED_URLS,
  hasOneAppSecretSource,
  isExactOrigin,
  isPublicBaseUrl,
  LOCAL_URLS,
  splitList,
} from '#commons/platform/config-rules';

describe('the rules shared by the functions and the CDK app', () => {
  it('splits list settings on commas and white space, dropping empty entries', () => {
    expect(splitList(' public_profile, email,,\nuser_link ')).toEqual(['public_profile', 'email', 'user_link']);
    expect(splitList('')).toEqual([]);
  });

  it('takes Facebook permission names only, and at least one', () => {
    expect(areFacebookScopes(['public_profile', 'email'])).toBe(true);
    expect(areFacebookScopes([])).toBe(false);
    expect(areFacebookScopes(['public_profile&x'])).toBe(false);
  });

  it('wants exactly one source of the app secret', () => {
    expect(hasOneAppSecretSource({ FACEBOOK_APP_SECRET: 's' })).toBe(true);
    expect(hasOneAppSecretSource({ FACEBOOK_APP_SECRET_ARN: 'arn:x' })).toBe(true);
    expect(hasOneAppSecretSource({})).toBe(false);
    expect(hasOneAppSecretSource({ FACEBOOK_APP_SECRET: 's', FACEBOOK_APP_SECRET_ARN: 'arn:x' })).toBe(false);
  });

  it('allows plain http on loopback for the local stack only', () => {
    for (const origin of ['http://127.0.0.1:3000', 'http://localhost:5173', 'http://[::1]:3000']) {
      expect(isExactOrigin(origin, LOCAL_URLS)).toBe(true);
      expect(isExactOrigin(origin, DEPLOYED_URLS)).toBe(false);
    }
    expect(isPublicBaseUrl('http://127.0.0.1:3000', LOCAL_URLS)).toBe(true);
    expect(isPublicBaseUrl('http://127.0.0.1:3000', DEPLOYED_URLS)).toBe(false);
  });

  it.each([LOCAL_URLS, DEPLOYED_URLS])('refuses inexact origins and decorated base URLs (%o)', (rule) => {
    expect(isExactOrigin('https://app.example.com', rule)).toBe(true);
    for (const origin of ['http://app.example.com', 'https://app.example.com/', 'https://*.example.com', 'app.example.com', 'https://APP.example.com']) {
      expect(isExactOrigin(origin, rule)).toBe(false);
    }
    expect(isPublicBaseUrl('https://auth.example.com/base', rule)).toBe(true);
    for (const url of ['http://auth.example.com', 'https://auth.example.com/?x=1', 'https://auth.example.com/#f', 'https://u:p@auth.example.com', 'auth.example.com']) {
      expect(isPublicBaseUrl(url, rule)).toBe(false);
    }
  });
});
