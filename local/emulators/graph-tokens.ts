/**
 * The emulator's memory: apps, app-scoped test users, tokens and authorization codes, with the
 * rules for how tokens live and die. No HTTP here; graph-routes.ts and graph-dialog.ts read and
 * change this state, graph.ts wires it to a server.
 *
 * Everything is a Map keyed by the opaque string a client holds, so a lookup is O(1) whether the
 * emulator holds ten tokens or a few hundred thousand.
 *
 * One file over 300 lines on purpose: every token kind's lifecycle rules sit side by side, so a
 * change to how one kind dies is read next to the others.
 */
import { randomBytes } from 'node:crypto';
import { TOKEN_DEATH_SUBCODE } from '#commons/facebook/graph-codes';
import type { EmulatedApp, SessionEndReason, TestUser } from './graph.ts';

/** Why a token died, as Facebook's `error_subcode` (docs/facebook-graph.md, "Why a token died"). */
export const SUBCODE_BY_REASON: Readonly<Record<SessionEndReason, number>> = {
  password_changed: TOKEN_DEATH_SUBCODE.passwordChanged,
  app_removed: TOKEN_DEATH_SUBCODE.appRemoved,
  logged_out: TOKEN_DEATH_SUBCODE.loggedOut,
  expired: TOKEN_DEATH_SUBCODE.expired,
  checkpointed: TOKEN_DEATH_SUBCODE.checkpointed,
  invalidated: TOKEN_DEATH_SUBCODE.invalidated,
  unconfirmed_user: TOKEN_DEATH_SUBCODE.unconfirmedUser,
};

const DAY_SECONDS = 86_400;
/** Short-lived user tokens last "hours" [doc]. Code exchange was seen returning ~60 days [seen]; clients must read `expires_in`. */
export const SHORT_LIVED_SECONDS = 2 * 3600;
/** `fb_exchange_token` answers `expires_in` ≈ 5184000 [doc]. */
export const LONG_LIVED_SECONDS = 5_184_000;
/** Session-info tokens last ~60 days [doc]; counted from the attenuation call [guess]. */
export const SESSION_INFO_SECONDS = 60 * DAY_SECONDS;
/** `data_access_expires_at` is 90 days after the person last granted access [doc]. */
export const DATA_ACCESS_SECONDS = 90 * DAY_SECONDS;
/** Authorization codes expire after 10 minutes and work once. */
export const CODE_TTL_SECONDS = 600;

/** `system_user`: a Business system user's token; `page`: a Page token (the credential inventory's kinds). */
export type TokenKind = 'short' | 'long' | 'session_info' | 'app' | 'system_user' | 'page';

/** A `granular_scopes` entry: a permission and, when limited to some assets, their ids [seen/doc: docs/facebook-graph.md]. */
export interface GranularScope {
  readonly scope: string;
  readonly target_ids?: readonly string[];
}

export interface TokenDeath {
  readonly subcode: number;
  readonly message: string;
}

export interface TokenRecord {
  readonly kind: TokenKind;
  readonly appId: string;
  /** App-scoped user id; absent for app tokens. */
  readonly userId?: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds; 0 means the token never expires [seen]. */
  readonly expiresAt: number;
  readonly scopes: readonly string[];
  /** `auth_type`, `auth_nonce`, `sso` [doc, PHP SDK]. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Set for system-user and Page tokens: answered as is instead of being derived from `scopes`. */
  readonly granularScopes?: readonly GranularScope[];
  /** The Page of a Page token (`profile_id`). */
  readonly profileId?: string;
  dead?: TokenDeath;
}

export interface AppRecord {
  readonly appId: string;
  readonly appSecret: string;
  readonly requireAppSecretProof: boolean;
  readonly redirectUris?: readonly string[];
  /** Facebook answers `application` with the app's display name; emulated apps have none. */
  readonly name: string;
}

export interface UserRecord extends TestUser {
  readonly appId: string;
}

export interface AuthCode {
  readonly appId: string;
  readonly userId: string;
  /** Exactly as the dialog received it; the exchange compares byte for byte. */
  readonly redirectUri: string;
  readonly codeChallenge?: string;
  readonly scopes: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Epoch seconds. */
  readonly issuedAt: number;
  used: boolean;
}

