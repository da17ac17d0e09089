import { randomInt } from 'node:crypto';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ConcurrentUpdateError, type RevocationReason } from '#commons/platform/errors';
import type { NewSession, Session, SessionStatus, User } from '#commons/sessions/model';

/**
 * The one module that knows how Session Guard is laid out in DynamoDB. Single table, `pk`/`sk`:
 *
 * | item                     | pk                     | sk        | notes                                   |
 * |--------------------------|------------------------|-----------|-----------------------------------------|
 * | user                     | USER#<userId>          | USER      |                                         |
 * | Facebook id → user       | FBUSER#<fbUserId>      | FBUSER    | makes the app-scoped id unique          |
 * | session                  | SESSION#<sessionId>    | SESSION   | TTL; GSIs byUser and sweep              |
 * | session-info token lock  | SITOKEN#<sha256>       | SITOKEN   | TTL; one live session per token         |
 * | data deletion record     | DELETION#<code>        | DELETION  | TTL; names no person (status page)      |
 * | web sign-in state        | OAUTHSTATE#<sha256>    | OAUTHSTATE| TTL 10 min; spent by a conditional delete |
 *
 * GSI `byUser` (userPk, userSk) lists a person's sessions; GSI `sweep` (sweepShard, sweepKey) is
 * sparse over live sessions and lets the revalidation read them shard by shard.
 * `ttl` is epoch seconds; TTL deletion is lazy, so every read checks expiry itself.
 */
export const SWEEP_SHARD_COUNT = 64;

const keys = {
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'USER' }),
  facebookUser: (facebookUserId: string) => ({ pk: `FBUSER#${facebookUserId}`, sk: 'FBUSER' }),
  session: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),
  sessionInfoToken: (tokenHash: string) => ({ pk: `SITOKEN#${tokenHash}`, sk: 'SITOKEN' }),
  dataDeletion: (confirmationCode: string) => ({ pk: `DELETION#${confirmationCode}`, sk: 'DELETION' }),
  loginState: (stateHash: string) => ({ pk: `OAUTHSTATE#${stateHash}`, sk: 'OAUTHSTATE' }),
  userSessions: (userId: string, createdAt: number, sessionId: string) => ({
    userPk: `USER#${userId}`,
    userSk: `SESSION#${new Date(createdAt).toISOString()}#${sessionId}`,
  }),
  sweep: (sessionId: string) => ({
    sweepShard: String(randomInt(SWEEP_SHARD_COUNT)).padStart(2, '0'),
    sweepKey: sessionId,
  }),
};

export function toEpochSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

interface SessionItem {
  sessionId: string;
  userId: string;
  facebookUserId: string;
  tokenHash: string;
  createdAt: number;
  expiresAt: number;
  authTime: number;
  status: SessionStatus;
  sessionInfoTokenHash?: string;
  revokedReason?: RevocationReason;
  revokedAt?: number;
  ttl: number;
}

function toSession(item: Record<string, unknown>): Session {
  const s = item as unknown as SessionItem;
  return {
    id: s.sessionId,
    userId: s.userId,
    facebookUserId: s.facebookUserId,
    tokenHash: s.tokenHash,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    authTime: s.authTime,
    status: s.status,
    ...(s.revokedReason !== undefined ? { revokedReason: s.revokedReason, revokedAt: s.revokedAt } : {}),
  };
}

export interface CreateSessionPlan {
  readonly session: NewSession;
  /** Set when the person is new: their user record is written in the same transaction. */
  readonly newUser?: User;
  /** The session this token already has, replaced by the new one in the same transaction. */
  readonly replacesSessionId?: string;
}

