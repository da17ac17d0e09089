// Over 300 lines on purpose: the per-session decisions (count, defer, stop, revoke) read in one
// place, where the order of those steps is the safety argument. How a run walks its shards and
// keeps their cursors is in share-walk.ts.

import type { AppUsageGate } from './app-usage-gate.ts';
import type { GuardDecision, MassRevocationGuard } from './mass-revocation-guard.ts';
import { isTransientAwsError } from '#commons/platform/aws-errors';
import type { RevocationReason } from '#commons/sessions/model';
import { type BatchTokenChecker, MAX_GRAPH_BATCH_SIZE, type TokenCheckOutcome } from '#commons/facebook/graph-batch';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError } from '#commons/facebook/graph-transport';
import { judgeDebugToken } from '#commons/facebook/token-verdict';
import { logger } from '#commons/platform/logger';
import type { RevocationRepository } from '#commons/sessions/ports';
import type { SweepEntry, SweepIndexReader } from './ports.ts';
import { revocationReasonFor } from './revocation-reasons.ts';
import type { ShardCursorRepository } from './shard-cursors.ts';
import { type ChunkOutcome, walkShare } from './share-walk.ts';
import { type ShareQueue, shardsOf, type SweepShare } from './sweep-queue.ts';
import type { TokenOpener } from '#commons/crypto/vault';

/**
 * The scheduled revalidation: every live session's Facebook session-info token is checked with
 * `/debug_token`, and the session is revoked when Facebook says the token is dead.
 *
 * The dispatcher queues a sweep as a share of every shard of the `sweep` index, each from its
 * stored cursor (shard-cursors.ts); a worker checks a share chunk by chunk and hands big shards on
 * to shares of their own (share-walk.ts). No run ever needs to see every session: a share that
 * does not fit one run's page or time budget queues its own continuation from where it stopped,
 * so the design holds for millions of sessions (64 shards x any number of runs).
 *
 * What never happens: revoking on anything but Facebook's own verdict about this session (the
 * verdict rules are in #commons/facebook/token-verdict). Transient trouble (Graph down, slow,
 * throttling or garbled; KMS or DynamoDB throttling) and answers that are no verdict
 * (`unrecognised_answer`) leave the session for the next sweep, counted as `deferred`. Facebook
 * refusing our own credentials, or telling us the tokens belong to another app, is our
 * misconfiguration: the share stops, logs `misconfigured` once, and nobody is revoked. A valid
 * session costs no write at all.
 */

// ---- dispatcher (the sweep's plan is in shard-cursors.ts) --------------------------------

/** `sweep-2025-01-15T12:00:00Z-1a2b3c4d`: stable for one schedule event, so its retries share it. */
export function sweepIdFor(time: string, eventId: string): string {
  const safeTime = time.replace(/[^0-9A-Za-z:.-]/g, '');
  const safeId = eventId.replace(/[^0-9A-Za-z]/g, '').slice(0, 8);
  return `sweep-${safeTime}-${safeId}`.slice(0, 100);
}

// ---- worker ---------------------------------------------------------------------------------

export interface SweepOptions {
  /** Sessions per index page. */
  readonly pageSize: number;
  /** Pages' worth of sessions (x pageSize) one run may read before it hands the rest of its share to a continuation. */
  readonly maxPagesPerRun: number;
  /** Graph batch requests in flight at once for one share. */
  readonly batchConcurrency: number;
  /** Tokens per Graph batch request. @default 50 */
  readonly batchSize?: number;
  /** Pause before each batch while `X-App-Usage` is in the slow-down band. */
  readonly slowdownPauseMs: number;
  /** Time left (of the Lambda run) below which no new page is started. */
  readonly timeReserveMs: number;
  /** Sessions a run reads before it hands the shards it has not started to other shares. @default 2,000 */
  readonly shareTargetSessions?: number;
}

