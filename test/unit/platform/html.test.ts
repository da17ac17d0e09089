import { describe, expect, it } from 'vitest';
import { escapeHtml, htmlResponse, prefersHtml } from '#commons/platform/html';

describe('prefersHtml', () => {
  it.each([
    ['a browser navigating', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8', true],
    ['plain text/html', 'text/html', true],
    ['curl', '*/*', false],
    ['no Accept header', undefined, false],
    ['a JSON client', 'application/json', false],
    ['JSON preferred over HTML', 'application/json, text/html;q=0.5', false],
    ['HTML preferred over JSON', 'application/json;q=0.5, text/html', true],
    ['HTML refused', 'text/html;q=0, */*', false],
    ['only HTML, refused', 'text/html;q=0', false],
    ['a garbled q', 'text/html;q=abc', false],
  ])('%s → %s', (_label, accept, expected) => {
    expect(prefersHtml(accept as string | undefined)).toBe(expected);
  });
});

describe('escapeHtml', () => {
  it('neutralises every character that could open markup or an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });
});

describe('htmlResponse', () => {
  it('always sends the page headers, whatever the caller passes', () => {
    const response = htmlResponse(400, '<p>x</p>', { 'content-security-policy': 'unsafe', 'retry-after': '30' });
    expect(response.statusCode).toBe(400);
    expect(response.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      'retry-after': '30',
    });
  });
});
