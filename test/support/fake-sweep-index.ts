import type { SweepEntry, SweepPage } from '#commons/revalidation/ports';

/** An index paged by position: every shard holds `entries` unless `byShard` says otherwise. */
export class FakeIndex {
  reads: { shard: string; cursor?: string; limit: number }[] = [];
  failOnRead?: number;
  constructor(
    private readonly entries: SweepEntry[],
    private readonly byShard: Record<string, SweepEntry[]> = {},
  ) {}
  private shardEntries(shard: string): SweepEntry[] {
    return this.byShard[shard] ?? this.entries;
  }
  async readPage(shard: string, options: { cursor?: string; limit: number }): Promise<SweepPage> {
    this.reads.push({ shard, ...options });
    if (this.failOnRead === this.reads.length) throw Object.assign(new Error('AccessDeniedException'), { name: 'AccessDeniedException' });
    const entries = this.shardEntries(shard);
    const start = options.cursor ? Number(options.cursor) : 0;
    const end = start + options.limit;
    return { entries: entries.slice(start, end), ...(end < entries.length ? { nextCursor: String(end) } : {}) };
  }
  cursorAfter(shard: string, entry: Pick<SweepEntry, 'sessionId'>): string {
    return String(this.shardEntries(shard).findIndex((e) => e.sessionId === entry.sessionId) + 1);
  }
}