export type TokenState = { readonly alive: true } | ({ readonly alive: false } & TokenDeath);

/** A caller of the programmatic or admin API asked for something that does not exist or makes no sense. */
export class EmulatorUsageError extends Error {
  override readonly name = 'EmulatorUsageError';
  constructor(
    message: string,
    readonly kind: 'not_found' | 'invalid',
  ) {
    super(message);
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

// ---- random strings -------------------------------------------------------------------------

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
let pool = Buffer.alloc(0);
let poolPos = 0;

/** One random byte from a pooled buffer: minting 100k tokens should not cost 100k syscalls. */
function randomByte(): number {
  if (poolPos >= pool.length) {
    pool = randomBytes(64 * 1024);
    poolPos = 0;
  }
  return pool[poolPos++] ?? 0;
}

// Built in a byte buffer, not with `+=`: char-by-char concatenation leaves V8 rope strings that
// cost kilobytes per token, which matters at 100k+ tokens.
export function randomBase62(length: number, prefix = ''): string {
  const out = Buffer.allocUnsafe(prefix.length + length);
  out.write(prefix, 'latin1');
  let i = prefix.length;
  while (i < out.length) {
    const b = randomByte();
    if (b < 248) out[i++] = BASE62.charCodeAt(b % 62); // 248 = 4 × 62: rejection keeps the alphabet unbiased
  }
  return out.toString('latin1');
}

function randomDigits(length: number): string {
  const out = Buffer.allocUnsafe(length);
  let i = 0;
  while (i < length) {
    const b = randomByte();
    if (b < 250) out[i++] = 48 + (b % 10);
  }
  return out.toString('latin1');
}

/** Facebook user tokens start with `EAA` and are long base62 strings [seen]; the rest is opaque. */
function newUserToken(): string {
  return randomBase62(120, 'EAA');
}

// ---- dead-token messages ------------------------------------------------------------------

/** Facebook writes dates in its messages in Pacific time, e.g. "Thursday, 10-Jun-21 01:00:00 PDT" [seen]. */
const pacific = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  weekday: 'long',
  day: '2-digit',
  month: 'short',
  year: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

function facebookDate(epochSeconds: number): string {
  const parts: Record<string, string> = {};
  for (const p of pacific.formatToParts(new Date(epochSeconds * 1000))) parts[p.type] = p.value;
  return `${parts.weekday}, ${parts.day}-${parts.month}-${parts.year} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

export function expiredMessage(expiresAt: number, now: number): string {
  return `Error validating access token: Session has expired on ${facebookDate(expiresAt)}. The current time is ${facebookDate(now)}.`;
}

/** Message wording per subcode follows captured answers where known [seen]; the rest is [guess]. */
function deathMessage(reason: SessionEndReason, appId: string, now: number): string {
  switch (reason) {
    case 'password_changed':
      return 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.';
    case 'app_removed':
      return `Error validating access token: The user has not authorized application ${appId}.`;
    case 'logged_out':
      return 'Error validating access token: The session is invalid because the user logged out.';
    case 'expired':
      return expiredMessage(now, now);
    case 'checkpointed':
      return 'Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.';
    case 'invalidated':
      return 'Error validating access token: The session was invalidated explicitly using an API call.';
    case 'unconfirmed_user':
      return 'Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.';
  }
}

const REASON_BY_SUBCODE = new Map<number, SessionEndReason>(
  Object.entries(SUBCODE_BY_REASON).map(([reason, subcode]) => [subcode, reason as SessionEndReason]),
);

/** Facebook's wording for a token death by subcode, for injected errors; undefined for subcodes we do not model. */
export function messageForSubcode(subcode: number, appId: string, now: number): string | undefined {
  const reason = REASON_BY_SUBCODE.get(subcode);
  return reason === undefined ? undefined : deathMessage(reason, appId, now);
}

/** Is the token usable right now? A killed token reports its reason; otherwise expiry is checked on read. */
export function tokenState(record: TokenRecord, now: number): TokenState {
  if (record.dead) return { alive: false, ...record.dead };
  if (record.expiresAt !== 0 && record.expiresAt <= now) {
    return { alive: false, subcode: SUBCODE_BY_REASON.expired, message: expiredMessage(record.expiresAt, now) };
  }
  return { alive: true };
}

// ---- the store ------------------------------------------------------------------------------

const FIRST_NAMES = ['Ava', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Mara', 'Noah', 'Olga', 'Priya'];
const LAST_NAMES = ['Alaaabcdefg Smithsen', 'Testerman', 'Fergieberg', 'Occhinoson', 'Qualitysky', 'Emulatorwitz', 'Sandboxley', 'Fixtureton'];

export interface MintInput {
  readonly kind: Exclude<TokenKind, 'app'>;
  readonly appId: string;
  readonly userId: string;
  /** Seconds from now; 0 = never expires; negative = already expired. */
  readonly lifetimeSeconds: number;
  readonly scopes: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly granularScopes?: readonly GranularScope[];
  readonly profileId?: string;
}

export class GraphState {
  readonly apps = new Map<string, AppRecord>();
  private readonly users = new Map<string, UserRecord>();
  private readonly usersByApp = new Map<string, UserRecord[]>();
  private readonly tokens = new Map<string, TokenRecord>();
  /** Token strings per user, so ending a Facebook session touches only that person's tokens. */
  private readonly tokensByUser = new Map<string, string[]>();
  private readonly codes = new Map<string, AuthCode>();
  private codeSweepAt = 0;

  constructor(apps: readonly EmulatedApp[]) {
    if (apps.length === 0) throw new EmulatorUsageError('the Graph emulator needs at least one app', 'invalid');
    for (const app of apps) {
      if (!/^\d+$/.test(app.appId)) throw new EmulatorUsageError(`app id ${JSON.stringify(app.appId)} must be numeric, like Facebook's`, 'invalid');
      if (!app.appSecret) throw new EmulatorUsageError(`app ${app.appId} needs an appSecret`, 'invalid');
      if (this.apps.has(app.appId)) throw new EmulatorUsageError(`app ${app.appId} is listed twice`, 'invalid');
      this.apps.set(app.appId, {
        appId: app.appId,
        appSecret: app.appSecret,
        requireAppSecretProof: app.requireAppSecretProof ?? true,
        ...(app.redirectUris ? { redirectUris: [...app.redirectUris] } : {}),
        name: `Emulated App ${app.appId}`,
      });
      this.usersByApp.set(app.appId, []);
    }
  }

