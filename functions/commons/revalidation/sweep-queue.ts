import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from '#commons/platform/zod';

/**
 * A share of a revalidation sweep: one or more shards of the `sweep` index, each from its own
 * position. A message describes the work, never the sessions themselves, so it stays a few
 * kilobytes however many sessions the shards hold (64 shards with cursors: ~13 KB).
 */
export interface SweepShare {
  /** Names the sweep in logs and metrics; continuations keep it. */
  readonly sweepId: string;
  /** The shards to check, in order: the dispatcher puts the shard furthest behind first. */
  readonly shards: readonly ShareSlot[];
  /** How many runs came before this one in its line (0 for the dispatcher's message). */
  readonly part: number;
}

/** One shard of a share, and where its current pass stands. */
export interface ShareSlot {
  /** `"00"`.. : the shard of the `sweep` index. */
  readonly shard: string;
  /** Opaque position in the shard (from the sweep index): where the pass resumes; absent for the head. */
  readonly cursor?: string;
  /**
   * When the shard's current pass began (epoch ms): writes to its stored cursor are conditional on
   * it, so a stale run can neither move nor end a newer pass. Absent in messages queued before
   * shard cursors existed: those leave the stored cursors alone.
   */
  readonly pass?: number;
  /** The pass has a stored cursor (it is in progress), which ending the pass deletes. */
  readonly stored?: true;
}

const slotSchema = z.strictObject({
  shard: z.string().check(z.regex(/^\d{2}$/)),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  pass: z.optional(z.number().check(z.int(), z.gte(0))),
  stored: z.optional(z.literal(true)),
});

const sweepId = z.string().check(z.minLength(1), z.maxLength(100));
const part = z.number().check(z.int(), z.gte(0));

export const sweepShareSchema = z.discriminatedUnion('v', [
  z.strictObject({ v: z.literal(2), sweepId, shards: z.array(slotSchema).check(z.minLength(1), z.maxLength(256)), part }),
  // One shard per message, as queued before shard cursors: still read, so a deploy mid-sweep loses nothing.
  z.strictObject({ v: z.literal(1), sweepId, shard: slotSchema.shape.shard, cursor: slotSchema.shape.cursor, part }),
]);

export function encodeShare(share: SweepShare): string {
  const shards = share.shards.map((slot) => ({
    shard: slot.shard,
    ...(slot.cursor ? { cursor: slot.cursor } : {}),
    ...(slot.pass !== undefined ? { pass: slot.pass } : {}),
    ...(slot.stored ? { stored: true } : {}),
  }));
  return JSON.stringify({ v: 2, sweepId: share.sweepId, shards, part: share.part });
}

export class ShareMessageError extends Error {
  override readonly name = 'ShareMessageError';
}

export function decodeShare(body: string): SweepShare {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new ShareMessageError('share message is not JSON', { cause });
  }
  const parsed = sweepShareSchema.safeParse(json);
  if (!parsed.success) throw new ShareMessageError(`share message is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const message = parsed.data;
  if (message.v === 2) return { sweepId: message.sweepId, shards: message.shards, part: message.part };
  return { sweepId: message.sweepId, shards: [{ shard: message.shard, ...(message.cursor ? { cursor: message.cursor } : {}) }], part: message.part };
}

/** The shards of a share, for logs: `07`, or `07,12,33`. */
export function shardsOf(share: Pick<SweepShare, 'shards'>): string {
  return share.shards.map((slot) => slot.shard).join(',');
}

/** Where shares go to be worked on: SQS in AWS, an in-process queue in tests. */
export interface ShareQueue {
  send(shares: readonly SweepShare[]): Promise<void>;
  /** Hides a received share that failed for `delaySeconds` before it is handed out again. */
  retryLater?(receiptHandle: string, delaySeconds: number): Promise<void>;
}

export class ShareQueueError extends Error {
  override readonly name = 'ShareQueueError';
}

export interface SqsShareQueueOptions {
  /** Attempts per entry before giving up. @default 4 */
  readonly maxAttempts?: number;
  /** First pause between attempts; doubles each time. @default 100 */
  readonly backoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** SendMessageBatch allows at most 10 entries. */
const SQS_BATCH_LIMIT = 10;

/**
 * Sends shares with SendMessageBatch (10 per call). A batch call can succeed while some entries
 * fail: those (and only those) are sent again with backoff, so no share is lost or doubled.
 */
export class SqsShareQueue implements ShareQueue {
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
    options: SqsShareQueueOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.backoffMs = options.backoffMs ?? 100;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(shares: readonly SweepShare[]): Promise<void> {
    for (let start = 0; start < shares.length; start += SQS_BATCH_LIMIT) {
      await this.sendBatch(shares.slice(start, start + SQS_BATCH_LIMIT));
    }
  }

  /** SQS keeps a failed message in the queue; its visibility timeout says when it comes back. */
  async retryLater(receiptHandle: string, delaySeconds: number): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: delaySeconds }));
  }

  private async sendBatch(shares: readonly SweepShare[]): Promise<void> {
    let pending = new Map(shares.map((share, index) => [String(index), share]));
    for (let attempt = 1; ; attempt++) {
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: [...pending].map(([id, share]) => ({ Id: id, MessageBody: encodeShare(share) })),
        }),
      );
      const failed = result.Failed ?? [];
      if (failed.length === 0) return;
      const senderFaults = failed.filter((entry) => entry.SenderFault);
      if (senderFaults.length > 0 || attempt >= this.maxAttempts) {
        const codes = [...new Set(failed.map((entry) => entry.Code ?? 'unknown'))].join(', ');
        throw new ShareQueueError(`SQS refused ${failed.length} of ${pending.size} share messages after ${attempt} attempt(s): ${codes}`);
      }
      pending = new Map(failed.map((entry) => [entry.Id!, pending.get(entry.Id!)!]));
      await this.sleep(this.backoffMs * 2 ** (attempt - 1));
    }
  }
}
