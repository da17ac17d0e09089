/**
 * The long-lived credential inventory: Facebook credentials the business keeps (system-user
 * tokens, page tokens, long-lived user tokens, the app secret), each with an owner and a purpose,
 * and where it lives: a Secrets Manager secret, never the credential itself. Times are epoch
 * milliseconds; Facebook's own times (`expiresAt`, …) stay in epoch seconds as Facebook gives them.
 */

/** `system_user`, `page` and `user` are tokens the daily check debugs; `app_secret` is aged only. */
export const CREDENTIAL_KINDS = ['system_user', 'page', 'user', 'app_secret'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/**
 * `active`; `revoke_pending` once its owner is offboarded, until Facebook itself answers that the
 * token is invalid (or a Graph revocation succeeds); then `revoked`. Never closed on someone's word.
 */
export const CREDENTIAL_STATUSES = ['active', 'revoke_pending', 'revoked'] as const;
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number];

/** What the daily check flags; each has its own metric (`FLAG_METRICS` in inventory-check.ts). */
export const CREDENTIAL_FLAGS = [
  'invalid',
  'expiring_soon',
  'never_expiring_too_old',
  'secret_too_old',
  'scopes_beyond_expected',
  'assets_beyond_expected',
  'no_owner',
  'owner_offboarded',
  'not_checked',
] as const;
export type CredentialFlag = (typeof CREDENTIAL_FLAGS)[number];

/** Labels name entries in URLs and CLI arguments: short, lower case, URL-safe. */
export const LABEL_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** An owner is a person: an e-mail address or an id (ours, `usr_…`, or Facebook's). */
export const OWNER_PATTERN = /^(?:[^\s@/]{1,64}@[^\s@/]{1,190}|[A-Za-z0-9_-]{1,128})$/;
export const SECRET_ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

export interface NewCredential {
  readonly label: string;
  readonly kind: CredentialKind;
  readonly owner?: string;
  readonly purpose: string;
  /** Permissions the token should hold; any other is flagged. */
  readonly expectedScopes: readonly string[];
  /** Ids of the pages, ad accounts, WhatsApp accounts… the token should reach; any other is flagged. */
  readonly expectedAssets: readonly string[];
  /** The Secrets Manager secret that holds the token (or the app secret). */
  readonly secretArn: string;
  /** Rotation age for this entry, overriding the checker's setting. */
  readonly maxAgeDays?: number;
}

/** What the last check learnt about a token from `debug_token`, or about the app secret's age. */
export interface CheckResult {
  readonly checkedAt: number;
  readonly isValid: boolean;
  readonly type?: string;
  /** Epoch seconds; 0 = never expires. */
  readonly expiresAt?: number;
  /** Epoch seconds; 0 = never. */
  readonly dataAccessExpiresAt?: number;
  /** Epoch seconds. */
  readonly issuedAt?: number;
  readonly scopes: readonly string[];
  /** The `target_ids` of every `granular_scopes` entry: what the token reaches. */
  readonly assets: readonly string[];
  /** The Facebook user (or system user) the token belongs to: `DELETE /{user-id}/permissions` needs it. */
  readonly facebookUserId?: string;
  /** Facebook's error code and subcode for an invalid token. */
  readonly errorCode?: number;
  readonly errorSubcode?: number;
  /** When the secret was last rotated (or created), from Secrets Manager `DescribeSecret`. */
  readonly secretRotatedAt?: number;
}

export interface Credential extends NewCredential {
  readonly status: CredentialStatus;
  readonly createdAt: number;
  readonly revokePendingSince?: number;
  readonly revokedAt?: number;
  /** `facebook_invalid` (the check saw Facebook call it invalid) or `graph_revoked` (DELETE permissions). */
  readonly revokedHow?: 'facebook_invalid' | 'graph_revoked';
  readonly lastCheck?: CheckResult;
  readonly flags: readonly CredentialFlag[];
}

/** A person whose credentials were marked at offboarding; kept so later checks still flag theirs. */
export interface OffboardedOwner {
  readonly owner: string;
  readonly at: number;
  readonly by: string;
}

/** Which kinds Graph can revoke: a user token, with `DELETE /{user-id}/permissions` (docs/facebook-graph.md). */
export function graphCanRevoke(kind: CredentialKind): boolean {
  return kind === 'user';
}
