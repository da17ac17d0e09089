import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '#commons/platform/errors';
import type { Session, User } from '#commons/sessions/model';
import type { CreateSessionPlan, SessionRepository } from '#commons/sessions/ports';
import { isConditionFailure, transactionConditionFailedAt } from './conditions.ts';
import { stringField } from './item-fields.ts';
import { keys } from './keys.ts';
import { projectionOf } from './projection.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { lockHashOfSessionItem, SESSION_ATTRIBUTES, sessionFromItem, sessionItem, sessionVisibleUntil } from './session-mapper.ts';
import { sessionEndedItem } from './session-ended-mapper.ts';
import { lockHolderFromItem, tokenLockItem } from './token-lock-mapper.ts';
import { toEpochSeconds } from './ttl.ts';
import { facebookUserItem, userFromFacebookUserItem, userItem } from './user-mapper.ts';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Sessions, the people they belong to, and the lock that gives each session-info token one session. */
export class SessionStore implements SessionRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async getUserByFacebookId(facebookUserId: string): Promise<User | undefined> {
    const link = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.facebookUser(facebookUserId), ConsistentRead: true }),
    );
    return link.Item ? userFromFacebookUserItem(facebookUserId, link.Item) : undefined;
  }

  async getSessionIdForSessionInfoToken(tokenHash: string): Promise<string | undefined> {
    const lock = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sessionInfoToken(tokenHash), ConsistentRead: true }),
    );
    return lock.Item ? lockHolderFromItem(lock.Item, this.now()) : undefined;
  }

  /**
   * Writes a session, its token lock and (for a new person) the user in one transaction, so a
   * failure leaves nothing behind and two racing sign-ins cannot both win.
   */
  async createSession(plan: CreateSessionPlan): Promise<void> {
    const { session, newUser, replacesSessionId } = plan;
    const items: TransactItems = [];
    if (newUser) {
      items.push(
        { Put: { TableName: this.tableName, Item: facebookUserItem(newUser), ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: this.tableName, Item: userItem(newUser), ConditionExpression: 'attribute_not_exists(pk)' } },
      );
    }
    items.push({
      Put: {
        TableName: this.tableName,
        Item: tokenLockItem(session.sessionInfoTokenHash, session.id, session.expiresAt),
        // Take the lock over from the session it replaces, or take a free (or expired) one.
        ...(replacesSessionId
          ? { ConditionExpression: 'sessionId = :previous', ExpressionAttributeValues: { ':previous': replacesSessionId } }
          : {
              ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
              ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
              ExpressionAttributeValues: { ':now': toEpochSeconds(this.now()) },
            }),
      },
    });
    if (replacesSessionId) {
      items.push({ Delete: { TableName: this.tableName, Key: keys.session(replacesSessionId) } });
    }
    items.push({ Put: { TableName: this.tableName, Item: sessionItem(session), ConditionExpression: 'attribute_not_exists(pk)' } });
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
      new GetCommand({ TableName: this.tableName, Key: keys.session(sessionId), ConsistentRead: true, ...projectionOf(SESSION_ATTRIBUTES) }),
    );
    if (!result.Item) return undefined;
    return sessionVisibleUntil(result.Item) > this.now() ? sessionFromItem(result.Item) : undefined;
  }

  /**
   * Ends a live session: deletes it, releases its session-info token lock (if the lock still
   * points at it) and writes the `Session Ended` outbox item, in one transaction, so the event
   * exists exactly when the sign-out does. A session revoked meanwhile (its record stays for
   * audit) or already gone is left as it is.
   */
  async deleteSession(sessionId: string): Promise<void> {
    const existing = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.session(sessionId), ConsistentRead: true, ProjectionExpression: 'userId, sessionInfoTokenHash' }),
    );
    if (!existing.Item) return;
    const ending: TransactItems = [
      {
        Delete: {
          TableName: this.tableName,
          Key: keys.session(sessionId),
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'active' },
        },
      },
      { Put: { TableName: this.tableName, Item: sessionEndedItem(sessionId, stringField(existing.Item, 'userId'), this.now()) } },
    ];
    const lockHash = lockHashOfSessionItem(existing.Item);
    if (lockHash) {
      const releaseLock = {
        Delete: {
          TableName: this.tableName,
          Key: keys.sessionInfoToken(lockHash),
          ConditionExpression: 'attribute_not_exists(pk) OR sessionId = :id',
          ExpressionAttributeValues: { ':id': sessionId },
        },
      };
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: [...ending, releaseLock] }));
        return;
      } catch (error) {
        if (!isConditionFailure(error) || transactionConditionFailedAt(error, 0)) return rethrowUnlessConditionFailure(error);
        // The token already belongs to a newer session: end ours alone and leave that lock be.
      }
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: ending }));
    } catch (error) {
      rethrowUnlessConditionFailure(error);
    }
  }
}

/** A failed condition means the session was no longer active: nothing left to end. */
function rethrowUnlessConditionFailure(error: unknown): void {
  if (!isConditionFailure(error)) throw error;
}