export class SessionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async getUserByFacebookId(facebookUserId: string): Promise<User | undefined> {
    const link = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.facebookUser(facebookUserId), ConsistentRead: true }),
    );
    if (!link.Item) return undefined;
    return { id: link.Item.userId as string, facebookUserId, createdAt: link.Item.createdAt as number };
  }

  /** The live session this session-info token currently holds, if any. */
  async getSessionIdForSessionInfoToken(tokenHash: string): Promise<string | undefined> {
    const lock = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sessionInfoToken(tokenHash), ConsistentRead: true }),
    );
    if (!lock.Item || (lock.Item.ttl as number) * 1000 <= this.now()) return undefined;
    return lock.Item.sessionId as string;
  }

  /**
   * Writes a session, its token lock and (for a new person) the user in one transaction, so a
   * failure leaves nothing behind and two racing sign-ins cannot both win.
   */
  async createSession(plan: CreateSessionPlan): Promise<void> {
    const { session, newUser, replacesSessionId } = plan;
    const ttl = toEpochSeconds(session.expiresAt);
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [];
    if (newUser) {
      items.push(
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.facebookUser(newUser.facebookUserId), entity: 'facebookUser', userId: newUser.id, createdAt: newUser.createdAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.user(newUser.id), entity: 'user', userId: newUser.id, facebookUserId: newUser.facebookUserId, createdAt: newUser.createdAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      );
    }
    items.push({
      Put: {
        TableName: this.tableName,
        Item: { ...keys.sessionInfoToken(session.sessionInfoTokenHash), entity: 'sessionInfoTokenLock', sessionId: session.id, ttl },
        ...(replacesSessionId
          ? { ConditionExpression: 'sessionId = :previous', ExpressionAttributeValues: { ':previous': replacesSessionId } }
          : { ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now', ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: { ':now': toEpochSeconds(this.now()) } }),
      },
    });
    if (replacesSessionId) {
      items.push({ Delete: { TableName: this.tableName, Key: keys.session(replacesSessionId) } });
    }
    const item: SessionItem & Record<string, unknown> = {
      ...keys.session(session.id),
      ...keys.userSessions(session.userId, session.createdAt, session.id),
      ...keys.sweep(session.id),
      entity: 'session',
      sessionId: session.id,
      userId: session.userId,
      facebookUserId: session.facebookUserId,
      tokenHash: session.tokenHash,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      authTime: session.authTime,
      status: 'active',
      sealedToken: session.sealedToken,
      sessionInfoTokenHash: session.sessionInfoTokenHash,
      ttl,
    };
    items.push({ Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } });
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError('another sign-in changed the same records', { cause: error });
      throw error;
    }
  }

  /** The session, or undefined when it does not exist or has expired (TTL deletion is lazy). */
  async getSession(sessionId: string): Promise<Session | undefined> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.session(sessionId),
        ConsistentRead: true,
        ProjectionExpression: 'sessionId, userId, facebookUserId, tokenHash, createdAt, expiresAt, authTime, #status, revokedReason, revokedAt, #ttl',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      }),
    );
    if (!result.Item) return undefined;
    const session = toSession(result.Item);
    const visibleUntil = session.status === 'revoked' ? (result.Item.ttl as number) * 1000 : session.expiresAt;
    return visibleUntil > this.now() ? session : undefined;
  }

  /** Removes a session and releases its session-info token. */
  async deleteSession(sessionId: string): Promise<void> {
    const existing = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.session(sessionId), ConsistentRead: true, ProjectionExpression: 'sessionInfoTokenHash' }),
    );
    const lockHash = existing.Item?.sessionInfoTokenHash as string | undefined;
    if (!lockHash) {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: keys.session(sessionId) }));
      return;
    }
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: keys.session(sessionId) } },
            {
              Delete: {
                TableName: this.tableName,
                Key: keys.sessionInfoToken(lockHash),
                ConditionExpression: 'attribute_not_exists(pk) OR sessionId = :id',
                ExpressionAttributeValues: { ':id': sessionId },
              },
            },
          ],
        }),
      );
    } catch (error) {
      // The token already belongs to a newer session: delete ours alone and leave that lock be.
      if (!isConditionFailure(error)) throw error;
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: keys.session(sessionId) }));
    }
  }
}

export interface RevocationOutcome {
  /** `revoked`: this call revoked it; `not_active`: already revoked, signed out or gone. */
  readonly result: 'revoked' | 'not_active';
  readonly userId?: string;
}

export interface StoreRevocationOptions {
  /** How long the revocation record is kept for audit. */
  readonly retentionMs: number;
}

