import type { LinkedUser, User } from '#commons/sessions/model';
import { numberField, optionalNumberField, type StoredItem, stringField } from './item-fields.ts';
import { keys } from './keys.ts';

/**
 * A person is two items: the user record (`USER#`) and the link from their app-scoped Facebook id
 * (`FBUSER#`), whose conditional put keeps that id unique. Both are written from one `User`.
 *
 * The link also carries `linkVersion`, bumped by an app removal or a data deletion before either
 * touches the person's sessions (with `appRemovedAt` / `deletingSince`), so a sign-in that read the
 * link earlier can demand, in its own transaction, that it is still the link it read.
 */
export const LINK_VERSION = 'linkVersion';

export function userItem(user: User): StoredItem {
  return { ...keys.user(user.id), entity: 'user', userId: user.id, facebookUserId: user.facebookUserId, createdAt: user.createdAt };
}

export function facebookUserItem(user: User): StoredItem {
  return { ...keys.facebookUser(user.facebookUserId), entity: 'facebookUser', userId: user.id, createdAt: user.createdAt, [LINK_VERSION]: 0 };
}

/** The person a Facebook-id link points at (the link holds no copy of the Facebook id but its key). */
export function userFromFacebookUserItem(facebookUserId: string, item: StoredItem): LinkedUser {
  const deletingSince = optionalNumberField(item, 'deletingSince');
  const appRemovedAt = optionalNumberField(item, 'appRemovedAt');
  return {
    id: stringField(item, 'userId'),
    facebookUserId,
    createdAt: numberField(item, 'createdAt'),
    // Links written before the version existed count as version 0.
    linkVersion: optionalNumberField(item, LINK_VERSION) ?? 0,
    ...(deletingSince !== undefined ? { deletingSince } : {}),
    ...(appRemovedAt !== undefined ? { appRemovedAt } : {}),
  };
}

/**
 * The condition a write puts on a link it read at `linkVersion`: same person, same version, no
 * deletion under way. Version 0 also matches a link written before the version existed.
 */
export function unchangedLinkCondition(user: LinkedUser): { ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> } {
  const version = user.linkVersion === 0 ? `(attribute_not_exists(${LINK_VERSION}) OR ${LINK_VERSION} = :linkVersion)` : `${LINK_VERSION} = :linkVersion`;
  return {
    ConditionExpression: `userId = :linkUserId AND ${version} AND attribute_not_exists(deletingSince)`,
    ExpressionAttributeValues: { ':linkUserId': user.id, ':linkVersion': user.linkVersion },
  };
}

export function userFromItem(item: StoredItem): User {
  return { id: stringField(item, 'userId'), facebookUserId: stringField(item, 'facebookUserId'), createdAt: numberField(item, 'createdAt') };
}
