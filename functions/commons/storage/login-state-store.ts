import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LoginStateConsumption, LoginStateRecord, LoginStateRepository } from '#commons/web-login/ports';
import { isConditionFailure, itemAtConditionFailure } from './conditions.ts';
import { keys } from './keys.ts';
import { loginStateExpired, loginStateFromItem, loginStateItem } from './login-state-mapper.ts';

/**
 * Web sign-in state (the Facebook login dialog's `state`): written when the browser is sent to the
 * dialog, spent once when it comes back.
 */
export class LoginStateStore implements LoginStateRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async putLoginState(record: LoginStateRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: loginStateItem(record),
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
          // With no cookie the condition compares against a value no hash can equal.
          ExpressionAttributeValues: { ':nonce': nonceHash ?? '-', ':now': now },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (!result.Attributes) return { status: 'unknown' };
      return { status: 'consumed', record: loginStateFromItem(stateHash, result.Attributes) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = itemAtConditionFailure(error);
      if (!old) return { status: 'unknown' };
      return loginStateExpired(old, now) ? { status: 'expired' } : { status: 'nonce_mismatch' };
    }
  }
}