export class RevocationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: StoreRevocationOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Turns a live session into its revocation record: the sealed Facebook token and the sweep
   * index entry go, the reason and time stay until the record's TTL. Conditional on the session
   * being active, so a retried or racing revocation never revokes twice or resurrects anything.
   */
  async revokeSession(sessionId: string, reason: RevocationReason): Promise<RevocationOutcome> {
    const revokedAt = this.now();
    let attributes: Record<string, unknown> | undefined;
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.session(sessionId),
          ConditionExpression: 'attribute_exists(pk) AND #status = :active',
          UpdateExpression:
            'SET #status = :revoked, revokedReason = :reason, revokedAt = :revokedAt, #ttl = :ttl REMOVE sealedToken, sweepShard, sweepKey',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':active': 'active',
            ':revoked': 'revoked',
            ':reason': reason,
            ':revokedAt': revokedAt,
            ':ttl': toEpochSeconds(revokedAt + this.options.retentionMs),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      attributes = result.Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return { result: 'not_active' };
      throw error;
    }
    const lockHash = attributes?.sessionInfoTokenHash as string | undefined;
    if (lockHash) {
      // Release the token's lock only if it still points at this session.
      await this.doc
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: keys.sessionInfoToken(lockHash),
            ConditionExpression: 'sessionId = :id',
            ExpressionAttributeValues: { ':id': sessionId },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    }
    return { result: 'revoked', userId: attributes?.userId as string };
  }

  /** Ids of every session (live or revoked) a person has, from the byUser index, page by page. */
  async *sessionIdsOfUser(userId: string): AsyncGenerator<string> {
    for await (const page of userSessionPages(this.doc, this.tableName, userId, 'sessionId')) {
      for (const item of page) yield item.sessionId as string;
    }
  }
}

/** A person's session records (live or revoked), one byUser page at a time, with `projection`. */
async function* userSessionPages(
  doc: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  projection: string,
): AsyncGenerator<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byUser',
        KeyConditionExpression: 'userPk = :pk AND begins_with(userSk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.user(userId).pk, ':prefix': 'SESSION#' },
        ProjectionExpression: projection,
        ExclusiveStartKey: start,
      }),
    );
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}

export function sweepShards(): string[] {
  return Array.from({ length: SWEEP_SHARD_COUNT }, (_, i) => String(i).padStart(2, '0'));
}

/** What the revalidation sees of a live session: the `sweep` index's projection, nothing more. */
export interface SweepEntry {
  readonly sessionId: string;
  readonly userId: string;
  /** Absent only if an item was caught mid-revocation. */
  readonly sealedToken?: string;
  readonly expiresAt: number;
  readonly status: SessionStatus;
}

export interface SweepPage {
  readonly entries: readonly SweepEntry[];
  /** Where the next page starts; absent at the end of the shard. Opaque outside this module. */
  readonly nextCursor?: string;
}

export class SweepCursorError extends Error {
  override readonly name = 'SweepCursorError';
}

/**
 * Reads the sparse `sweep` index one shard and one page at a time, eventually consistent (GSIs
 * offer nothing else) and only the projected attributes, so a page of 500 sessions costs a few read
 * units. The cursor is the page's LastEvaluatedKey, sealed into an opaque string so storage keys
 * never leave this module; a cursor from another shard is refused.
 */
export class SweepIndex {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readPage(shard: string, options: { readonly cursor?: string; readonly limit: number }): Promise<SweepPage> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'sweep',
        KeyConditionExpression: 'sweepShard = :shard',
        ExpressionAttributeValues: { ':shard': shard },
        ProjectionExpression: 'sweepKey, userId, sealedToken, expiresAt, #status',
        ExpressionAttributeNames: { '#status': 'status' },
        Limit: options.limit,
        ...(options.cursor ? { ExclusiveStartKey: decodeSweepCursor(options.cursor, shard) } : {}),
      }),
    );
    const entries = (page.Items ?? []).map((item) => ({
      sessionId: item.sweepKey as string,
      userId: item.userId as string,
      ...(typeof item.sealedToken === 'string' ? { sealedToken: item.sealedToken } : {}),
      expiresAt: item.expiresAt as number,
      status: item.status as SessionStatus,
    }));
    return { entries, ...(page.LastEvaluatedKey ? { nextCursor: encodeSweepCursor(page.LastEvaluatedKey) } : {}) };
  }
}

const SWEEP_CURSOR_KEYS = ['pk', 'sk', 'sweepShard', 'sweepKey'] as const;

function encodeSweepCursor(lastEvaluatedKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(SWEEP_CURSOR_KEYS.map((name) => lastEvaluatedKey[name]))).toString('base64url');
}

function decodeSweepCursor(cursor: string, shard: string): Record<string, string> {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new SweepCursorError('sweep cursor is not readable', { cause });
  }
  if (!Array.isArray(values) || values.length !== SWEEP_CURSOR_KEYS.length || !values.every((v) => typeof v === 'string')) {
    throw new SweepCursorError('sweep cursor has the wrong shape');
  }
  const key = Object.fromEntries(SWEEP_CURSOR_KEYS.map((name, i) => [name, values[i] as string]));
  if (key.sweepShard !== shard) throw new SweepCursorError(`sweep cursor belongs to shard ${key.sweepShard}, not ${shard}`);
  return key;
}

