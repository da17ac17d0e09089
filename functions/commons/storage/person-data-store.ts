import { BatchWriteCommand, type BatchWriteCommandInput, DeleteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  DataDeletionCounts,
  DataDeletionRecord,
  DataDeletionSubject,
  PersonDataRepository,
  StoredSessionRef,
} from '#commons/facebook-callbacks/ports';
import type { User } from '#commons/sessions/model';
import { isConditionFailure, itemAtConditionFailure } from './conditions.ts';
import { dataDeletionExpiresAt, dataDeletionFromItem } from './data-deletion-mapper.ts';
import { auditRecordsPrefix, auditSubjectPartition, type ItemKey, keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { SESSION_REF_ATTRIBUTES, storedSessionRefFromItem } from './session-mapper.ts';
import { toEpochSeconds } from './ttl.ts';
import { LINK_VERSION, userFromFacebookUserItem } from './user-mapper.ts';
import { byUserPages, userSessionPages } from './user-session-pages.ts';

export interface PersonDataStoreOptions {
  /** BatchWriteItem attempts before giving up on unprocessed items. @default 8 */
  readonly maxBatchAttempts?: number;
  /** First retry delay; doubles each attempt, with jitter. @default 50 */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_WRITE_LIMIT = 25;

/**
 * Erasing everything held on one person (Facebook's data-deletion callback), and the anonymous
 * record behind the status page, which names no person: only its confirmation code, status,
 * times and counts.
 */
export class PersonDataStore implements PersonDataRepository {
  private readonly maxBatchAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
    options: PersonDataStoreOptions = {},
  ) {
    this.maxBatchAttempts = options.maxBatchAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async markDeletionStarted(facebookUserId: string): Promise<User | undefined> {
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.facebookUser(facebookUserId),
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: `SET deletingSince = if_not_exists(deletingSince, :now) ADD ${LINK_VERSION} :one`,
          ExpressionAttributeValues: { ':now': this.now(), ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return userFromFacebookUserItem(facebookUserId, result.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Every session record of a person (live or revoked), one byUser page at a time. The index is
   * eventually consistent: a caller that must see everything queries again until nothing new shows.
   */
  async *sessionPagesOfUser(userId: string): AsyncGenerator<StoredSessionRef[]> {
    for await (const page of userSessionPages(this.doc, this.tableName, userId, SESSION_REF_ATTRIBUTES)) {
      const refs = page.map(storedSessionRefFromItem);
      if (refs.length > 0) yield refs;
    }
  }

  /**
   * Deletes these sessions (sealed tokens go with them) and their session-info token locks, 25 keys
   * per BatchWriteItem, retrying UnprocessedItems with backoff; throws if some are still left.
   * Unconditional on purpose: a lock's key is the hash of the person's own session-info token, so
   * whichever session it points at is theirs too.
   */
  async deleteSessions(sessions: readonly StoredSessionRef[]): Promise<void> {
    const unique = new Map<string, ItemKey>();
    for (const session of sessions) {
      const sessionKey = keys.session(session.sessionId);
      unique.set(sessionKey.pk, sessionKey);
      if (session.sessionInfoTokenHash) {
        const lockKey = keys.sessionInfoToken(session.sessionInfoTokenHash);
        unique.set(lockKey.pk, lockKey);
      }
    }
    await this.deleteKeys([...unique.values()]);
  }

  /** Deletes these items, 25 keys per BatchWriteItem. */
  private async deleteKeys(all: readonly ItemKey[]): Promise<void> {
    for (let i = 0; i < all.length; i += BATCH_WRITE_LIMIT) {
      await this.batchDelete(all.slice(i, i + BATCH_WRITE_LIMIT));
    }
  }

  private async batchDelete(chunk: readonly ItemKey[]): Promise<void> {
    type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];
    let pending: WriteRequests = chunk.map((key) => ({ DeleteRequest: { Key: { ...key } } }));
    for (let attempt = 1; ; attempt++) {
      const result = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
      pending = result.UnprocessedItems?.[this.tableName] ?? [];
      if (pending.length === 0) return;
      if (attempt >= this.maxBatchAttempts) {
        throw new Error(`BatchWriteItem left ${pending.length} deletes unprocessed after ${attempt} attempts`);
      }
      // Unprocessed items mean throttling: back off exponentially, with full jitter.
      await this.sleep(Math.random() * this.baseDelayMs * 2 ** (attempt - 1));
    }
  }

  async deleteAuditRecordsAbout(person: { readonly userId?: string; readonly facebookUserId: string }): Promise<number> {
    const partitions = [...(person.userId !== undefined ? [auditSubjectPartition({ userId: person.userId })] : []), auditSubjectPartition({ facebookUserId: person.facebookUserId })];
    let deleted = 0;
    for (const partition of partitions) {
      for await (const page of byUserPages(this.doc, this.tableName, partition, auditRecordsPrefix(), ['pk', 'sk'])) {
        await this.deleteKeys(page.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })));
        deleted += page.length;
      }
    }
    return deleted;
  }

  /**
   * Deletes the user record, then the Facebook-id link: last, because the link is how a retried
   * deletion finds the person again. Answers how many of the two existed.
   */
  async deleteUser(userId: string, facebookUserId: string): Promise<number> {
    let deleted = 0;
    for (const key of [keys.user(userId), keys.facebookUser(facebookUserId)]) {
      const result = await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: key, ReturnValues: 'ALL_OLD' }));
      if (result.Attributes) deleted++;
    }
    return deleted;
  }

  /**
   * The deletion record for this code, created `in_progress` unless it already exists (a repeated
   * callback finds the first one, its times unchanged). Until it completes it holds whose data it
   * is; a record already completed is handed back untouched, so the ids never come back to it.
   */
  async startDataDeletion(confirmationCode: string, retentionMs: number, person: DataDeletionSubject): Promise<DataDeletionRecord> {
    const now = this.now();
    const subject = Object.entries({ facebookUserId: person.facebookUserId, userId: person.userId }).filter(([, value]) => value !== undefined);
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.dataDeletion(confirmationCode),
          ConditionExpression: 'attribute_not_exists(#status) OR #status = :inProgress',
          UpdateExpression: [
            'SET entity = :entity, #status = if_not_exists(#status, :inProgress), requestedAt = if_not_exists(requestedAt, :now), #ttl = if_not_exists(#ttl, :ttl)',
            ...subject.map(([name]) => `${name} = if_not_exists(${name}, :${name})`),
          ].join(', '),
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':entity': 'dataDeletion',
            ':inProgress': 'in_progress',
            ':now': now,
            ':ttl': toEpochSeconds(now + retentionMs),
            ...Object.fromEntries(subject.map(([name, value]) => [`:${name}`, value])),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return dataDeletionFromItem(confirmationCode, result.Attributes ?? {});
    } catch (error) {
      const completed = isConditionFailure(error) ? itemAtConditionFailure(error) : undefined;
      if (!completed) throw error;
      return dataDeletionFromItem(confirmationCode, completed);
    }
  }

  /**
   * Marks the deletion done with its counts. A racing duplicate that finished first wins: the
   * failed condition hands back its record as it stands, without a second read.
   */
  async completeDataDeletion(confirmationCode: string, counts: DataDeletionCounts): Promise<DataDeletionRecord> {
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.dataDeletion(confirmationCode),
          ConditionExpression: '#status = :inProgress',
          // The ids leave the record here: from now on only the stream record of this change has them.
          UpdateExpression:
            'SET #status = :completed, completedAt = :now, sessionsDeleted = :sessions, userRecordsDeleted = :userRecords REMOVE facebookUserId, userId',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':inProgress': 'in_progress',
            ':completed': 'completed',
            ':now': this.now(),
            ':sessions': counts.sessions,
            ':userRecords': counts.userRecords,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return dataDeletionFromItem(confirmationCode, result.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const finished = itemAtConditionFailure(error);
      if (!finished) throw new Error('the data deletion record vanished while being completed', { cause: error });
      return dataDeletionFromItem(confirmationCode, finished);
    }
  }

  /** The deletion record, or undefined when unknown or past its retention (TTL deletion is lazy). */
  async getDataDeletion(confirmationCode: string): Promise<DataDeletionRecord | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.dataDeletion(confirmationCode), ConsistentRead: true }),
    );
    if (!result.Item || dataDeletionExpiresAt(result.Item) <= this.now()) return undefined;
    return dataDeletionFromItem(confirmationCode, result.Item);
  }
}
