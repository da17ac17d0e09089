/**
 * The table Session Guard keeps everything in, declared once: `infra/session-table.ts` (the CDK
 * table), `local/table.ts` (the local table) and the stores in this folder all build from it.
 * Plain data on purpose (no SDK import), so the CDK app and a Lambda bundle can both take it.
 *
 * Single table, `pk`/`sk`:
 *
 * | item                     | pk                     | sk         | notes                                     |
 * |--------------------------|------------------------|------------|-------------------------------------------|
 * | user                     | USER#<userId>          | USER       |                                           |
 * | Facebook id → user       | FBUSER#<fbUserId>      | FBUSER     | makes the app-scoped id unique            |
 * | session                  | SESSION#<sessionId>    | SESSION    | TTL; GSIs byUser and sweep                |
 * | session-info token lock  | SITOKEN#<sha256>       | SITOKEN    | TTL; one live session per token           |
 * | data deletion record     | DELETION#<code>        | DELETION   | TTL; names no person (status page)        |
 * | web sign-in state        | OAUTHSTATE#<sha256>    | OAUTHSTATE | TTL 10 min; spent by a conditional delete |
 * | re-authentication nonce  | REAUTH#<sha256>        | REAUTH     | TTL expiry + 1 day; spent, then kept      |
 * | session ended (sign-out) | ENDED#<sessionId>      | ENDED      | TTL 1 day; the outbox of `Session Ended`  |
 * | sweep tally              | SWEEP#<sweepId>        | SWEEP      | TTL 2 days; the mass-revocation guard     |
 * | admin audit record       | AUDIT#<auditId>        | AUDIT      | TTL; one per admin action, with principal; in byUser under the person its path names |
 * | inventory entry          | INVENTORY              | CREDENTIAL#<label> | a long-lived credential: where it lives, never the token |
 * | offboarded owner         | INVENTORY              | OFFBOARDED#<owner> | their entries stay flagged            |
 * | inventory check runs     | INVENTORY              | RUNS       | starts of the latest daily checks         |
 * | sweep shard cursor       | SWEEPCURSOR#sweep      | SHARD#<nn> | only while the shard's pass is in progress |
 *
 * The inventory shares one partition on purpose: it holds tens to hundreds of entries that are
 * always read together (the daily check, `inventory list`), so one Query reads them all.
 *
 * GSI `byUser` (userPk, userSk) lists a person's sessions (`SESSION#…` sort keys) and the audit
 * records that name them (`AUDIT#…`, under `USER#<id>` or `FBUSER#<id>`), which data deletion
 * erases with them; every query of it names its prefix. GSI `sweep` (sweepShard, sweepKey) is
 * sparse over live sessions and lets the revalidation read them shard by shard.
 *
 * The shard cursors break the `<prefix>#<id>` / `<prefix>` pattern on purpose: they share one
 * partition, so the dispatcher reads every shard's position with one Query (a few read units)
 * instead of 64 reads. At most 64 small items, deleted when their pass ends, so no TTL.
 * `ttl` is epoch seconds; TTL deletion is lazy, so every read checks expiry itself.
 *
 * The table's stream (old and new images) is the outbox of Session Guard's events: see
 * `functions/commons/events/stream-mapping.ts` for which change of which item is which event.
 */
export const TABLE_KEY = { partition: 'pk', sort: 'sk' } as const;

export const TTL_ATTRIBUTE = 'ttl';

/** What each entity's `pk` starts with (`<prefix>#<id>`); its `sk` is the prefix alone. */
export const KEY_PREFIX = {
  user: 'USER',
  facebookUser: 'FBUSER',
  session: 'SESSION',
  sessionInfoToken: 'SITOKEN',
  dataDeletion: 'DELETION',
  loginState: 'OAUTHSTATE',
  reauthNonce: 'REAUTH',
  sessionEnded: 'ENDED',
  sweepTally: 'SWEEP',
  audit: 'AUDIT',
  sweepCursor: 'SWEEPCURSOR',
} as const;

export type EntityName = keyof typeof KEY_PREFIX;

/**
 * The table's stream: both images, because an event is told by what changed (a session going from
 * active to revoked, a deletion record from in progress to completed).
 */
export const STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES';

/** The long-lived credential inventory: one partition, one sort-key prefix per item type. */
export const INVENTORY_PARTITION = 'INVENTORY';
export const INVENTORY_SORT_PREFIX = { credential: 'CREDENTIAL#', offboardedOwner: 'OFFBOARDED#', runs: 'RUNS' } as const;

export type IndexProjection =
  | { readonly type: 'ALL' }
  | { readonly type: 'INCLUDE'; readonly nonKeyAttributes: readonly string[] };

export interface IndexSchema {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly projection: IndexProjection;
}

/** A person's sessions, oldest first (userSk starts with the creation time). */
export const BY_USER_INDEX = {
  name: 'byUser',
  partitionKey: 'userPk',
  sortKey: 'userSk',
  projection: { type: 'ALL' },
} as const satisfies IndexSchema;

/**
 * Sparse over live sessions (revocation removes the key attributes), sharded so the revalidation
 * reads it in parallel. Projects what the scheduled revalidation reads, nothing more.
 */
export const SWEEP_INDEX = {
  name: 'sweep',
  partitionKey: 'sweepShard',
  sortKey: 'sweepKey',
  // facebookUserId: a verdict counts only if Facebook's answer is about this session's own person.
  projection: { type: 'INCLUDE', nonKeyAttributes: ['userId', 'facebookUserId', 'sealedToken', 'expiresAt', 'status'] },
} as const satisfies IndexSchema;

export const INDEXES: readonly IndexSchema[] = [BY_USER_INDEX, SWEEP_INDEX];

/** Sessions are spread over this many `sweep` partitions, named `00`..`63`. */
export const SWEEP_SHARD_COUNT = 64;

/** Every shard name of the `sweep` index, in order. */
export function sweepShards(): string[] {
  return Array.from({ length: SWEEP_SHARD_COUNT }, (_, i) => sweepShardName(i));
}

export function sweepShardName(shard: number): string {
  return String(shard).padStart(2, '0');
}

/** Every key attribute (table and indexes); all strings. */
export function keyAttributeNames(): string[] {
  return [TABLE_KEY.partition, TABLE_KEY.sort, ...INDEXES.flatMap((index) => [index.partitionKey, index.sortKey])];
}
