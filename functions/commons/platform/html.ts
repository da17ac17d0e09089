import type { HttpResult } from './http.ts';

/**
 * The few pages Session Guard serves itself (sign-in refusals, the data-deletion receipt): content
 * negotiation, escaping and the headers every such page carries.
 */

/** Whether the client asked for HTML before JSON (a browser navigating does; curl and fetch do not). */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = -1;
  let json = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    if (type === 'application/json') json = Math.max(json, q);
    // A bare wildcard is a program's default, not a wish for HTML.
    if (type === '*/*') json = Math.max(json, q - 0.001);
  }
  return html >= 0 && html > json;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Pages load nothing from anywhere, so no URL of ours ever leaks as a Referer. */
export const HTML_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  vary: 'accept',
};

export function htmlResponse(status: number, body: string, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { ...headers, ...HTML_HEADERS }, body };
}
