/**
 * DynamoDB's TTL attribute holds epoch seconds. Rounded up, so TTL never deletes an item before
 * the moment it stands for.
 */
export function toEpochSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/** The epoch milliseconds a TTL attribute stands for. */
export function fromEpochSeconds(seconds: number): number {
  return seconds * 1000;
}
