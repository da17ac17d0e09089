import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** A conditional write (alone or inside a transaction) failed its condition. */
export function isConditionFailure(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
  }
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The item as it stood when a write sent with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`
 * failed its condition, or undefined when there was none. The document client leaves this one
 * marshalled, so it is unmarshalled here, once, for every store.
 */
export function itemAtConditionFailure(error: unknown): Record<string, unknown> | undefined {
  if (!(error instanceof ConditionalCheckFailedException) || !error.Item) return undefined;
  return unmarshall(error.Item);
}

/** Positions of the items whose condition failed in a cancelled transaction. */
export function failedIndexes(error: unknown): number[] {
  if (!(error instanceof TransactionCanceledException)) return [];
  return (error.CancellationReasons ?? []).flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
}

/**
 * The condition that keeps a write off a revocation record: the session is gone already (nothing
 * to lose) or still live. Sign-out, a sign-in replacing a session, and anything else that deletes
 * a session races the revocation with it, and the record (who, why, when) must survive.
 */
export function whileLive(): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
  return {
    ConditionExpression: 'attribute_not_exists(pk) OR #status = :live',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':live': 'active' },
  };
}