  get firstAppId(): string {
    const first = this.apps.keys().next();
    if (first.done) throw new EmulatorUsageError('no apps configured', 'invalid');
    return first.value;
  }

  requireApp(appId: string): AppRecord {
    const app = this.apps.get(appId);
    if (!app) throw new EmulatorUsageError(`unknown app ${appId}`, 'not_found');
    return app;
  }

  createUser(appId: string, name?: string): UserRecord {
    this.requireApp(appId);
    let id: string;
    // App-scoped ids are long numeric strings [seen]; keep them as strings, they overflow doubles.
    do id = `10${randomDigits(15)}`;
    while (this.users.has(id));
    const user: UserRecord = { id, name: name?.trim() || this.randomName(), appId };
    this.users.set(id, user);
    this.usersByApp.get(appId)?.push(user);
    return user;
  }

  private randomName(): string {
    const first = FIRST_NAMES[randomByte() % FIRST_NAMES.length] ?? 'Test';
    const last = LAST_NAMES[randomByte() % LAST_NAMES.length] ?? 'User';
    return `${first} ${last}`;
  }

  findUser(userId: string): UserRecord | undefined {
    return this.users.get(userId);
  }

  /** Test users are app-scoped: a user id means something only to the app that made it. */
  requireUser(appId: string, userId: string): UserRecord {
    this.requireApp(appId);
    const user = this.users.get(userId);
    if (!user) throw new EmulatorUsageError(`unknown test user ${userId}`, 'not_found');
    if (user.appId !== appId) throw new EmulatorUsageError(`test user ${userId} belongs to app ${user.appId}, not ${appId} (ids are app-scoped)`, 'invalid');
    return user;
  }

  listUsers(appId?: string): readonly UserRecord[] {
    if (appId !== undefined) return this.usersByApp.get(appId) ?? [];
    return [...this.users.values()];
  }

  usersOf(appId: string): readonly UserRecord[] {
    return this.usersByApp.get(appId) ?? [];
  }