export interface RevalidationDeps {
  readonly index: SweepIndexReader;
  /** Where each shard's pass stands between sweeps. Absent: nothing is kept (every share starts where its message says). */
  readonly cursors?: ShardCursorRepository;
  /** Our Facebook app: an answer about another app's token is no verdict. */
  readonly appId: string;
  readonly revocations: Pick<RevocationRepository, 'revokeSession'>;
  readonly vault: TokenOpener;
  readonly checker: BatchTokenChecker;
  /** Where a share's continuation goes. */
  readonly queue: ShareQueue;
  readonly usage: AppUsageGate;
  /** Stops a sweep that would revoke too many of the sessions it checked. Absent: no guard (tests). */
  readonly guard?: MassRevocationGuard;
  readonly options: SweepOptions;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ShareCounts {
  /** Live sessions whose check reached an outcome: valid + revoked + deferred + errors. */
  checked: number;
  /** Facebook vouches for the token: nothing written. */
  valid: number;
  /** Revoked by this run. */
  revoked: number;
  /** Not decided this time (transient trouble, or stopped for app usage): checked next sweep. */
  deferred: number;
  /** Faults retrying will not fix (a sealed token that will not open, Graph refusing our call). */
  errors: number;
  /** Not checked on purpose: already expired (no Graph call), or ended before we could revoke it. */
  skipped: number;
  revokedByReason: Partial<Record<RevocationReason, number>>;
  /** Why sessions were deferred: graph, vault, store, app_usage, unrecognised_answer, mass_revocation_guard. */
  deferredByCause: Partial<Record<DeferCause, number>>;
}

export type DeferCause = 'graph' | 'vault' | 'store' | 'app_usage' | 'unrecognised_answer' | 'mass_revocation_guard';

export interface ShareResult extends ShareCounts {
  readonly sweepId: string;
  readonly shard: string;
  readonly part: number;
  pages: number;
  /** A continuation message was queued for the rest of the share. */
  continued: boolean;
  /** The share stopped early because Facebook's app usage reached the stop threshold. */
  stoppedForAppUsage: boolean;
  /** The share stopped because Facebook refused our credentials or app: what is wrong, for the log. */
  misconfigured?: string;
  /** Shards this run checked to their end, completing their pass (a stored cursor: only if this run deleted it). */
  passesCompleted: number;
  /** Shares this run queued for the shards it did not start (the population is big enough to spread). */
  handedOn: number;
}

export function emptyCounts(): ShareCounts {
  return { checked: 0, valid: 0, revoked: 0, deferred: 0, errors: 0, skipped: 0, revokedByReason: {}, deferredByCause: {} };
}

/** A share's result before anything happened; `shard` names its shards for the logs. */
export function emptyShareResult(share: SweepShare): ShareResult {
  return { sweepId: share.sweepId, shard: shardsOf(share), part: share.part, ...emptyCounts(), pages: 0, continued: false, stoppedForAppUsage: false, passesCompleted: 0, handedOn: 0 };
}

/** A share that failed part way: the counts so far, for the log, and the cause. */
export class ShareFailedError extends Error {
  override readonly name = 'ShareFailedError';
  constructor(
    readonly result: ShareResult,
    cause: unknown,
  ) {
    super(`share ${result.sweepId}/${result.shard} (part ${result.part}) failed after ${result.pages} page(s)`, { cause });
  }
}

export interface RunBudget {
  /** Milliseconds left in this run (Lambda's `getRemainingTimeInMillis`). */
  remainingMs(): number;
}

/** Per-share limit on detailed warnings, so a systemic fault does not flood the log. */
const DETAILED_WARNINGS_PER_SHARE = 5;

/**
 * Checks one share: reads its shards from their cursors, checks each live session's token, revokes
 * the dead. Throws `ShareFailedError` when it cannot go on (the index cannot be read, a revocation
 * fails for a reason other than throttling): the message is then retried from its own cursors,
 * which is safe because revoked sessions have left the index and revocation is conditional.
 */
export async function checkShare(deps: RevalidationDeps, share: SweepShare, budget: RunBudget): Promise<ShareResult> {
  const result = emptyShareResult(share);
  const run = new ShareRun(deps, { sweepId: share.sweepId, shard: result.shard }, result);
  try {
    return await walkShare(deps, share, budget, result, (entries) => run.checkPage(entries));
  } catch (error) {
    throw new ShareFailedError(result, error);
  } finally {
    if (result.misconfigured !== undefined) {
      logger.error('misconfigured', { what: result.misconfigured, sweepId: share.sweepId, shard: result.shard, errors: result.errors });
    }
  }
}

interface Candidate {
  readonly entry: SweepEntry;
  readonly token: string;
}

class ShareRun {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly batchSize: number;
  private warnings = 0;
  /** What this run has told the mass-revocation guard it checked. */
  private reportedChecked = 0;

