import { randomInt } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ConcurrentUpdateError, type RevocationReason } from './errors.ts';
import type { NewSession, Session, SessionStatus, User } from './model.ts';

/**
 * The one module that knows how Session Guard is laid out in DynamoDB. Single table, `pk`/`sk`:
 *
 * | item                     | pk                     | sk        | notes                                   |
 * |--------------------------|------------------------|-----------|-----------------------------------------|
 * | user                     | USER#<userId>          | USER      |                                         |
 * | Facebook id → user       | FBUSER#<fbUserId>      | FBUSER    | makes the app-scoped id unique          |
 * | session                  | SESSION#<sessionId>    | SESSION   | TTL; GSIs byUser and sweep              |
 * | session-info token lock  | SITOKEN#<sha256>       | SITOKEN   | TTL; one live session per token         |
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
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byUser',
          KeyConditionExpression: 'userPk = :pk AND begins_with(userSk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.user(userId).pk, ':prefix': 'SESSION#' },
          ProjectionExpression: 'sessionId',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) yield item.sessionId as string;
      start = page.LastEvaluatedKey;
    } while (start);
  }
}

export function isConditionFailure(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
  }
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export const storageKeys = keys;
