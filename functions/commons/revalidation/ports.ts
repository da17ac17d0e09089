import type { SessionStatus } from '#commons/sessions/model';

/**
 * What the revalidation sweep reads from storage: live sessions, one shard and one page at a
 * time. Implemented by `#commons/storage/sweep-index`.
 */

/** What the revalidation sees of a live session, nothing more. */
export interface SweepEntry {
  readonly sessionId: string;
  readonly userId: string;
  /**
   * The session's Facebook user (projected into the index): a `debug_token` answer about another
   * Facebook user is no verdict about this session (#commons/facebook/token-verdict).
   */
  readonly facebookUserId: string;
  /** Absent only if an item was caught mid-revocation. */
  readonly sealedToken?: string;
  readonly expiresAt: number;
  readonly status: SessionStatus;
}

export interface SweepPage {
  readonly entries: readonly SweepEntry[];
  /** Where the next page starts; absent at the end of the shard. Opaque outside storage. */
  readonly nextCursor?: string;
}

export interface SweepIndexReader {
  /** One page of a shard; `cursor` is a page's `nextCursor` from the same shard. */
  readPage(shard: string, options: { readonly cursor?: string; readonly limit: number }): Promise<SweepPage>;
  /** The cursor from which reading `shard` resumes just after `entry` (one of its entries). */
  cursorAfter(shard: string, entry: Pick<SweepEntry, 'sessionId'>): string;
}
