import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RevocationReason } from '#commons/platform/errors';
import type { User } from '#commons/sessions/model';
import type { RevocationOutcome, RevocationRepository, UserSessionRef } from '#commons/sessions/ports';
import { isConditionFailure, itemAtConditionFailure } from './conditions.ts';
import { optionalStringField } from './item-fields.ts';
import { keys } from './keys.ts';
import { SWEEP_INDEX, TTL_ATTRIBUTE } from './schema.ts';
import { lockHashOfSessionItem, USER_SESSION_REF_ATTRIBUTES, userSessionRefFromItem } from './session-mapper.ts';
import { toEpochSeconds } from './ttl.ts';
import { LINK_VERSION, userFromFacebookUserItem } from './user-mapper.ts';
import { userSessionPages } from './user-session-pages.ts';

export interface StoreRevocationOptions {
  /** How long the revocation record is kept for audit. */
  readonly retentionMs: number;
}

export class RevocationStore implements RevocationRepository {
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
          UpdateExpression: `SET #status = :revoked, revokedReason = :reason, revokedAt = :revokedAt, #ttl = :ttl REMOVE sealedToken, ${SWEEP_INDEX.partitionKey}, ${SWEEP_INDEX.sortKey}`,
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
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
    const lockHash = lockHashOfSessionItem(attributes);
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
    const userId = attributes ? optionalStringField(attributes, 'userId') : undefined;
    return { result: 'revoked', ...(userId !== undefined ? { userId } : {}) };
  }

  /** Every session (live or revoked) a person has, oldest first, from the byUser index, page by page. */
  async *sessionsOfUser(userId: string): AsyncGenerator<UserSessionRef> {
    for await (const page of userSessionPages(this.doc, this.tableName, userId, USER_SESSION_REF_ATTRIBUTES)) {
      for (const item of page) yield userSessionRefFromItem(item);
    }
  }

  /**
   * Marks the person's link with the app removal and bumps its version before any session is
   * revoked, so a sign-in that read the link earlier fails its own transaction instead of writing a
   * session this removal would miss. A removal no later than one already marked (Facebook
   * repeating its callback) changes nothing. Undefined for a person we never saw.
   */
  async markAppRemoved(facebookUserId: string, issuedAt: number): Promise<User | undefined> {
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.facebookUser(facebookUserId),
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(appRemovedAt) OR appRemovedAt < :issuedAt)',
          UpdateExpression: `SET appRemovedAt = :issuedAt ADD ${LINK_VERSION} :one`,
          ExpressionAttributeValues: { ':issuedAt': issuedAt, ':one': 1 },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return userFromFacebookUserItem(facebookUserId, result.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const link = itemAtConditionFailure(error);
      return link ? userFromFacebookUserItem(facebookUserId, link) : undefined;
    }
  }
}
