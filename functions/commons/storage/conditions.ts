import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** A conditional write (alone or inside a transaction) failed its condition. */
export function isConditionFailure(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
  }
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Whether the transaction failed because of the condition on its `index`-th item (0-based). */
export function transactionConditionFailedAt(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
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
