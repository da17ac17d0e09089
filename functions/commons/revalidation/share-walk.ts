import { logger } from '#commons/platform/logger';
import type { SweepEntry } from './ports.ts';
import type { RevalidationDeps, RunBudget, ShareResult } from './revalidation.ts';
import type { ShareSlot, SweepShare } from './sweep-queue.ts';

/**
 * How one run works through a share: it reads the share's shards in order, a page at a time, and
 * checks what it read in chunks of about a page (`pageSize`) that may span shards, so when
 * sessions are few the Graph batches of 50 still fill across shards (400 sessions: 8 requests, not
 * one per shard). Where it stands in each shard is kept in that shard's stored cursor
 * (`shard-cursors.ts`):
 *
 * - a shard read and checked to its end completes its pass (its stored cursor, if any, goes);
 * - a run that stops early leaves, in each shard it was working on, the last position checked,
 *   and marks the first shard it did not finish as in progress, so the next sweep starts there;
 *   sessions read but not checked are read again from there by the next sweep;
 * - once a run has read `shareTargetSessions`, the shards it has not started go to shares of their
 *   own, sized from what it has read, so a big population fans out over the workers as it did
 *   with one share per shard;
 * - a run out of pages or time queues a continuation with the rest, as before;
 * - a run that fails with several shards unfinished queues each of them as a share of its own
 *   instead of failing: one shard that cannot be read (or revoked in) then holds up no other, and
 *   only its own share is retried and, in the end, dead-lettered.
 *
 * Misconfiguration and failures record nothing: the next run starts where the last good one left.
 */
export interface ChunkOutcome {
  /** Why the share must stop, if it must. */
  readonly stop?: 'app_usage' | 'misconfigured';
  /** How many leading entries of the chunk reached an outcome; the rest wait for the next sweep. */
  readonly decided: number;
}

/** Checks the sessions of one chunk (the per-session decisions live in revalidation.ts). */
export type ChunkChecker = (entries: readonly SweepEntry[]) => Promise<ChunkOutcome>;

/** Sessions a run reads before it hands the shards it has not started to shares of their own. */
export const DEFAULT_SHARE_TARGET_SESSIONS = 2_000;

interface SlotState extends Omit<ShareSlot, 'stored'> {
  /** The pass has a stored cursor (from the dispatcher, or written by this line of runs). */
  stored: boolean;
  /** Where the next page is read from. */
  readFrom?: string;
  /** Just after the last session checked in this run (the cursor to store). */
  checkedTo?: string;
  started: boolean;
  readDone: boolean;
  /** Sessions read from this shard and not yet checked. */
  unchecked: number;
  completed: boolean;
}

interface Buffered {
  readonly entry: SweepEntry;
  readonly slot: SlotState;
}

export async function walkShare(deps: RevalidationDeps, share: SweepShare, budget: RunBudget, result: ShareResult, check: ChunkChecker): Promise<ShareResult> {
  return new ShareWalk(deps, share, result, check).run(budget);
}

class ShareWalk {
  private readonly slots: SlotState[];
  private readonly target: number;
  private buffer: Buffered[] = [];
  private current = 0;
  private read = 0;

  constructor(
    private readonly deps: RevalidationDeps,
    private readonly share: SweepShare,
    private readonly result: ShareResult,
    private readonly check: ChunkChecker,
  ) {
    this.slots = share.shards.map((slot) => ({ ...slot, stored: slot.stored === true, readFrom: slot.cursor, checkedTo: slot.cursor, started: false, readDone: false, unchecked: 0, completed: false }));
    this.target = deps.options.shareTargetSessions ?? DEFAULT_SHARE_TARGET_SESSIONS;
  }

  async run(budget: RunBudget): Promise<ShareResult> {
    try {
      return await this.walk(budget);
    } catch (error) {
      const rest = this.remaining(this.slots);
      if (rest.length <= 1) throw error;
      await this.deps.queue.send(rest.map((slot) => ({ sweepId: this.share.sweepId, shards: [slot], part: this.share.part + 1 })));
      this.result.handedOn += rest.length;
      logger.warn('share split after a failure', { sweepId: this.share.sweepId, shard: this.result.shard, shares: rest.length, errorName: (error as Error).name, error: (error as Error).message });
      return this.result;
    }
  }

  private async walk(budget: RunBudget): Promise<ShareResult> {
    if (this.deps.usage.decide(this.share.sweepId) === 'stop') {
      this.result.stoppedForAppUsage = true;
      return this.result;
    }
    const { pageSize, maxPagesPerRun, timeReserveMs } = this.deps.options;
    for (;;) {
      const readingDone = this.current >= this.slots.length;
      if (this.buffer.length >= pageSize || (readingDone && this.buffer.length > 0)) {
        const stop = await this.checkChunk();
        if (stop === 'misconfigured') return this.result;
        if (stop === 'app_usage') {
          this.result.stoppedForAppUsage = true;
          await this.recordProgress();
          return this.result;
        }
        continue;
      }
      if (readingDone) return this.result;
      // A budget of sessions rather than queries: 64 near-empty shards cost one run, not two.
      if (this.read >= maxPagesPerRun * pageSize || budget.remainingMs() < timeReserveMs) {
        // What was read is checked first, so every run moves on however small its shards.
        const stop = this.buffer.length > 0 ? await this.checkChunk() : undefined;
        if (stop === 'misconfigured') return this.result;
        await this.recordProgress();
        if (stop === 'app_usage') this.result.stoppedForAppUsage = true;
        else await this.continueLater();
        return this.result;
      }
      if (this.read >= this.target) await this.handOnUnstarted();
      if (this.current < this.slots.length) await this.readPage();
    }
  }

