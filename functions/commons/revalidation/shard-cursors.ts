import type { ShareQueue, ShareSlot } from './sweep-queue.ts';

/**
 * Where the sweep stands in a shard of the `sweep` index whose pass is in progress, kept between
 * sweeps, so a sweep that stops early (Facebook's app usage at the stop threshold, a run's time
 * budget) does not send the next one back to the head: the next sweep resumes each such shard
 * where the last one stopped, and the shard goes back to the head (its cursor is deleted) when the
 * pass completes. A shard at its head has no cursor at all, so a sweep that gets through every
 * shard writes nothing (0 write units for a healthy sweep, whatever the population).
 *
 * Fairness: the dispatcher puts the shards with a pass in progress first (oldest first), then the
 * others in cyclic order from just after the newest one (where the last sweep stopped), so under
 * sustained pressure every live session is still checked in turn and no shard waits for ever.
 *
 * `passStartedAt` is when the pass began (the start of the sweep that began it at the head); it
 * also names the pass in conditional writes, so a stale run (a retry, a continuation of an earlier
 * sweep overlapping the next) can neither move nor end a pass that is not its own.
 */
export interface ShardCursor {
  readonly shard: string;
  /** When the shard's current pass began (epoch ms). */
  readonly passStartedAt: number;
  /** The last position checked in this pass (opaque, from the sweep index); absent when nothing was checked yet. */
  readonly cursor?: string;
}

/** Implemented by `#commons/storage/shard-cursor-store`. */
export interface ShardCursorRepository {
  /** The cursor of every shard whose pass is in progress. */
  readAll(): Promise<ShardCursor[]>;
  /**
   * Records that pass `pass` of a shard stands at `cursor` (or has begun, nothing checked yet);
   * false (nothing written) when the shard is on another pass.
   */
  advance(shard: string, pass: number, cursor?: string): Promise<boolean>;
  /** Ends pass `pass`: the shard goes back to its head; false when it had ended already. */
  completePass(shard: string, pass: number): Promise<boolean>;
}

export interface SweepPlan {
  /** Every shard, in the order above, each from its stored position. */
  readonly slots: readonly ShareSlot[];
  /** The age, in seconds, of the oldest shard pass still in progress (0 when none is). Published as `SweepLagSeconds`. */
  readonly lagSeconds: number;
}

/** Orders the shards for this sweep from the cursors in progress (read with one Query). */
export async function planSweep(cursors: Pick<ShardCursorRepository, 'readAll'>, shards: readonly string[], now: number): Promise<SweepPlan> {
  const known = new Set(shards);
  const inProgress = (await cursors.readAll()).filter((cursor) => known.has(cursor.shard));
  inProgress.sort((a, b) => a.passStartedAt - b.passStartedAt || a.shard.localeCompare(b.shard));
  const newest = inProgress.reduce<ShardCursor | undefined>((found, c) => (!found || c.passStartedAt > found.passStartedAt || (c.passStartedAt === found.passStartedAt && c.shard > found.shard) ? c : found), undefined);
  const taken = new Set(inProgress.map((cursor) => cursor.shard));
  const after = newest ? shards.indexOf(newest.shard) + 1 : 0;
  const atHead = [...shards.slice(after), ...shards.slice(0, after)].filter((shard) => !taken.has(shard));
  return {
    slots: [
      ...inProgress.map((cursor) => ({ shard: cursor.shard, ...(cursor.cursor ? { cursor: cursor.cursor } : {}), pass: cursor.passStartedAt, stored: true as const })),
      ...atHead.map((shard) => ({ shard, pass: now })),
    ],
    lagSeconds: inProgress.length > 0 ? Math.max(0, Math.floor((now - inProgress[0]!.passStartedAt) / 1000)) : 0,
  };
}

export interface DispatchResult {
  readonly sweepId: string;
  readonly shares: number;
  readonly lagSeconds: number;
}

/**
 * Queues a sweep as one share holding every shard: the worker pools small shards into full Graph
 * batches, and hands shards on to shares of their own once it has read enough to know the shards
 * are big (`share-walk.ts`), so the share count follows the population without anyone counting it.
 */
export async function dispatchSweep(queue: ShareQueue, cursors: Pick<ShardCursorRepository, 'readAll'>, sweepId: string, shards: readonly string[], now: number): Promise<DispatchResult> {
  const plan = await planSweep(cursors, shards, now);
  await queue.send([{ sweepId, shards: plan.slots, part: 0 }]);
  return { sweepId, shares: 1, lagSeconds: plan.lagSeconds };
}
