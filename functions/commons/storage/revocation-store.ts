import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RevocationReason } from '#commons/platform/errors';
import type { RevocationOutcome, RevocationRepository } from '#commons/sessions/ports';
import { isConditionFailure } from './conditions.ts';
import { optionalStringField } from './item-fields.ts';
import { keys } from './keys.ts';
import { SWEEP_INDEX, TTL_ATTRIBUTE } from './schema.ts';
import { lockHashOfSessionItem, storedSessionRefFromItem } from './session-mapper.ts';
import { toEpochSeconds } from './ttl.ts';
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

  /** Ids of every session (live or revoked) a person has, from the byUser index, page by page. */
  async *sessionIdsOfUser(userId: string): AsyncGenerator<string> {
    for await (const page of userSessionPages(this.doc, this.tableName, userId, ['sessionId'])) {
      for (const item of page) yield storedSessionRefFromItem(item).sessionId;
    }
  }
}
