import { describe, expect, it } from 'vitest';
import type { User } from '#commons/sessions/model';
import { CorruptItemError } from '#commons/storage/item-fields';
import { facebookUserItem, userFromFacebookUserItem, userItem } from '#commons/storage/user-mapper';

const user: User = { id: 'usr_1', facebookUserId: '10150000000000001', createdAt: 1_700_000_000_000 };

describe('user mapper', () => {
  it('writes the user record and the Facebook-id link from one user', () => {
    expect(userItem(user)).toEqual({ pk: 'USER#usr_1', sk: 'USER', entity: 'user', userId: 'usr_1', facebookUserId: '10150000000000001', createdAt: 1_700_000_000_000 });
    expect(facebookUserItem(user)).toEqual({ pk: 'FBUSER#10150000000000001', sk: 'FBUSER', entity: 'facebookUser', userId: 'usr_1', createdAt: 1_700_000_000_000 });
  });

  it('reads the user back from the link', () => {
    expect(userFromFacebookUserItem(user.facebookUserId, facebookUserItem(user))).toStrictEqual(user);
  });

  it('refuses a link without a user id', () => {
    expect(() => userFromFacebookUserItem('42', { createdAt: 1 })).toThrow(CorruptItemError);
  });
});
