import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AppRemovalLog } from '#commons/facebook-callbacks/ports';
import { isConditionFailure } from './conditions.ts';
import { keys } from './keys.ts';

/**
 * When a person last removed the app, kept on their user record (`appRemovedAt`, epoch ms) until
 * the person is erased. Only ever moves forward: a repeated or older callback writes nothing, and
 * DynamoDB puts no record on the stream for it, so it makes no second `Person Removed App` event.
 */
export class AppRemovalStore implements AppRemovalLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordAppRemoval(userId: string, at: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.user(userId),
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(appRemovedAt) OR appRemovedAt < :at)',
          UpdateExpression: 'SET appRemovedAt = :at',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      // Already recorded (at this time or later), or the person is gone: nothing to add.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