  private async readPage(): Promise<void> {
    const slot = this.slots[this.current]!;
    const page = await this.deps.index.readPage(slot.shard, { ...(slot.readFrom ? { cursor: slot.readFrom } : {}), limit: this.deps.options.pageSize });
    this.result.pages += 1;
    slot.started = true;
    this.read += page.entries.length;
    slot.unchecked += page.entries.length;
    for (const entry of page.entries) this.buffer.push({ entry, slot });
    if (page.nextCursor) {
      slot.readFrom = page.nextCursor;
      return;
    }
    slot.readDone = true;
    this.current += 1;
    // An empty shard (or one whose last page was empty) is done at once.
    if (slot.unchecked === 0) await this.completePasses();
  }

  private async checkChunk(): Promise<ChunkOutcome['stop']> {
    const chunk = this.buffer;
    this.buffer = [];
    const outcome = await this.check(chunk.map((item) => item.entry));
    if (outcome.stop === 'misconfigured') return outcome.stop;
    for (const { entry, slot } of chunk.slice(0, outcome.decided)) {
      slot.checkedTo = this.deps.index.cursorAfter(slot.shard, entry);
      slot.unchecked -= 1;
    }
    await this.completePasses();
    return outcome.stop;
  }

  /**
   * Shards read and checked to their end complete their pass. A pass with a stored cursor counts
   * when the delete of that cursor wins (a retry cannot end it twice); one that began and ended in
   * this run had nothing stored and costs no write.
   */
  private async completePasses(): Promise<void> {
    const done = this.slots.filter((slot) => slot.readDone && slot.unchecked === 0 && !slot.completed);
    await Promise.all(
      done.map(async (slot) => {
        slot.completed = true;
        if (slot.stored && slot.pass !== undefined && this.deps.cursors && !(await this.deps.cursors.completePass(slot.shard, slot.pass))) return;
        this.result.passesCompleted += 1;
      }),
    );
  }

  /**
   * Stores the last position checked in every shard this run moved forward and did not finish,
   * and marks the first shard it did not finish as in progress even if untouched: the next sweep
   * starts from there, not from the shards this one already got through.
   */
  private async recordProgress(): Promise<void> {
    const cursors = this.deps.cursors;
    if (!cursors) return;
    const unfinished = this.slots.filter((slot) => !slot.completed && slot.pass !== undefined);
    const toStore = unfinished.filter((slot, i) => (i === 0 && !slot.stored) || slot.checkedTo !== slot.cursor);
    await Promise.all(
      toStore.map(async (slot) => {
        if (await cursors.advance(slot.shard, slot.pass!, slot.checkedTo)) slot.stored = true;
      }),
    );
  }

  /** The rest of the share, from the last position checked in each shard not finished. */
  private remaining(slots: readonly SlotState[]): ShareSlot[] {
    return slots
      .filter((slot) => !slot.completed)
      .map((slot) => ({
        shard: slot.shard,
        ...(slot.checkedTo ? { cursor: slot.checkedTo } : {}),
        ...(slot.pass !== undefined ? { pass: slot.pass } : {}),
        ...(slot.stored ? { stored: true as const } : {}),
      }));
  }

  private async continueLater(): Promise<void> {
    const rest = this.remaining(this.slots);
    if (rest.length === 0) return;
    await this.deps.queue.send([{ sweepId: this.share.sweepId, shards: rest, part: this.share.part + 1 }]);
    this.result.continued = true;
  }

  /**
   * Gives the shards this run has not started to new shares, each about `target` sessions by the
   * average shard read so far (a shard still being read counts as whole, so when one shard alone
   * holds `target` sessions the rest go one shard a share).
   */
  private async handOnUnstarted(): Promise<void> {
    const keep = this.slots.findIndex((slot) => !slot.started);
    if (keep < 0) return;
    const unstarted = this.slots.slice(keep);
    const perShare = Math.max(1, Math.floor((this.target * keep) / this.read));
    const shares: SweepShare[] = [];
    for (let i = 0; i < unstarted.length; i += perShare) {
      shares.push({ sweepId: this.share.sweepId, shards: this.remaining(unstarted.slice(i, i + perShare)), part: this.share.part + 1 });
    }
    await this.deps.queue.send(shares);
    this.slots.length = keep;
    this.result.handedOn += shares.length;
  }
}
