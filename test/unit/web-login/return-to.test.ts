import { describe, expect, it } from 'vitest';
import { checkReturnTo, withQueryParameter } from '#commons/web-login/return-to';

const ALLOWED = ['https://app.example.com', 'http://localhost:5173'];

describe('returnTo: what is accepted', () => {
  it.each([
    '/',
    '/account',
    '/account/settings?tab=security&x=1',
    '/path#section',
    '/a/b/../c',
    "/~user/file.html;v=1?q=a+b&r=%20x!$'()*,:@",
    'https://app.example.com',
    'https://app.example.com/',
    'https://app.example.com/dashboard?x=1#top',
    'https://app.example.com?x=1',
    'http://localhost:5173/dev',
  ])('%s', (value) => {
    expect(checkReturnTo(value, ALLOWED)).toEqual({ ok: true, returnTo: value });
  });
});

describe('returnTo: open-redirect attempts are refused', () => {
  it.each([
    ['protocol-relative', '//evil.com'],
    ['protocol-relative with path', '//evil.com/login'],
    ['backslash after slash', '/\\evil.com'],
    ['backslash anywhere', '/ok\\..\\evil'],
    ['absolute URL elsewhere', 'https://evil.com'],
    ['scheme with one slash', 'http:/evil'],
    ['scheme without slashes', 'https:evil.com'],
    ['encoded double slash', '/%2F%2Fevil.com'],
    ['encoded slash, lower case', '/%2f%2fevil.com'],
    ['encoded backslash', '/%5Cevil.com'],
    ['javascript URL', 'javascript:alert(1)'],
    ['data URL', 'data:text/html,<script>alert(1)</script>'],
    ['leading space', ' /x'],
    ['tab that browsers drop', '/\t/evil.com'],
    ['newline that browsers drop', '/\n/evil.com'],
    ['relative without slash', 'evil.com'],
    ['empty', ''],
    ['non-ASCII', '/caf\u00e9'],
    ['malformed escape', '/%zz'],
    ['allowed origin as prefix of another host', 'https://app.example.com.evil.com/'],
    ['allowed origin with userinfo trick', 'https://app.example.com@evil.com/'],
    ['allowed origin, other port', 'https://app.example.com:8443/'],
    ['allowed origin, other scheme', 'http://app.example.com/'],
    ['allowed origin, upper case host', 'https://APP.example.com/'],
    ['allowed origin, explicit default port', 'https://app.example.com:443/'],
    ['subdomain of an allowed origin', 'https://evil.app.example.com/'],
    ['too long', `/${'a'.repeat(2048)}`],
  ])('%s: %j', (_label, value) => {
    const verdict = checkReturnTo(value, ALLOWED);
    expect(verdict.ok).toBe(false);
  });

  it('refuses absolute URLs altogether when no origin is allowed', () => {
    expect(checkReturnTo('https://app.example.com/', []).ok).toBe(false);
  });

  it('says why, in words', () => {
    expect(checkReturnTo('//evil.com', ALLOWED)).toEqual({
      ok: false,
      reason: 'must be a path on this site (starting with a single "/") or a URL on an allowed origin',
    });
  });
});

describe('withQueryParameter', () => {
  it.each([
    ['/', '/?login_error=cancelled'],
    ['/app', '/app?login_error=cancelled'],
    ['/app?tab=1', '/app?tab=1&login_error=cancelled'],
    ['/app?', '/app?login_error=cancelled'],
    ['/app?a=%20b+c&', '/app?a=%20b+c&login_error=cancelled'],
    ['/app#top', '/app?login_error=cancelled#top'],
    ['/app?tab=1#top', '/app?tab=1&login_error=cancelled#top'],
    ['https://app.example.com', 'https://app.example.com?login_error=cancelled'],
  ])('%s → %s', (returnTo, expected) => {
    expect(withQueryParameter(returnTo, 'login_error', 'cancelled')).toBe(expected);
  });
});
