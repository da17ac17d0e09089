import { describe, expect, it } from 'vitest';
import { dataDeletionExpiresAt, dataDeletionFromItem } from '#commons/storage/data-deletion-mapper';
import { CorruptItemError } from '#commons/storage/item-fields';

const CODE = 'ABCDEFGHIJKLMNOPQRSTUVWX';

describe('data deletion record mapper', () => {
  it('reads a record in progress without completion time or counts', () => {
    expect(dataDeletionFromItem(CODE, { status: 'in_progress', requestedAt: 10, ttl: 2_000, completedAt: 99 })).toStrictEqual({
      confirmationCode: CODE,
      status: 'in_progress',
      requestedAt: 10,
      expiresAt: 2_000_000,
    });
  });

  it('reads a completed record with its counts', () => {
    expect(dataDeletionFromItem(CODE, { status: 'completed', requestedAt: 10, completedAt: 20, sessionsDeleted: 3, userRecordsDeleted: 2, ttl: 2_000 })).toStrictEqual({
      confirmationCode: CODE,
      status: 'completed',
      requestedAt: 10,
      completedAt: 20,
      deleted: { sessions: 3, userRecords: 2 },
      expiresAt: 2_000_000,
    });
  });

  it('tells when a record expires from its TTL alone', () => {
    expect(dataDeletionExpiresAt({ status: 'completed', ttl: 2_000 })).toBe(2_000_000);
  });

  it('refuses a completed record without its counts, or an unknown status', () => {
    expect(() => dataDeletionFromItem(CODE, { status: 'completed', requestedAt: 10, completedAt: 20, ttl: 2_000 })).toThrow(CorruptItemError);
    expect(() => dataDeletionFromItem(CODE, { status: 'paused', requestedAt: 10, ttl: 2_000 })).toThrow(/status/);
  });
});
