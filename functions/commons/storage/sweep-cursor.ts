import { SWEEP_INDEX, TABLE_KEY } from './schema.ts';

/**
 * The sweep index's page cursor: a page's LastEvaluatedKey, sealed into an opaque string so
 * storage keys never leave storage. Decoding checks its shape and that it belongs to the shard
 * being read.
 */
export class SweepCursorError extends Error {
  override readonly name = 'SweepCursorError';
}

const CURSOR_KEYS = [TABLE_KEY.partition, TABLE_KEY.sort, SWEEP_INDEX.partitionKey, SWEEP_INDEX.sortKey] as const;

export function encodeSweepCursor(lastEvaluatedKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(CURSOR_KEYS.map((name) => lastEvaluatedKey[name]))).toString('base64url');
}

export function decodeSweepCursor(cursor: string, shard: string): Record<string, string> {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new SweepCursorError('sweep cursor is not readable', { cause });
  }
  if (!isStringList(values) || values.length !== CURSOR_KEYS.length) {
    throw new SweepCursorError('sweep cursor has the wrong shape');
  }
  const key = Object.fromEntries(CURSOR_KEYS.map((name, i) => [name, values[i]!]));
  const cursorShard = key[SWEEP_INDEX.partitionKey];
  if (cursorShard !== shard) throw new SweepCursorError(`sweep cursor belongs to shard ${cursorShard}, not ${shard}`);
  return key;
}

function isStringList(values: unknown): values is string[] {
  return Array.isArray(values) && values.every((value) => typeof value === 'string');
}
