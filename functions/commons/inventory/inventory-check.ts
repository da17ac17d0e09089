import type { TokenCheckOutcome } from '#commons/facebook/graph-batch';
import { judgeDebugToken } from '#commons/facebook/token-verdict';
import type { TokenDescription } from '#commons/facebook/debug-token';
import { type FlagSettings, flagsOf } from './flags.ts';
import { count, MetricName, type MetricsSink } from '#commons/platform/metrics';
import { CREDENTIAL_FLAGS, type CheckResult, type Credential, type CredentialFlag } from './model.ts';
import type { CheckUpdate, CredentialRepository, SecretVault } from './ports.ts';
import type { InventoryCheckAnswer } from './api-schemas.ts';

/**
 * The daily check of the inventory. It reads each registered token from its secret, asks Facebook
 * about all of them with `debug_token` in batches (at most 50 per Graph request, the app token
 * with its appsecret_proof: graph-batch.ts), records what Facebook said, and flags what needs a
 * person. A `revoke_pending` entry closes here, and only here, when Facebook's answer is a verdict
 * that the token is dead (the verdict rules of token-verdict.ts: our app, code 190/102). An entry
 * the run could not check (unreadable secret, Facebook's trouble) keeps its last check and is
 * flagged `not_checked` once it has missed two runs. Tokens never reach a log or the table.
 */
export interface InventoryCheckDeps {
  readonly repository: CredentialRepository;
  readonly vault: SecretVault;
  readonly checker: { debugTokens(tokens: readonly string[]): Promise<TokenCheckOutcome[]> };
  readonly appId: string;
  readonly settings: FlagSettings;
  /** Where the run's counts go (the function's Powertools Metrics; a fake in tests). */
  readonly metrics: MetricsSink;
  readonly log: (message: string, detail: Record<string, unknown>) => void;
  readonly now?: () => number;
}

/** One metric per flag (`#commons/platform/metrics`), emitted by every run with the number of entries carrying it. */
export const FLAG_METRICS: Readonly<Record<CredentialFlag, MetricName>> = {
  invalid: MetricName.InventoryInvalid,
  expiring_soon: MetricName.InventoryExpiringSoon,
  never_expiring_too_old: MetricName.InventoryNeverExpiringTooOld,
  secret_too_old: MetricName.InventorySecretTooOld,
  scopes_beyond_expected: MetricName.InventoryScopesBeyondExpected,
  assets_beyond_expected: MetricName.InventoryAssetsBeyondExpected,
  no_owner: MetricName.InventoryNoOwner,
  owner_offboarded: MetricName.InventoryOwnerOffboarded,
  not_checked: MetricName.InventoryNotChecked,
};

export interface InventoryCheckReport {
  readonly startedAt: number;
  readonly entries: number;
  readonly checked: number;
  readonly uncheckable: number;
  readonly closed: readonly string[];
  readonly flagged: Readonly<Record<string, readonly string[]>>;
}

