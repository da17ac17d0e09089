import { randomInt } from 'node:crypto';
import { BY_USER_INDEX, INVENTORY_PARTITION, INVENTORY_SORT_PREFIX, KEY_PREFIX, SWEEP_INDEX, SWEEP_SHARD_COUNT, sweepShardName, type EntityName } from './schema.ts';

/** The primary key of one item. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

function entityKey(entity: EntityName, id: string): ItemKey {
  const prefix = KEY_PREFIX[entity];
  return { pk: `${prefix}#${id}`, sk: prefix };
}

/** Every key of the table is built here, from the prefixes in `schema.ts`. */
export const keys = {
  user: (userId: string) => entityKey('user', userId),
  facebookUser: (facebookUserId: string) => entityKey('facebookUser', facebookUserId),
  session: (sessionId: string) => entityKey('session', sessionId),
  sessionInfoToken: (tokenHash: string) => entityKey('sessionInfoToken', tokenHash),
  dataDeletion: (confirmationCode: string) => entityKey('dataDeletion', confirmationCode),
  loginState: (stateHash: string) => entityKey('loginState', stateHash),
  reauthNonce: (nonceHash: string) => entityKey('reauthNonce', nonceHash),
  sessionEnded: (sessionId: string) => entityKey('sessionEnded', sessionId),
  sweepTally: (sweepId: string) => entityKey('sweepTally', sweepId),
  audit: (auditId: string) => entityKey('audit', auditId),
  credential: (label: string) => ({ pk: INVENTORY_PARTITION, sk: `${INVENTORY_SORT_PREFIX.credential}${label}` }),
  offboardedOwner: (owner: string) => ({ pk: INVENTORY_PARTITION, sk: `${INVENTORY_SORT_PREFIX.offboardedOwner}${owner}` }),
  inventoryRuns: () => ({ pk: INVENTORY_PARTITION, sk: INVENTORY_SORT_PREFIX.runs }),
  /** Where the sweep stands in one shard of the `sweep` index; every shard's cursor shares one partition. */
  shardCursor: (shard: string) => ({ pk: shardCursorPartition(), sk: `${SHARD_CURSOR_SORT_PREFIX}${shard}` }),
  /** The `byUser` index key of a session: the person, then creation time, so pages come oldest first. */
  userSessions: (userId: string, createdAt: number, sessionId: string) => ({
    [BY_USER_INDEX.partitionKey]: entityKey('user', userId).pk,
    [BY_USER_INDEX.sortKey]: `${userSessionsPrefix()}${new Date(createdAt).toISOString()}#${sessionId}`,
  }),
  /**
   * The `byUser` index key of an audit record that names a person (by our id, else by Facebook id),
   * so that erasing the person (data deletion) finds it: their partition, then `AUDIT#` and the time.
   */
  personAudit: (subject: AuditSubject, at: number, auditId: string) => ({
    [BY_USER_INDEX.partitionKey]: auditSubjectPartition(subject),
    [BY_USER_INDEX.sortKey]: `${auditRecordsPrefix()}${new Date(at).toISOString()}#${auditId}`,
  }),
  /** The `sweep` index key of a live session, on a shard drawn at random to spread the load. */
  sweep: (sessionId: string) => ({
    [SWEEP_INDEX.partitionKey]: sweepShardName(randomInt(SWEEP_SHARD_COUNT)),
    [SWEEP_INDEX.sortKey]: sessionId,
  }),
};

/** Whom an audit record is about, as far as its path named them. */
export type AuditSubject = { readonly userId: string } | { readonly facebookUserId: string };

/** The `byUser` partition of a person's audit records: `USER#<id>` or, by Facebook id only, `FBUSER#<id>`. */
export function auditSubjectPartition(subject: AuditSubject): string {
  return 'userId' in subject ? entityKey('user', subject.userId).pk : entityKey('facebookUser', subject.facebookUserId).pk;
}

/** What every audit record's `byUser` sort key starts with (sessions' start with `SESSION#`). */
export function auditRecordsPrefix(): string {
  return `${KEY_PREFIX.audit}#`;
}

/** What every session's `byUser` sort key starts with. */
export function userSessionsPrefix(): string {
  return `${KEY_PREFIX.session}#`;
}

/** What a shard cursor's sort key starts with (the shard's name follows). */
export const SHARD_CURSOR_SORT_PREFIX = 'SHARD#';

/** The one partition every shard cursor of the `sweep` index lives in. */
export function shardCursorPartition(): string {
  return `${KEY_PREFIX.sweepCursor}#${SWEEP_INDEX.name}`;
}
