import { describe, expect, it } from 'vitest';
import type { User } from '#commons/sessions/model';
import { CorruptItemError } from '#commons/storage/item-fields';
import { facebookUserItem, userFromFacebookUserItem, userItem } from '#commons/storage/user-mapper';

const user: User = { id: 'usr_1', facebookUserId: '10150000000000001', createdAt: 1_700_000_000_000 };

describe('user mapper', () => {
  it('writes the user record and the Facebook-id link from one user', () => {
    expect(userItem(user)).toEqual({ pk: 'USER#usr_1', sk: 'USER', entity: 'user', userId: 'usr_1', facebookUserId: '10150000000000001', createdAt: 1_700_000_000_000 });
    expect(facebookUserItem(user)).toEqual({ pk: 'FBUSER#10150000000000001', sk: 'FBUSER', entity: 'facebookUser', userId: 'usr_1', createdAt: 1_700_000_000_000, linkVersion: 0 });
  });

  it('reads the user back from the link', () => {
    expect(userFromFacebookUserItem(user.facebookUserId, facebookUserItem(user))).toStrictEqual({ ...user, linkVersion: 0 });
  });

  it('reads what an app removal or a deletion left on the link; a link from before versions is version 0', () => {
    const { linkVersion: _version, ...legacy } = facebookUserItem(user);
    expect(userFromFacebookUserItem('42', legacy).linkVersion).toBe(0);
    expect(userFromFacebookUserItem('42', { ...legacy, linkVersion: 3, appRemovedAt: 5, deletingSince: 6 })).toMatchObject({ linkVersion: 3, appRemovedAt: 5, deletingSince: 6 });
  });

  it('refuses a link without a user id', () => {
    expect(() => userFromFacebookUserItem('42', { createdAt: 1 })).toThrow(CorruptItemError);
  });
});
