import { describe, expect, it } from 'vitest';
import { BrowserCookies, cookieNamesFor, readCookie, serializeCookie } from '#commons/sessions/cookies';

describe('cookie names', () => {
  it('use the __Host- prefix and Secure on https (every deployed stage)', () => {
    expect(cookieNamesFor('https://abc.execute-api.eu-west-1.amazonaws.com')).toEqual({
      secure: true,
      session: '__Host-sg_session',
      login: '__Host-sg_login',
    });
  });

  it('are plain, without Secure, on the local stack over http', () => {
    expect(cookieNamesFor('http://127.0.0.1:3000')).toEqual({ secure: false, session: 'sg_session', login: 'sg_login' });
  });
});

describe('serializeCookie', () => {
  it('writes a deployed session cookie: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain', () => {
    expect(serializeCookie('__Host-sg_session', 'sg1.ses_abc.xyz-_', { maxAgeSeconds: 2592000, secure: true })).toBe(
      '__Host-sg_session=sg1.ses_abc.xyz-_; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax; Secure',
    );
  });

  it('writes a local cookie without Secure', () => {
    expect(serializeCookie('sg_login', 'nonce', { maxAgeSeconds: 600, secure: false })).toBe('sg_login=nonce; Max-Age=600; Path=/; HttpOnly; SameSite=Lax');
  });

  it('clears a cookie with Max-Age=0 and an Expires in the past, same name, path and flags', () => {
    expect(serializeCookie('__Host-sg_session', '', { maxAgeSeconds: 0, secure: true })).toBe(
      '__Host-sg_session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Secure',
    );
  });

  it('refuses values that would need escaping, and bad names and ages', () => {
    expect(() => serializeCookie('sg_session', 'a;b', { maxAgeSeconds: 1, secure: true })).toThrow(/escaping/);
    expect(() => serializeCookie('sg_session', 'a b', { maxAgeSeconds: 1, secure: true })).toThrow(/escaping/);
    expect(() => serializeCookie('bad name', 'x', { maxAgeSeconds: 1, secure: true })).toThrow(/cookie name/);
    expect(() => serializeCookie('sg_session', 'x', { maxAgeSeconds: -1, secure: true })).toThrow(/Max-Age/);
    expect(() => serializeCookie('sg_session', 'x', { maxAgeSeconds: 1.5, secure: true })).toThrow(/Max-Age/);
  });
});

describe('readCookie', () => {
  it('reads from API Gateway payload 2.0 cookies (one name=value per entry)', () => {
    expect(readCookie(['theme=dark', 'sg_session=sg1.ses_a.b', 'other=1'], 'sg_session')).toBe('sg1.ses_a.b');
  });

  it('also splits entries that hold several pairs, as a Cookie header does', () => {
    expect(readCookie(['theme=dark; __Host-sg_login=abc_-; x=y'], '__Host-sg_login')).toBe('abc_-');
  });

  it('matches the whole name only, so an unprefixed cookie never stands in for a __Host- one', () => {
    expect(readCookie(['sg_session=planted'], '__Host-sg_session')).toBeUndefined();
    expect(readCookie(['xsg_session=1', 'sg_session_old=2'], 'sg_session')).toBeUndefined();
  });

  it('takes the first of duplicates, strips quotes, keeps "=" inside values', () => {
    expect(readCookie(['a=1', 'a=2'], 'a')).toBe('1');
    expect(readCookie(['a="quoted"'], 'a')).toBe('quoted');
    expect(readCookie(['a=x=y'], 'a')).toBe('x=y');
  });

  it('is undefined without cookies', () => {
    expect(readCookie(undefined, 'a')).toBeUndefined();
    expect(readCookie([], 'a')).toBeUndefined();
    expect(readCookie(['junk'], 'a')).toBeUndefined();
  });
});

describe('BrowserCookies', () => {
  const NOW = 1_800_000_000_000;

  it('sets the session cookie for the rest of the session, and clears it under the same name and flags', () => {
    const cookies = new BrowserCookies('https://auth.example.com/base');
    expect(cookies.createSessionCookie('sg1.ses_a.b', NOW + 3_600_500, NOW)).toBe(
      '__Host-sg_session=sg1.ses_a.b; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax; Secure',
    );
    expect(cookies.createBlankSessionCookie()).toBe(
      '__Host-sg_session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Secure',
    );
  });

  it('never sets a session cookie with a negative lifetime: an expired session gets a deleting one', () => {
    expect(new BrowserCookies('http://127.0.0.1:3000').createSessionCookie('sg1.x.y', NOW - 5000, NOW)).toBe(
      'sg_session=sg1.x.y; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax',
    );
  });

  it('sets, clears and reads the login cookie of a sign-in attempt', () => {
    const cookies = new BrowserCookies('http://127.0.0.1:3000');
    expect(cookies.createLoginCookie('nonce_1', 600)).toBe('sg_login=nonce_1; Max-Age=600; Path=/; HttpOnly; SameSite=Lax');
    expect(cookies.createBlankLoginCookie()).toBe('sg_login=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax');
    expect(cookies.readLoginNonce(['sg_session=s', 'sg_login=nonce_1'])).toBe('nonce_1');
    expect(new BrowserCookies('https://auth.example.com').readLoginNonce(['sg_login=planted'])).toBeUndefined();
  });
});
