import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthenticatedError } from '#commons/platform/errors';
import { allowedOriginsOf, credentialPolicyFor, credentialRequestOf, sessionCredential } from '#commons/sessions/session-credential';

const policy = { cookieName: '__Host-sg_session', allowedOrigins: allowedOriginsOf('https://api.example.com', ['https://app.example.com']) };
const COOKIE = ['__Host-sg_session=sg1.cookie'];

describe('sessionCredential', () => {
  it('prefers the Bearer token when both are sent', () => {
    expect(sessionCredential({ method: 'DELETE', headers: { Authorization: 'Bearer sg1.bearer' }, cookies: COOKIE }, policy)).toEqual({
      source: 'bearer',
      token: 'sg1.bearer',
    });
  });

  it('reads "Bearer <token>" whatever the scheme case and surrounding spaces', () => {
    for (const value of ['Bearer sg1.ses_x.abc', 'bearer sg1.ses_x.abc', 'Bearer   sg1.ses_x.abc  ']) {
      expect(sessionCredential({ method: 'GET', headers: { Authorization: value } }, policy)).toEqual({ source: 'bearer', token: 'sg1.ses_x.abc' });
    }
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer a b', 'Token abc', 'Bearerabc', 'abc'])(
    'refuses the malformed Authorization %j as unauthenticated',
    (value) => {
      expect(() => sessionCredential({ method: 'GET', headers: { authorization: value } }, policy)).toThrow(UnauthenticatedError);
    },
  );

  it('refuses a malformed Authorization header rather than falling back to the cookie', () => {
    expect(() => sessionCredential({ method: 'GET', headers: { authorization: 'Basic abc' }, cookies: COOKIE }, policy)).toThrow(UnauthenticatedError);
  });

  it('takes the cookie for reads, from any origin (CORS keeps other sites from reading the answer)', () => {
    expect(sessionCredential({ method: 'GET', headers: {}, cookies: COOKIE }, policy)).toEqual({ source: 'cookie', token: 'sg1.cookie' });
    expect(sessionCredential({ method: 'HEAD', headers: { origin: 'https://evil.com' }, cookies: COOKIE }, policy).source).toBe('cookie');
  });

  it.each([
    ['no Origin', {}],
    ['another site', { origin: 'https://evil.com' }],
    ['a sibling subdomain', { origin: 'https://evil.example.com' }],
    ['the null origin', { origin: 'null' }],
    ['an allowed host on http', { origin: 'http://app.example.com' }],
  ])('refuses a cookie-authenticated DELETE from %s (CSRF)', (_label, headers) => {
    expect(() => sessionCredential({ method: 'DELETE', headers, cookies: COOKIE }, policy)).toThrow(ForbiddenError);
  });

  it.each(['https://api.example.com', 'https://app.example.com'])('admits a cookie-authenticated DELETE from %s', (origin) => {
    expect(sessionCredential({ method: 'DELETE', headers: { Origin: origin }, cookies: COOKIE }, policy)).toEqual({ source: 'cookie', token: 'sg1.cookie' });
  });

  it('needs no Origin with a Bearer token (a page cannot make the browser send one)', () => {
    expect(sessionCredential({ method: 'POST', headers: { authorization: 'Bearer t' } }, policy).source).toBe('bearer');
  });

  it('is none without either, and ignores an empty cookie', () => {
    expect(sessionCredential({ method: 'DELETE', headers: {} }, policy)).toEqual({ source: 'none' });
    expect(sessionCredential({ method: 'DELETE', headers: {}, cookies: ['__Host-sg_session='] }, policy)).toEqual({ source: 'none' });
  });

  it('derives allowed origins from PUBLIC_BASE_URL (its origin, not its path) plus the configured ones', () => {
    expect(allowedOriginsOf('https://auth.example.com/base', ['https://app.example.com', 'https://auth.example.com'])).toEqual([
      'https://auth.example.com',
      'https://app.example.com',
    ]);
  });
});

describe('credentialPolicyFor', () => {
  it('reads the session cookie of the deployment and lets its own origin and the configured ones change state', () => {
    expect(credentialPolicyFor({ PUBLIC_BASE_URL: 'https://api.example.com', RETURN_TO_ALLOWED_ORIGINS: ['https://app.example.com'] })).toEqual(policy);
    expect(credentialPolicyFor({ PUBLIC_BASE_URL: 'http://127.0.0.1:3000', RETURN_TO_ALLOWED_ORIGINS: [] })).toEqual({
      cookieName: 'sg_session',
      allowedOrigins: ['http://127.0.0.1:3000'],
    });
  });

  it('takes the method, headers and cookies of a route event or an authorizer event (GET when it has no method)', () => {
    const headers = { authorization: 'Bearer x' };
    expect(credentialRequestOf({ requestContext: { http: { method: 'DELETE' } }, headers, cookies: ['a=1'] })).toEqual({
      method: 'DELETE',
      headers,
      cookies: ['a=1'],
    });
    expect(credentialRequestOf({ headers }).method).toBe('GET');
  });
});