export function isConditionFailure(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
  }
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export const storageKeys = keys;

// ---------------------------------------------------------------------------------------------
// Data deletion (Facebook's data-deletion callback): erasing everything held on one person, and
// the anonymous record behind the status page. The record names no person: only its confirmation
// code, status, times and counts.
// ---------------------------------------------------------------------------------------------

/** A stored session (live or revoked) and the session-info token lock it may hold. */
export interface StoredSessionRef {
  readonly sessionId: string;
  readonly sessionInfoTokenHash?: string;
}

export type DataDeletionStatus = 'in_progress' | 'completed';

export interface DataDeletionCounts {
  /** Session records removed, live ones and revocation records alike. */
  readonly sessions: number;
  /** The user record and the Facebook-id link: 0, 1 or 2. */
  readonly userRecords: number;
}

export interface DataDeletionRecord {
  readonly confirmationCode: string;
  readonly status: DataDeletionStatus;
  readonly requestedAt: number;
  readonly completedAt?: number;
  readonly deleted?: DataDeletionCounts;
  /** When the record (and so the status page) goes away. */
  readonly expiresAt: number;
}

export interface PersonDataStoreOptions {
  /** BatchWriteItem attempts before giving up on unprocessed items. @default 8 */
  readonly maxBatchAttempts?: number;
  /** First retry delay; doubles each attempt, with jitter. @default 50 */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_WRITE_LIMIT = 25;

export class PersonDataStore {
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

  /**
   * Every session record of a person (live or revoked), one byUser page at a time. The index is
   * eventually consistent: a caller that must see everything queries again until nothing new shows.
   */
  async *sessionPagesOfUser(userId: string): AsyncGenerator<StoredSessionRef[]> {
    for await (const page of userSessionPages(this.doc, this.tableName, userId, 'sessionId, sessionInfoTokenHash')) {
      const refs = page.map((item) => ({
        sessionId: item.sessionId as string,
        ...(typeof item.sessionInfoTokenHash === 'string' ? { sessionInfoTokenHash: item.sessionInfoTokenHash } : {}),
      }));
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
    const unique = new Map<string, { pk: string; sk: string }>();
    for (const session of sessions) {
      const sessionKey = keys.session(session.sessionId);
      unique.set(sessionKey.pk, sessionKey);
      if (session.sessionInfoTokenHash) {
        const lockKey = keys.sessionInfoToken(session.sessionInfoTokenHash);
        unique.set(lockKey.pk, lockKey);
      }
    }
    const all = [...unique.values()];
    for (let i = 0; i < all.length; i += BATCH_WRITE_LIMIT) {
      await this.batchDelete(all.slice(i, i + BATCH_WRITE_LIMIT));
    }
  }

  private async batchDelete(chunk: readonly { pk: string; sk: string }[]): Promise<void> {
    type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];
    let pending: WriteRequests = chunk.map((key) => ({ DeleteRequest: { Key: key } }));
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

  /**
   * Deletes the user record, then the Facebook-id link: last, because the link is how a retried
   * deletion finds the person again. Answers how many of the two existed.
   */
  async deleteUser(userId: string, facebookUserId: string): Promise<number> {
    let deleted = 0;
    for (const key of [keys.user(userId), keys.facebookUser(facebookUserId)]) {
      const result = await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: key, ReturnValues: 'ALL_OLD' }),
      );
      if (result.Attributes) deleted++;
    }
    return deleted;
  }

  /**
   * The deletion record for this confirmation code, created `in_progress` unless it already
   * exists (a repeated callback finds the first one, completed or not, and its times unchanged).
   */
  async startDataDeletion(confirmationCode: string, retentionMs: number): Promise<DataDeletionRecord> {
    const now = this.now();
    const result = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.dataDeletion(confirmationCode),
        UpdateExpression:
          'SET entity = :entity, #status = if_not_exists(#status, :inProgress), requestedAt = if_not_exists(requestedAt, :now), #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':entity': 'dataDeletion',
          ':inProgress': 'in_progress',
          ':now': now,
          ':ttl': toEpochSeconds(now + retentionMs),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toDataDeletionRecord(confirmationCode, result.Attributes ?? {});
  }

  /** Marks the deletion done with its counts; a racing duplicate that finished first wins. */
  async completeDataDeletion(confirmationCode: string, counts: DataDeletionCounts): Promise<DataDeletionRecord> {
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.dataDeletion(confirmationCode),
          ConditionExpression: '#status = :inProgress',
          UpdateExpression: 'SET #status = :completed, completedAt = :now, sessionsDeleted = :sessions, userRecordsDeleted = :userRecords',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':inProgress': 'in_progress',
            ':completed': 'completed',
            ':now': this.now(),
            ':sessions': counts.sessions,
            ':userRecords': counts.userRecords,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toDataDeletionRecord(confirmationCode, result.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const finished = await this.getDataDeletion(confirmationCode);
    if (!finished) throw new Error('the data deletion record vanished while being completed');
    return finished;
  }

  /** The deletion record, or undefined when unknown or past its retention (TTL deletion is lazy). */
  async getDataDeletion(confirmationCode: string): Promise<DataDeletionRecord | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.dataDeletion(confirmationCode), ConsistentRead: true }),
    );
    if (!result.Item) return undefined;
    const record = toDataDeletionRecord(confirmationCode, result.Item);
    return record.expiresAt > this.now() ? record : undefined;
  }
}

