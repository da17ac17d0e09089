/**
 * Typed reads of the attributes of a stored item, for the mappers: each checks the type it
 * promises instead of casting. A failure names the attribute, never its value (values include
 * token hashes and sealed tokens).
 */
export type StoredItem = Record<string, unknown>;

export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
}

export function stringField(item: StoredItem, name: string): string {
  const value = item[name];
  if (typeof value !== 'string') throw new CorruptItemError(`stored item has no string attribute ${name}`);
  return value;
}

export function numberField(item: StoredItem, name: string): number {
  const value = item[name];
  if (typeof value !== 'number' || Number.isNaN(value)) throw new CorruptItemError(`stored item has no number attribute ${name}`);
  return value;
}

export function optionalStringField(item: StoredItem, name: string): string | undefined {
  return item[name] === undefined ? undefined : stringField(item, name);
}

export function optionalNumberField(item: StoredItem, name: string): number | undefined {
  return item[name] === undefined ? undefined : numberField(item, name);
}

export function enumField<T extends string>(item: StoredItem, name: string, allowed: readonly T[]): T {
  const value = stringField(item, name);
  if (!isOneOf(value, allowed)) throw new CorruptItemError(`stored item has an unknown ${name}`);
  return value;
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return allowed.some((candidate) => candidate === value);
}
