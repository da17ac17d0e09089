import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SweepTally, SweepTotals } from '#commons/revalidation/mass-revocation-guard';
import { isConditionFailure } from './conditions.ts';
import { numberField, optionalNumberField } from './item-fields.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { toEpochSeconds } from './ttl.ts';

/** A sweep's running counts live two days: long past any sweep, short enough to leave no litter. */
const TALLY_RETENTION_MS = 2 * 86_400_000;

/**
 * The whole sweep's counts for the mass-revocation guard (`SWEEP#<sweepId>`), shared by every
 * worker instance through atomic `ADD`s. Written only when a batch would revoke.
 */
export class SweepTallyStore implements SweepTally {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async add(sweepId: string, checked: number, revoked: number): Promise<SweepTotals> {
    const result = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.sweepTally(sweepId),
        UpdateExpression: 'SET entity = :entity, #ttl = if_not_exists(#ttl, :ttl) ADD checked :checked, revoked :revoked',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':entity': 'sweepTally', ':ttl': toEpochSeconds(this.now() + TALLY_RETENTION_MS), ':checked': checked, ':revoked': revoked },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = result.Attributes ?? {};
    return { checked: numberField(item, 'checked'), revoked: numberField(item, 'revoked'), tripped: optionalNumberField(item, 'trippedAt') !== undefined };
  }

  async markTripped(sweepId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.sweepTally(sweepId),
          ConditionExpression: 'attribute_not_exists(trippedAt)',
          UpdateExpression: 'SET trippedAt = :now',
          ExpressionAttributeValues: { ':now': this.now() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