  mint(input: MintInput): string {
    const now = nowSeconds();
    const token = newUserToken();
    this.tokens.set(token, {
      kind: input.kind,
      appId: input.appId,
      userId: input.userId,
      issuedAt: now,
      expiresAt: input.lifetimeSeconds === 0 ? 0 : now + input.lifetimeSeconds,
      scopes: [...input.scopes],
      metadata: { ...input.metadata },
      ...(input.granularScopes ? { granularScopes: input.granularScopes.map((g) => ({ ...g })) } : {}),
      ...(input.profileId !== undefined ? { profileId: input.profileId } : {}),
    });
    const owned = this.tokensByUser.get(input.userId);
    if (owned) owned.push(token);
    else this.tokensByUser.set(input.userId, [token]);
    return token;
  }

  /** `grant_type=client_credentials` answers `{app_id}|{opaque}` [doc]; it never expires. */
  mintAppToken(appId: string): string {
    const token = `${appId}|${randomBase62(27)}`;
    this.tokens.set(token, { kind: 'app', appId, issuedAt: nowSeconds(), expiresAt: 0, scopes: [], metadata: {} });
    return token;
  }

  /**
   * Finds a token by the string a client sends. Besides minted tokens this accepts the documented
   * `{app_id}|{app_secret}` app token, described as a transient app record.
   */
  lookup(token: string): TokenRecord | undefined {
    const found = this.tokens.get(token);
    if (found) return found;
    const bar = token.indexOf('|');
    if (bar > 0) {
      const app = this.apps.get(token.slice(0, bar));
      if (app && token.slice(bar + 1) === app.appSecret) {
        return { kind: 'app', appId: app.appId, issuedAt: 0, expiresAt: 0, scopes: [], metadata: {} };
      }
    }
    return undefined;
  }

  get tokenCount(): number {
    return this.tokens.size;
  }

  /** The person's Facebook session ends: 'app_removed' kills only that app's tokens, the rest kill all of the person's. */
  endSession(userId: string, reason: SessionEndReason, appId?: string): void {
    const user = this.users.get(userId);
    if (!user) throw new EmulatorUsageError(`unknown test user ${userId}`, 'not_found');
    if (appId !== undefined) this.requireApp(appId);
    const onlyApp = reason === 'app_removed' ? (appId ?? user.appId) : undefined;
    const now = nowSeconds();
    for (const token of this.tokensByUser.get(userId) ?? []) {
      const record = this.tokens.get(token);
      if (!record || record.dead) continue;
      if (onlyApp !== undefined && record.appId !== onlyApp) continue;
      // A token already past its expiry stays "expired": that is what Facebook would have said first.
      if (tokenState(record, now).alive) {
        record.dead = { subcode: SUBCODE_BY_REASON[reason], message: deathMessage(reason, record.appId, now) };
      }
    }
  }

  /** A system user (or any holder) revokes its tokens in Business settings: they die as invalidated [guess: subcode]. */
  invalidateTokensOf(userId: string): number {
    const now = nowSeconds();
    let count = 0;
    for (const token of this.tokensByUser.get(userId) ?? []) {
      const record = this.tokens.get(token);
      if (!record || !tokenState(record, now).alive) continue;
      record.dead = { subcode: SUBCODE_BY_REASON.invalidated, message: deathMessage('invalidated', record.appId, now) };
      count += 1;
    }
    return count;
  }

  /** Business-scoped ids of system users and Pages: numeric strings like the rest [guess]. */
  newBusinessId(): string {
    return `6${randomDigits(13)}`;
  }

  issueCode(code: Omit<AuthCode, 'issuedAt' | 'used'>): string {
    this.sweepCodes();
    // Facebook codes are long opaque strings starting with "AQ" [seen].
    const value = randomBase62(160, 'AQ');
    this.codes.set(value, { ...code, issuedAt: nowSeconds(), used: false });
    return value;
  }

  findCode(code: string): AuthCode | undefined {
    return this.codes.get(code);
  }

  /** Drops codes long past expiry now and then, so abandoned logins do not pile up. */
  private sweepCodes(): void {
    const now = nowSeconds();
    if (now < this.codeSweepAt) return;
    this.codeSweepAt = now + CODE_TTL_SECONDS;
    for (const [value, code] of this.codes) {
      if (code.issuedAt + 2 * CODE_TTL_SECONDS < now) this.codes.delete(value);
    }
  }
}
