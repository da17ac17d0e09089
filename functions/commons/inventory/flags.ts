import { type CheckResult, type Credential, CREDENTIAL_FLAGS, type CredentialFlag } from './model.ts';

/** The checker's settings (`inventoryEnv`); an entry's own `maxAgeDays` wins over the rotation ages. */
export interface FlagSettings {
  /** A token expiring within this many days is flagged. */
  readonly expiringWithinDays: number;
  /** A never-expiring token older than this is flagged: rotate it. */
  readonly rotationMaxAgeDays: number;
  /** The app secret older than this (since its last rotation) is flagged. */
  readonly appSecretMaxAgeDays: number;
}

export interface FlagContext {
  readonly now: number;
  /** Owners offboarded so far. */
  readonly offboardedOwners: ReadonlySet<string>;
  /** When the run before this one started; undefined on the first run. */
  readonly previousRunAt: number | undefined;
}

const DAY_MS = 86_400_000;

/**
 * Every flag an entry earns now, in `CREDENTIAL_FLAGS` order. A revoked entry earns none: it is
 * closed. Nothing here reads a token; it judges what the check recorded.
 */
export function flagsOf(credential: Credential, settings: FlagSettings, context: FlagContext): CredentialFlag[] {
  if (credential.status === 'revoked') return [];
  const flags = new Set<CredentialFlag>();
  const check = credential.lastCheck;
  if (check) for (const flag of checkFlags(credential, check, settings, context.now)) flags.add(flag);
  if (!credential.owner) flags.add('no_owner');
  else if (context.offboardedOwners.has(credential.owner)) flags.add('owner_offboarded');
  // Missed this run and the one before: the last check is older than the previous run's start.
  if (context.previousRunAt !== undefined && credential.createdAt < context.previousRunAt && (check?.checkedAt ?? 0) < context.previousRunAt) {
    flags.add('not_checked');
  }
  return CREDENTIAL_FLAGS.filter((flag) => flags.has(flag));
}


function checkFlags(credential: Credential, check: CheckResult, settings: FlagSettings, now: number): CredentialFlag[] {
  const flags: CredentialFlag[] = [];
  if (credential.kind === 'app_secret') {
    const maxAge = (credential.maxAgeDays ?? settings.appSecretMaxAgeDays) * DAY_MS;
    if (check.secretRotatedAt !== undefined && now - check.secretRotatedAt > maxAge) flags.push('secret_too_old');
    return flags;
  }
  if (!check.isValid) return ['invalid'];
  const expiresAt = check.expiresAt ?? 0;
  if (expiresAt !== 0 && expiresAt * 1000 - now <= settings.expiringWithinDays * DAY_MS) flags.push('expiring_soon');
  if (expiresAt === 0) {
    // Rotating a token is putting a new one in its secret: its age runs from the secret's last
    // rotation (or creation); Facebook's issued_at only when Secrets Manager could not say.
    const since = check.secretRotatedAt ?? (check.issuedAt !== undefined ? check.issuedAt * 1000 : credential.createdAt);
    if (now - since > (credential.maxAgeDays ?? settings.rotationMaxAgeDays) * DAY_MS) flags.push('never_expiring_too_old');
  }
  if (beyond(check.scopes, credential.expectedScopes).length > 0) flags.push('scopes_beyond_expected');
  if (beyond(check.assets, credential.expectedAssets).length > 0) flags.push('assets_beyond_expected');
  return flags;
}

/** What `actual` holds that `expected` does not. */
export function beyond(actual: readonly string[], expected: readonly string[]): string[] {
  const allowed = new Set(expected);
  return actual.filter((value) => !allowed.has(value));
}