export async function runInventoryCheck(deps: InventoryCheckDeps): Promise<InventoryCheckReport> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const [credentials, offboardedOwners, runs] = await Promise.all([deps.repository.list(), deps.repository.offboardedOwners(), deps.repository.recentRuns()]);
  const open = credentials.filter((credential) => credential.status !== 'revoked');

  const checks = new Map<string, CheckOutcome>();
  const tokens: { label: string; token: string }[] = [];
  for (const credential of open) {
    const rotatedAt = await settle(() => deps.vault.rotatedAt(credential.secretArn));
    if (credential.kind === 'app_secret') {
      // The app secret is aged, never read: its value is the checker's own credential.
      checks.set(credential.label, rotatedAt === undefined ? { kind: 'uncheckable', why: 'secret_unreadable' } : { kind: 'checked', check: { checkedAt: startedAt, isValid: true, scopes: [], assets: [], secretRotatedAt: rotatedAt } });
      continue;
    }
    const token = await settle(() => deps.vault.readToken(credential.secretArn));
    if (token === undefined) checks.set(credential.label, { kind: 'uncheckable', why: 'secret_unreadable' });
    else {
      tokens.push({ label: credential.label, token });
      checks.set(credential.label, { kind: 'pending', ...(rotatedAt !== undefined ? { rotatedAt } : {}) });
    }
  }

  const outcomes = tokens.length > 0 ? await deps.checker.debugTokens(tokens.map((t) => t.token)) : [];
  tokens.forEach(({ label }, index) => {
    const pending = checks.get(label);
    const rotatedAt = pending?.kind === 'pending' ? pending.rotatedAt : undefined;
    checks.set(label, judge(outcomes[index], deps.appId, startedAt, rotatedAt, open.find((c) => c.label === label)?.lastCheck?.facebookUserId));
  });

  const flagContext = { now: startedAt, offboardedOwners, previousRunAt: runs[0] };
  const closed: string[] = [];
  const flagged: Record<string, string[]> = {};
  let uncheckable = 0;
  for (const credential of open) {
    const outcome = checks.get(credential.label) ?? { kind: 'uncheckable', why: 'no_answer' };
    if (outcome.kind !== 'checked') {
      uncheckable += 1;
      deps.log('inventory entry not checked', { label: credential.label, why: outcome.kind === 'uncheckable' ? outcome.why : 'no_answer' });
    }
    const check = outcome.kind === 'checked' ? outcome.check : undefined;
    const close = outcome.kind === 'checked' && outcome.dead && credential.status === 'revoke_pending' ? { how: 'facebook_invalid' as const, at: startedAt } : undefined;
    const next: Credential = { ...credential, ...(check ? { lastCheck: check } : {}), ...(close ? { status: 'revoked' as const } : {}) };
    const flags = flagsOf(next, deps.settings, flagContext);
    const update: CheckUpdate = { flags, ...(check ? { check } : {}), ...(close ? { close } : {}) };
    await deps.repository.recordCheck(credential.label, update);
    if (close) closed.push(credential.label);
    for (const flag of flags) (flagged[flag] ??= []).push(credential.label);
  }
  await deps.repository.recordRun(startedAt);

  for (const flag of CREDENTIAL_FLAGS) count(FLAG_METRICS[flag], flagged[flag]?.length ?? 0, deps.metrics);
  count(MetricName.InventoryChecked, open.length - uncheckable, deps.metrics);
  count(MetricName.InventoryUncheckable, uncheckable, deps.metrics);
  count(MetricName.InventoryRevocationsClosed, closed.length, deps.metrics);
  count(MetricName.InventoryRevokePending, open.filter((c) => c.status === 'revoke_pending').length - closed.length, deps.metrics);
  // What `POST /admin/v1/inventory/checks` answers, as its OpenAPI description says.
  const report = { startedAt, entries: open.length, checked: open.length - uncheckable, uncheckable, closed, flagged } satisfies InventoryCheckAnswer;
  deps.log('inventory checked', { ...report });
  return report;
}

type CheckOutcome =
  | { readonly kind: 'pending'; readonly rotatedAt?: number }
  | { readonly kind: 'checked'; readonly check: CheckResult; readonly dead?: boolean }
  | { readonly kind: 'uncheckable'; readonly why: string };

/**
 * What Facebook said about one token. Dead (closes a pending revocation) only on a verdict; an
 * answer that says invalid without being a verdict is recorded and flagged, and closes nothing.
 */
function judge(outcome: TokenCheckOutcome | undefined, appId: string, checkedAt: number, rotatedAt: number | undefined, facebookUserId: string | undefined): CheckOutcome {
  if (outcome === undefined || outcome instanceof Error) return { kind: 'uncheckable', why: outcome instanceof Error ? outcome.name : 'no_answer' };
  if (outcome.kind === 'wrong_app') return { kind: 'uncheckable', why: 'another_app' };
  const verdict = judgeDebugToken(outcome, { appId, facebookUserId });
  if (verdict.verdict === 'valid') return { kind: 'checked', check: checkResult(outcome.token, checkedAt, rotatedAt) };
  if (verdict.verdict === 'ended') return { kind: 'checked', check: checkResult(outcome.token, checkedAt, rotatedAt), dead: true };
  if (verdict.verdict === 'unrecognised' && !outcome.token.isValid) return { kind: 'checked', check: checkResult(outcome.token, checkedAt, rotatedAt) };
  return { kind: 'uncheckable', why: verdict.verdict === 'unrecognised' ? verdict.why : verdict.verdict };
}

export function checkResult(token: TokenDescription, checkedAt: number, rotatedAt: number | undefined): CheckResult {
  const assets = new Set<string>();
  for (const granted of token.granularScopes ?? []) for (const id of granted.targetIds ?? []) assets.add(id);
  return {
    checkedAt,
    isValid: token.isValid,
    ...(token.type !== undefined ? { type: token.type } : {}),
    ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
    ...(token.dataAccessExpiresAt !== undefined ? { dataAccessExpiresAt: token.dataAccessExpiresAt } : {}),
    ...(token.issuedAt !== undefined ? { issuedAt: token.issuedAt } : {}),
    scopes: [...token.scopes],
    assets: [...assets].sort(),
    ...(token.userId !== undefined ? { facebookUserId: token.userId } : {}),
    ...(token.error?.code !== undefined ? { errorCode: token.error.code } : {}),
    ...(token.error?.subcode !== undefined ? { errorSubcode: token.error.subcode } : {}),
    ...(rotatedAt !== undefined ? { secretRotatedAt: rotatedAt } : {}),
  };
}

/** A read that may fail (a secret deleted, access denied): undefined, and the entry is not checked. */
async function settle<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}
