import type { ShareQueue, ShareSlot } from './sweep-queue.ts';

/**
 * Where the sweep stands in each shard of the `sweep` index, kept between sweeps, so a sweep that
 * stops early (Facebook's app usage at the stop threshold, a run's time budget) does not send the
 * next one back to the head: the next sweep resumes each shard where the last one stopped, and
 * wraps to the head when a pass through the shard completes. Under sustained pressure every live
 * session is still checked in turn, and the dispatcher puts the shard furthest behind first, so
 * no shard waits on the others for ever.
 *
 * A pass begins when the previous one ends (or when the shard is first seen); `passStartedAt` also
 * names the pass in conditional writes, so a stale run (a retry, a continuation of an earlier sweep
 * overlapping the next) can neither move nor end a pass that is not its own.
 */
export interface ShardCursor {
  readonly shard: string;
  /** When the shard's current pass began (epoch ms): when its previous pass ended. */
  readonly passStartedAt: number;
  /** The last position checked in this pass (opaque, from the sweep index); absent at the head. */
  readonly cursor?: string;
}

/** Implemented by `#commons/storage/shard-cursor-store`. */
export interface ShardCursorRepository {
  /** Every shard's cursor. */
  readAll(): Promise<ShardCursor[]>;
  /** Starts a shard's first pass at the head, unless it has a cursor already; answers whether it did. */
  start(shard: string, passStartedAt: number): Promise<boolean>;
  /** Records the last position checked in pass `pass`; false (nothing written) when the shard is on another pass. */
  advance(shard: string, pass: number, cursor: string): Promise<boolean>;
  /** Ends pass `pass`: the cursor wraps to the head and the next pass begins `at`; false when it had ended already. */
  completePass(shard: string, pass: number, at: number): Promise<boolean>;
}

export interface SweepPlan {
  /** Every shard, furthest behind first, each from its stored position. */
  readonly slots: readonly ShareSlot[];
  /**
   * How far behind the sweep is: the age, in seconds, of the oldest pass still in progress (a
   * shard at the head counts from the end of its last pass). Published as `SweepLagSeconds`.
   */
  readonly lagSeconds: number;
}

/**
 * Reads every shard's cursor and orders the shards for this sweep: oldest pass first, so under
 * pressure the shard that has waited longest goes first. A shard without a cursor (a new table)
 * starts its first pass now.
 */
export async function planSweep(cursors: ShardCursorRepository, shards: readonly string[], now: number): Promise<SweepPlan> {
  const stored = new Map((await cursors.readAll()).map((cursor) => [cursor.shard, cursor]));
  const missing = shards.filter((shard) => !stored.has(shard));
  await Promise.all(missing.map((shard) => cursors.start(shard, now)));
  const known = shards.map((shard) => stored.get(shard) ?? { shard, passStartedAt: now });
  known.sort((a, b) => a.passStartedAt - b.passStartedAt || a.shard.localeCompare(b.shard));
  const oldest = known.length > 0 ? known[0]!.passStartedAt : now;
  return {
    slots: known.map((cursor) => ({ shard: cursor.shard, ...(cursor.cursor ? { cursor: cursor.cursor } : {}), pass: cursor.passStartedAt })),
    lagSeconds: Math.max(0, Math.floor((now - oldest) / 1000)),
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
export async function dispatchSweep(queue: ShareQueue, cursors: ShardCursorRepository, sweepId: string, shards: readonly string[], now: number): Promise<DispatchResult> {
  const plan = await planSweep(cursors, shards, now);
  await queue.send([{ sweepId, shards: plan.slots, part: 0 }]);
  return { sweepId, shares: 1, lagSeconds: plan.lagSeconds };
}
