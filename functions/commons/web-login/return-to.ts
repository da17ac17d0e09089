/**
 * Where the browser goes after signing in: `returnTo`. Either a path on this service's own origin
 * or a URL on an origin listed in `RETURN_TO_ALLOWED_ORIGINS`; anything else is refused, so the
 * sign-in can never be turned into an open redirect.
 *
 * Browsers are lenient in ways that have made open redirects before: `//host` and `/\host` are
 * network-path references, tabs and newlines are silently dropped (`/\t/host` becomes `//host`),
 * backslashes count as slashes, and some servers decode `%2F` before redirecting again. So the
 * rules are deliberately strict: a relative `returnTo` is printable ASCII from RFC 3986's
 * path/query/fragment characters only, starts with exactly one `/`, holds no backslash and no
 * encoded slash or backslash; an absolute one must begin with an allowed origin byte for byte,
 * followed by `/`, `?`, `#` or nothing.
 */
export const MAX_RETURN_TO_LENGTH = 2048;

/** RFC 3986 pchar plus `/`, `?`, `#` and `%` (checked separately as a valid escape). */
const SAFE_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]*$/;
const PERCENT_ESCAPES = /%(?![0-9A-Fa-f]{2})/;
const ENCODED_SLASHES = /%(2f|5c)/i;

export type ReturnToVerdict = { readonly ok: true; readonly returnTo: string } | { readonly ok: false; readonly reason: string };

export function checkReturnTo(value: string, allowedOrigins: readonly string[]): ReturnToVerdict {
  if (value.length === 0) return { ok: false, reason: 'must not be empty' };
  if (value.length > MAX_RETURN_TO_LENGTH) return { ok: false, reason: `must be at most ${MAX_RETURN_TO_LENGTH} characters` };
  if (!SAFE_CHARACTERS.test(value)) return { ok: false, reason: 'has characters a return address may not have (spaces, backslashes, control or non-ASCII characters)' };
  if (PERCENT_ESCAPES.test(value)) return { ok: false, reason: 'has a malformed percent escape' };
  if (ENCODED_SLASHES.test(value)) return { ok: false, reason: 'may not contain an encoded slash or backslash' };

  if (value.startsWith('/')) {
    if (value.startsWith('//')) return { ok: false, reason: 'must be a path on this site (starting with a single "/") or a URL on an allowed origin' };
    // Belt and braces: resolved against any origin, it must stay on that origin.
    const resolved = new URL(value, 'https://return-to.invalid');
    if (resolved.origin !== 'https://return-to.invalid') return { ok: false, reason: 'must stay on this site' };
    return { ok: true, returnTo: value };
  }

  for (const origin of allowedOrigins) {
    if (!value.startsWith(origin)) continue;
    const next = value.charAt(origin.length);
    if (next !== '' && next !== '/' && next !== '?' && next !== '#') continue;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return { ok: false, reason: 'is not a valid URL' };
    }
    if (parsed.origin !== origin || parsed.username !== '' || parsed.password !== '') continue;
    return { ok: true, returnTo: value };
  }
  return { ok: false, reason: 'must be a path on this site (starting with a single "/") or a URL on an allowed origin' };
}

/**
 * `returnTo` with one more query parameter, placed before any fragment and after any query, with
 * the existing query left byte for byte as it was.
 */
export function withQueryParameter(returnTo: string, name: string, value: string): string {
  const hash = returnTo.indexOf('#');
  const base = hash >= 0 ? returnTo.slice(0, hash) : returnTo;
  const fragment = hash >= 0 ? returnTo.slice(hash) : '';
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}${fragment}`;
}