  constructor(
    private readonly deps: RevalidationDeps,
    private readonly share: Pick<ShareResult, 'sweepId' | 'shard'>,
    private readonly result: ShareResult,
  ) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.batchSize = Math.min(deps.options.batchSize ?? MAX_GRAPH_BATCH_SIZE, MAX_GRAPH_BATCH_SIZE);
  }

  /** Checks one chunk; answers why the share must stop, if it must, and how far it got. */
  async checkPage(entries: readonly SweepEntry[]): Promise<ChunkOutcome> {
    const now = this.now();
    const live = entries.filter((entry) => {
      // Expired sessions die by TTL and are refused on read; Facebook need not be asked.
      const checkable = entry.status === 'active' && entry.sealedToken !== undefined && entry.expiresAt > now;
      if (!checkable) this.result.skipped += 1;
      return checkable;
    });
    const opened = await Promise.all(live.map((entry) => this.open(entry)));
    const candidates = opened.filter((c): c is Candidate => c !== undefined);

    const batches: Candidate[][] = [];
    for (let i = 0; i < candidates.length; i += this.batchSize) batches.push(candidates.slice(i, i + this.batchSize));
    let next = 0;
    /** The first batch left for the next sweep: lanes take batches in order, so every later one is left too. */
    let firstLeft: number | undefined;
    const fatal: unknown[] = [];
    const lane = async () => {
      while (next < batches.length) {
        const index = next++;
        const batch = batches[index]!;
        const decision = this.deps.usage.decide(this.share.sweepId);
        if (decision === 'stop') {
          firstLeft = Math.min(firstLeft ?? index, index);
          this.defer(batch.length, 'app_usage');
          continue;
        }
        if (decision === 'slow') await this.sleep(this.deps.options.slowdownPauseMs);
        try {
          await this.checkBatch(batch);
          // Our configuration is wrong: every further call would be refused the same way.
          if (this.result.misconfigured !== undefined) next = batches.length;
        } catch (error) {
          fatal.push(error);
          // Leave the remaining batches alone; the share is retried from its cursor.
          next = batches.length;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.options.batchConcurrency, batches.length) }, lane));
    if (fatal.length > 0) throw fatal[0];
    if (this.result.misconfigured !== undefined) return { stop: 'misconfigured', decided: 0 };
    const decided = firstLeft === undefined ? entries.length : entries.indexOf(batches[firstLeft]![0]!.entry);
    return firstLeft !== undefined || this.deps.usage.decide(this.share.sweepId) === 'stop' ? { stop: 'app_usage', decided } : { decided };
  }

  private async open(entry: SweepEntry): Promise<Candidate | undefined> {
    try {
      const token = await this.deps.vault.open(entry.sealedToken!, { sessionId: entry.sessionId, userId: entry.userId });
      return { entry, token };
    } catch (error) {
      if (isTransientAwsError(error)) {
        this.defer(1, 'vault');
      } else {
        // A sealed token that will not open is never a reason to revoke: a misconfigured key would
        // otherwise end every session. It is counted and logged, and stays until it expires.
        this.result.checked += 1;
        this.result.errors += 1;
        this.warn('sealed token could not be opened', entry, error);
      }
      return undefined;
    }
  }

  private async checkBatch(batch: readonly Candidate[]): Promise<void> {
    const outcomes = await this.deps.checker.debugTokens(batch.map((c) => c.token));
    this.deps.usage.observe(this.share.sweepId, this.deps.checker.appUsagePercent);
    const proposed: [SweepEntry, RevocationReason][] = [];
    batch.forEach((candidate, i) => {
      const reason = this.judge(candidate.entry, outcomes[i]);
      if (reason !== undefined) proposed.push([candidate.entry, reason]);
    });
    if (proposed.length === 0) return;
    if ((await this.admit(proposed.length)) === 'hold') {
      this.defer(proposed.length, 'mass_revocation_guard');
      return;
    }
    const settled = await Promise.allSettled(proposed.map(([entry, reason]) => this.revoke(entry, reason)));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** Counts one outcome; answers the reason to revoke for, only on Facebook's verdict about this session. */
  private judge(entry: SweepEntry, outcome: TokenCheckOutcome | undefined): RevocationReason | undefined {
    if (outcome === undefined || outcome instanceof GraphTransientError) {
      this.defer(1, 'graph');
      return undefined;
    }
    if (outcome instanceof GraphMisconfiguredError) {
      this.misconfigured(outcome.what);
      return undefined;
    }
    if (outcome instanceof GraphRequestError) {
      this.result.checked += 1;
      this.result.errors += 1;
      this.warn('Facebook refused the check', entry, outcome);
      return undefined;
    }
    const verdict = judgeDebugToken(outcome, { appId: this.deps.appId, facebookUserId: entry.facebookUserId });
    switch (verdict.verdict) {
      case 'valid':
        this.result.checked += 1;
        this.result.valid += 1;
        return undefined;
      case 'ended':
        return revocationReasonFor(verdict);
      case 'wrong_app':
        // The token was our app's at sign-in: Facebook calling it another app's means we run with another app's id.
        this.misconfigured('Facebook says the tokens belong to another app: FACEBOOK_APP_ID and the app secret are not the app the sessions signed in with');
        return undefined;
      case 'unrecognised':
        this.defer(1, 'unrecognised_answer');
        if (this.warnings++ < DETAILED_WARNINGS_PER_SHARE) {
          logger.warn('unrecognised_answer', { why: verdict.why, sessionId: entry.sessionId, sweepId: this.share.sweepId, shard: this.share.shard });
        }
        return undefined;
    }
  }

  /** Asks the guard, reporting what this share checked since it last asked (these included). */
  private async admit(proposed: number): Promise<GuardDecision> {
    if (!this.deps.guard) return 'revoke';
    const checked = this.result.checked + proposed;
    const unreported = checked - this.reportedChecked;
    this.reportedChecked = checked;
    return this.deps.guard.admit(this.share.sweepId, unreported, proposed);
  }

  private misconfigured(what: string): void {
    this.result.checked += 1;
    this.result.errors += 1;
    this.result.misconfigured ??= what;
  }

  private async revoke(entry: SweepEntry, reason: RevocationReason): Promise<void> {
    let outcome;
    try {
      outcome = await this.deps.revocations.revokeSession(entry.sessionId, reason);
    } catch (error) {
      if (isTransientAwsError(error)) {
        this.defer(1, 'store');
        return;
      }
      throw error;
    }
    if (outcome.result === 'not_active') {
      // Signed out, revoked by a callback, or revoked by an earlier attempt at this share.
      this.result.skipped += 1;
      return;
    }
    this.result.checked += 1;
    this.result.revoked += 1;
    this.result.revokedByReason[reason] = (this.result.revokedByReason[reason] ?? 0) + 1;
    logger.info('session revoked', {
      sessionId: entry.sessionId,
      userId: outcome.userId ?? entry.userId,
      reason,
      sweepId: this.share.sweepId,
      shard: this.share.shard,
    });
  }

  private defer(count: number, cause: DeferCause): void {
    this.result.checked += count;
    this.result.deferred += count;
    this.result.deferredByCause[cause] = (this.result.deferredByCause[cause] ?? 0) + count;
  }

  private warn(message: string, entry: SweepEntry, error: unknown): void {
    if (this.warnings++ >= DETAILED_WARNINGS_PER_SHARE) return;
    const details = error instanceof Error ? { errorName: error.name, ...('code' in error && typeof error.code === 'number' ? { graphCode: error.code } : {}) } : {};
    logger.warn(message, { sessionId: entry.sessionId, sweepId: this.share.sweepId, shard: this.share.shard, ...details });
  }
}
