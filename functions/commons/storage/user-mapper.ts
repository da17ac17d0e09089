import type { User } from '#commons/sessions/model';
import { numberField, type StoredItem, stringField } from './item-fields.ts';
import { keys } from './keys.ts';

/**
 * A person is two items: the user record (`USER#`) and the link from their app-scoped Facebook id
 * (`FBUSER#`), whose conditional put keeps that id unique. Both are written from one `User`.
 */
export function userItem(user: User): StoredItem {
  return { ...keys.user(user.id), entity: 'user', userId: user.id, facebookUserId: user.facebookUserId, createdAt: user.createdAt };
}

export function facebookUserItem(user: User): StoredItem {
  return { ...keys.facebookUser(user.facebookUserId), entity: 'facebookUser', userId: user.id, createdAt: user.createdAt };
}

/** The person a Facebook-id link points at (the link holds no copy of the Facebook id but its key). */
export function userFromFacebookUserItem(facebookUserId: string, item: StoredItem): User {
  return { id: stringField(item, 'userId'), facebookUserId, createdAt: numberField(item, 'createdAt') };
}
