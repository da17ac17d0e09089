import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError, PersonChangedError } from '#commons/platform/errors';
import type { LinkedUser, Session, User } from '#commons/sessions/model';
import type { CreateSessionPlan, SessionListing, SessionRepository } from '#commons/sessions/ports';
import { failedIndexes, isConditionFailure, whileLive } from './conditions.ts';
import { stringField } from './item-fields.ts';
import { keys } from './keys.ts';
import { projectionOf } from './projection.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { lockHashOfSessionItem, SESSION_ATTRIBUTES, sessionFromItem, sessionItem, sessionVisibleUntil } from './session-mapper.ts';
import { sessionEndedItem } from './session-ended-mapper.ts';
import { lockHolderFromItem, tokenLockItem } from './token-lock-mapper.ts';
import { toEpochSeconds } from './ttl.ts';
import { facebookUserItem, unchangedLinkCondition, userFromFacebookUserItem, userFromItem, userItem } from './user-mapper.ts';
import { userSessionPages } from './user-session-pages.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What each item of a sign-in's transaction is for, to tell which condition failed. */
type ItemRole = 'link' | 'replaced' | 'other';

/** The session a sign-in replaces was revoked after it was read (internal to createSession). */
class ReplacedSessionRevoked extends Error {
  override readonly name = 'ReplacedSessionRevoked';
}

/** Sessions, the people they belong to, and the lock that gives each session-info token one session. */
export class SessionStore implements SessionRepository, SessionListing {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async getUserByFacebookId(facebookUserId: string): Promise<LinkedUser | undefined> {
    const link = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.facebookUser(facebookUserId), ConsistentRead: true }),
    );
    return link.Item ? userFromFacebookUserItem(facebookUserId, link.Item) : undefined;
  }

  async getUser(userId: string): Promise<User | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.user(userId), ConsistentRead: true }));
    return result.Item ? userFromItem(result.Item) : undefined;
  }

  /** A person's sessions and revocation records, newest first; expired items left out (TTL deletion is lazy). */
  async sessionsOfUser(userId: string): Promise<Session[]> {
    const now = this.now();
    const sessions: Session[] = [];
    for await (const page of userSessionPages(this.doc, this.tableName, userId, SESSION_ATTRIBUTES)) {
      for (const item of page) if (sessionVisibleUntil(item) > now) sessions.push(sessionFromItem(item));
    }
    // byUser sorts by creation time, oldest first.
    return sessions.reverse();
  }

  async getSessionIdForSessionInfoToken(tokenHash: string): Promise<string | undefined> {
    const lock = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sessionInfoToken(tokenHash), ConsistentRead: true }),
    );
    return lock.Item ? lockHolderFromItem(lock.Item, this.now()) : undefined;
  }

  /**
   * Writes a session, its token lock and (for a new person) the user in one transaction, so a
   * failure leaves nothing behind and two racing sign-ins cannot both win. For a known person the
   * same transaction checks their Facebook-id link is still the one read: an app removal or a data
   * deletion that began meanwhile cancels the sign-in instead of leaving a live session behind.
   */
  async createSession(plan: CreateSessionPlan): Promise<void> {
    try {
      await this.writeSession(plan, true);
    } catch (error) {
      // The session this token held was revoked meanwhile: take its lock over, keep its record.
      if (!(error instanceof ReplacedSessionRevoked)) throw error;
      await this.writeSession(plan, false);
    }
  }

  private async writeSession(plan: CreateSessionPlan, deleteReplaced: boolean): Promise<void> {
    const { session, newUser, knownUser, replacesSessionId } = plan;
    const items: [ItemRole, TransactItem][] = [];
    if (newUser) {
      items.push(
        // A racing sign-in that created the person first is a plain race, not a changed person.
        ['other', { Put: { TableName: this.tableName, Item: facebookUserItem(newUser), ConditionExpression: 'attribute_not_exists(pk)' } }],
        ['other', { Put: { TableName: this.tableName, Item: userItem(newUser), ConditionExpression: 'attribute_not_exists(pk)' } }],
      );
    } else if (knownUser) {
      items.push(['link', { ConditionCheck: { TableName: this.tableName, Key: keys.facebookUser(knownUser.facebookUserId), ...unchangedLinkCondition(knownUser) } }]);
    }
    items.push([
      'other',
      {
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
      },
    ]);
    if (replacesSessionId && deleteReplaced) {
      // Only a live session is replaced: a revocation racing this sign-in keeps its record.
      items.push(['replaced', { Delete: { TableName: this.tableName, Key: keys.session(replacesSessionId), ...whileLive() } }]);
    }
    items.push(['other', { Put: { TableName: this.tableName, Item: sessionItem(session), ConditionExpression: 'attribute_not_exists(pk)' } }]);
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items.map(([, item]) => item) }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const failed = new Set(failedIndexes(error).map((index) => items[index]?.[0]));
      if (failed.has('link')) throw new PersonChangedError("the person's Facebook link changed since it was read", { cause: error });
      if (failed.size === 1 && failed.has('replaced')) throw new ReplacedSessionRevoked();
      throw new ConcurrentUpdateError('another sign-in changed the same records', { cause: error });
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
    const ending: TransactItem[] = [
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
        if (!isConditionFailure(error) || failedIndexes(error).includes(0)) return rethrowUnlessConditionFailure(error);
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
