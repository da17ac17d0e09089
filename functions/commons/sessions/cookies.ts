/**
 * The two cookies of the browser sign-in, and how they are written and read.
 *
 * - `sg_session`: our session token, for the browser. `HttpOnly; SameSite=Lax; Path=/`, Max-Age
 *   the session's remaining life.
 * - `sg_login`: binds a sign-in attempt (its `state`) to the browser that started it. Holds a
 *   random nonce whose SHA-256 the state record keeps; lives 10 minutes, like the state.
 *
 * Both are named with the `__Host-` prefix and marked `Secure` whenever the service is served over
 * https (its `PUBLIC_BASE_URL`), which is every deployed stage: the browser then refuses the name
 * unless the cookie is Secure, host-only and `Path=/`, so a sibling subdomain cannot plant or
 * overwrite either (cookie tossing would otherwise allow login CSRF). On the local stack, which is
 * plain http on loopback, the names carry no prefix and no `Secure`, or the browser would drop them.
 * `__Host-` requires `Path=/`, which is why the login cookie is not narrowed to the callback path.
 */
export interface CookieNames {
  /** Secure + `__Host-` names (https), or plain names (http on loopback). */
  readonly secure: boolean;
  readonly session: string;
  readonly login: string;
}

export function cookieNamesFor(publicBaseUrl: string): CookieNames {
  const secure = new URL(publicBaseUrl).protocol === 'https:';
  const prefix = secure ? '__Host-' : '';
  return { secure, session: `${prefix}sg_session`, login: `${prefix}sg_login` };
}

export interface CookieAttributes {
  /** Seconds; 0 deletes the cookie. */
  readonly maxAgeSeconds: number;
  readonly secure: boolean;
  /** @default '/' */
  readonly path?: string;
}

const NAME = /^[A-Za-z0-9_-]+$|^__Host-[A-Za-z0-9_-]+$/;
/** Our cookie values are our own tokens and nonces: base64url and dots, never anything to escape. */
const VALUE = /^[A-Za-z0-9._-]*$/;

/** One `Set-Cookie` value: always HttpOnly and SameSite=Lax, never a Domain (host-only). */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  if (!NAME.test(name)) throw new Error(`bad cookie name ${name}`);
  if (!VALUE.test(value)) throw new Error('cookie value has characters that would need escaping');
  if (!Number.isInteger(attributes.maxAgeSeconds) || attributes.maxAgeSeconds < 0) throw new Error('Max-Age must be a whole number of seconds');
  const parts = [`${name}=${value}`, `Max-Age=${attributes.maxAgeSeconds}`, `Path=${attributes.path ?? '/'}`, 'HttpOnly', 'SameSite=Lax'];
  if (attributes.maxAgeSeconds === 0) parts.splice(2, 0, 'Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (attributes.secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * The value of cookie `name` from API Gateway's payload 2.0 `cookies` list (one `name=value` per
 * entry; a `Cookie` header, if given instead, is split the same way). The first occurrence wins,
 * as browsers send the most specific one first; values are not URL-decoded (ours never need it).
 */
export function readCookie(cookies: readonly string[] | undefined, name: string): string | undefined {
  for (const entry of cookies ?? []) {
    for (const pair of entry.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    }
  }
  return undefined;
}

/**
 * The one owner of our cookies for a deployment (its `PUBLIC_BASE_URL`): every `Set-Cookie` that
 * opens, ends or reads the session or a sign-in attempt is made here, with the names and `Secure`
 * flag that base URL calls for (the session cookie is read by the credential policy,
 * `session-credential.ts`, under the same name). As in Lucia, the cookie that sets a session and the blank one that
 * clears it come from the same object, so they cannot disagree on name, path or flags.
 */
export class BrowserCookies {
  readonly names: CookieNames;

  constructor(publicBaseUrl: string) {
    this.names = cookieNamesFor(publicBaseUrl);
  }

  /** Carries the session token for the rest of the session's life (0 left: a deleting cookie). */
  createSessionCookie(sessionToken: string, expiresAt: number, now = Date.now()): string {
    const maxAgeSeconds = Math.max(0, Math.floor((expiresAt - now) / 1000));
    return serializeCookie(this.names.session, sessionToken, { maxAgeSeconds, secure: this.names.secure });
  }

  createBlankSessionCookie(): string {
    return serializeCookie(this.names.session, '', { maxAgeSeconds: 0, secure: this.names.secure });
  }

  /** Binds a sign-in attempt to this browser for as long as its state lives. */
  createLoginCookie(bindingNonce: string, maxAgeSeconds: number): string {
    return serializeCookie(this.names.login, bindingNonce, { maxAgeSeconds, secure: this.names.secure });
  }

  createBlankLoginCookie(): string {
    return serializeCookie(this.names.login, '', { maxAgeSeconds: 0, secure: this.names.secure });
  }

  readLoginNonce(cookies: readonly string[] | undefined): string | undefined {
    return readCookie(cookies, this.names.login);
  }
}
