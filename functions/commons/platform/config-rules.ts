/**
 * The rules a setting must follow, declared once for both places that check them: the functions at
 * cold start (`config.ts`, through zod) and the CDK app at synth (`infra/`), so a value the stack
 * deploys is a value the functions accept. Plain predicates and constants: no SDK, no zod, nothing
 * the CDK app would drag into its own process.
 */

/** Facebook app ids are numbers, sent as strings. */
export const FACEBOOK_APP_ID = /^\d{1,32}$/;
export const FACEBOOK_APP_ID_RULE = 'must be the numeric Facebook app id';

/** `v21.0`: the path prefix of every Graph call and of the login dialog. */
export const GRAPH_API_VERSION = /^v\d+\.\d+$/;
export const DEFAULT_GRAPH_API_VERSION = 'v21.0';

/** Facebook permission names (`public_profile`, `email`). */
const FACEBOOK_SCOPE = /^[a-z_]+$/;
export const DEFAULT_FACEBOOK_SCOPES: readonly string[] = ['public_profile'];
export const FACEBOOK_SCOPES_RULE = 'must be Facebook permission names, comma-separated';

export function areFacebookScopes(scopes: readonly string[]): boolean {
  return scopes.length > 0 && scopes.every((scope) => FACEBOOK_SCOPE.test(scope));
}

/** A list setting (origins, scopes): entries separated by commas and/or white space. */
export function splitList(value: string): string[] {
  return value.split(/[\s,]+/).filter((entry) => entry !== '');
}

export const DEFAULT_SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;
export const DEFAULT_REVOCATION_RETENTION_DAYS = 90;
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

/**
 * The app secret: locally the secret itself (`FACEBOOK_APP_SECRET`), in AWS only the ARN of the
 * Secrets Manager secret that holds it (`FACEBOOK_APP_SECRET_ARN`). Exactly one of the two.
 */
export interface AppSecretSource {
  readonly FACEBOOK_APP_SECRET?: string | undefined;
  readonly FACEBOOK_APP_SECRET_ARN?: string | undefined;
}
export const APP_SECRET_ARN_PREFIX = 'arn:';
export const APP_SECRET_SOURCE_RULE = 'set exactly one of FACEBOOK_APP_SECRET (local) and FACEBOOK_APP_SECRET_ARN (AWS)';

export function hasOneAppSecretSource(env: AppSecretSource): boolean {
  return Boolean(env.FACEBOOK_APP_SECRET) !== Boolean(env.FACEBOOK_APP_SECRET_ARN);
}

/**
 * Where plain http is acceptable. Deployed stages are https only; the local stack serves plain
 * http on a loopback host, where a browser would drop `Secure` cookies.
 */
export interface WebUrlRule {
  readonly allowLoopbackHttp: boolean;
}
export const LOCAL_URLS: WebUrlRule = { allowLoopbackHttp: true };
export const DEPLOYED_URLS: WebUrlRule = { allowLoopbackHttp: false };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** A host name or address: no wildcards or other characters URL parsing lets through. */
const PLAIN_HOST = /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/;

function parsed(value: string): URL | undefined {
  return URL.canParse(value) ? new URL(value) : undefined;
}

function isSecureEnough(url: URL, rule: WebUrlRule): boolean {
  return url.protocol === 'https:' || (rule.allowLoopbackHttp && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/** `https://app.example.com`: scheme, host and port only, written exactly as browsers send `Origin`. */
export function isExactOrigin(value: string, rule: WebUrlRule): boolean {
  const url = parsed(value);
  return url !== undefined && isSecureEnough(url, rule) && PLAIN_HOST.test(url.hostname) && url.origin === value;
}

/** https, or (where the rule allows) plain http on a loopback host. */
export function isSecureWebUrl(value: string, rule: WebUrlRule): boolean {
  const url = parsed(value);
  return url !== undefined && isSecureEnough(url, rule);
}
export const SECURE_WEB_URL_RULE = 'must be an https URL (http only on localhost)';

/** A base URL to append paths to: no query, fragment or credentials. */
export function isBareUrl(value: string): boolean {
  const url = parsed(value);
  return url !== undefined && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
}
export const BARE_URL_RULE = 'must have no query, fragment or credentials';

/** Where the service is reachable from the internet (`PUBLIC_BASE_URL`). */
export function isPublicBaseUrl(value: string, rule: WebUrlRule): boolean {
  return isSecureWebUrl(value, rule) && isBareUrl(value);
}
