import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isConditionFailure, itemAtConditionFailure } from '#commons/storage/conditions';
import { fromEpochSeconds, toEpochSeconds } from '#commons/storage/ttl';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0, 250);

const conditionFailed = (reasons: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.join(', ')}]`,
    $metadata: {},
    CancellationReasons: reasons.map((Code) => ({ Code })),
  });

describe('toEpochSeconds', () => {
  it('rounds milliseconds up to whole epoch seconds, so TTL never deletes an item early', () => {
    expect(toEpochSeconds(1_000)).toBe(1);
    expect(toEpochSeconds(1_001)).toBe(2);
    expect(toEpochSeconds(NOW)).toBe(Math.ceil(NOW / 1000));
  });

  it('reads a TTL attribute back as the epoch milliseconds it stands for', () => {
    expect(fromEpochSeconds(toEpochSeconds(NOW))).toBe(Math.ceil(NOW / 1000) * 1000);
  });
});

describe('isConditionFailure', () => {
  it('recognises a plain ConditionalCheckFailedException and a cancelled transaction with a failed condition only', () => {
    expect(isConditionFailure(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }))).toBe(true);
    expect(isConditionFailure(conditionFailed(['ConditionalCheckFailed']))).toBe(true);
    expect(isConditionFailure(conditionFailed(['None', 'None']))).toBe(false);
    expect(isConditionFailure(new Error('boom'))).toBe(false);
    expect(isConditionFailure('ConditionalCheckFailedException')).toBe(false);
  });
});

describe('itemAtConditionFailure', () => {
  it('unmarshalls the item DynamoDB handed back with the failed condition', () => {
    const error = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: { pk: { S: 'OAUTHSTATE#h' }, expiresAt: { N: String(NOW) }, counts: { L: [{ N: '1' }, { BOOL: true }] } },
    });
    expect(itemAtConditionFailure(error)).toEqual({ pk: 'OAUTHSTATE#h', expiresAt: NOW, counts: [1, true] });
  });

  it('answers undefined when there was no item, or for any other error', () => {
    expect(itemAtConditionFailure(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }))).toBeUndefined();
    expect(itemAtConditionFailure(Object.assign(new Error('failed'), { Item: { pk: { S: 'x' } } }))).toBeUndefined();
    expect(itemAtConditionFailure(undefined)).toBeUndefined();
  });
});