function toDataDeletionRecord(confirmationCode: string, item: Record<string, unknown>): DataDeletionRecord {
  const completed = item.status === 'completed';
  return {
    confirmationCode,
    status: completed ? 'completed' : 'in_progress',
    requestedAt: item.requestedAt as number,
    ...(completed
      ? {
          completedAt: item.completedAt as number,
          deleted: { sessions: item.sessionsDeleted as number, userRecords: item.userRecordsDeleted as number },
        }
      : {}),
    expiresAt: (item.ttl as number) * 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// Web sign-in state (the Facebook login dialog's `state`): written when the browser is sent to
// the dialog, spent once when it comes back. Keyed by the state's SHA-256, so the table never
// holds a usable state; holds the PKCE verifier, where to return, and the SHA-256 of the nonce in
// the browser's login cookie.
// ---------------------------------------------------------------------------------------------

export interface LoginStateRecord {
  /** SHA-256 (hex) of the `state` parameter. */
  readonly stateHash: string;
  /** SHA-256 (hex) of the nonce in the browser's login cookie. */
  readonly nonceHash: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  readonly createdAt: number;
  /** Epoch ms; the item's TTL follows it. */
  readonly expiresAt: number;
}

export type LoginStateConsumption =
  | { readonly status: 'consumed'; readonly record: LoginStateRecord }
  /** Never issued, or already spent. */
  | { readonly status: 'unknown' }
  | { readonly status: 'expired' }
  /** Issued and live, but to another browser: the nonce does not match. Not spent. */
  | { readonly status: 'nonce_mismatch' };

export class LoginStateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async putLoginState(record: LoginStateRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.loginState(record.stateHash),
          entity: 'loginState',
          nonceHash: record.nonceHash,
          codeVerifier: record.codeVerifier,
          returnTo: record.returnTo,
          createdAt: record.createdAt,
          expiresAt: record.expiresAt,
          ttl: toEpochSeconds(record.expiresAt),
        },
        // 256 random bits never collide; refuse rather than overwrite if they somehow did.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /**
   * Spends the state in one conditional delete: it must exist, be live and carry this nonce, so
   * two racing callbacks cannot both spend it. When the condition fails, DynamoDB hands back the
   * item as it is (ReturnValuesOnConditionCheckFailure), which says why, without a second read.
   * A state presented from the wrong browser is left in place for the right one.
   */
  async consumeLoginState(stateHash: string, nonceHash: string | undefined): Promise<LoginStateConsumption> {
    const now = this.now();
    try {
      const result = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.loginState(stateHash),
          ConditionExpression: 'attribute_exists(pk) AND nonceHash = :nonce AND expiresAt > :now',
          ExpressionAttributeValues: { ':nonce': nonceHash ?? '-', ':now': now },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const item = result.Attributes;
      if (!item) return { status: 'unknown' };
      return {
        status: 'consumed',
        record: {
          stateHash,
          nonceHash: item.nonceHash as string,
          codeVerifier: item.codeVerifier as string,
          returnTo: item.returnTo as string,
          createdAt: item.createdAt as number,
          expiresAt: item.expiresAt as number,
        },
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The document client does not unmarshall this one: it is raw AttributeValues.
      const old = (error as { Item?: Record<string, { S?: string; N?: string }> }).Item;
      if (!old) return { status: 'unknown' };
      if (Number(old.expiresAt?.N ?? 0) <= now) return { status: 'expired' };
      return { status: 'nonce_mismatch' };
    }
  }
}
