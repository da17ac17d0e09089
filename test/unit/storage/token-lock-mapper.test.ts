import { describe, expect, it } from 'vitest';
import { lockHolderFromItem, tokenLockItem } from '#commons/storage/token-lock-mapper';

describe('session-info token lock mapper', () => {
  it('writes the lock under the token hash, living as long as the session (TTL rounded up)', () => {
    expect(tokenLockItem('h', 'ses_1', 1_800_000_000_001)).toEqual({ pk: 'SITOKEN#h', sk: 'SITOKEN', entity: 'sessionInfoTokenLock', sessionId: 'ses_1', ttl: 1_800_000_001 });
  });

  it('names the holder while the lock lives, and nobody from its TTL second on (TTL deletion is lazy)', () => {
    const lock = tokenLockItem('h', 'ses_1', 1_800_000_000_000);
    expect(lockHolderFromItem(lock, 1_799_999_999_999)).toBe('ses_1');
    expect(lockHolderFromItem(lock, 1_800_000_000_000)).toBeUndefined();
  });
});
