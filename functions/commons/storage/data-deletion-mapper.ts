import type { DataDeletionRecord } from '#commons/facebook-callbacks/ports';
import { enumField, numberField, type StoredItem } from './item-fields.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { fromEpochSeconds } from './ttl.ts';

/**
 * The anonymous data deletion record (`DELETION#<code>`), written field by field with update
 * expressions (so a repeated callback keeps the first one's times): only this direction needs a
 * mapper. A record still in progress has no completion time or counts.
 */
export function dataDeletionFromItem(confirmationCode: string, item: StoredItem): DataDeletionRecord {
  const status = enumField(item, 'status', ['in_progress', 'completed']);
  return {
    confirmationCode,
    status,
    requestedAt: numberField(item, 'requestedAt'),
    ...(status === 'completed'
      ? {
          completedAt: numberField(item, 'completedAt'),
          deleted: { sessions: numberField(item, 'sessionsDeleted'), userRecords: numberField(item, 'userRecordsDeleted') },
        }
      : {}),
    expiresAt: dataDeletionExpiresAt(item),
  };
}

/** When the record (and its status page) goes; it may linger past that: TTL deletion is lazy. */
export function dataDeletionExpiresAt(item: StoredItem): number {
  return fromEpochSeconds(numberField(item, TTL_ATTRIBUTE));
}
