import { createHash } from 'node:crypto';
import { isSignOutReason, SIGN_IN_METHODS, viaOf } from '#commons/sessions/model';
import { enumField, numberField, optionalNumberField, optionalStringField, type StoredItem, stringField } from '#commons/storage/item-fields';
import { EVENT_DETAILS, type DetailType, eventTime, type SessionGuardEvent } from './catalog.ts';

/**
 * Which change of which item is which event. The table's stream is the outbox: an item change that
 * committed is on the stream (24 hours) whatever happens to the function that wrote it, so every
 * committed change gets its event and nothing else does.
 *
 * | item (`entity`)  | change                                           | event                             |
 * |------------------|--------------------------------------------------|-----------------------------------|
 * | `session`        | INSERT                                           | Session Opened                    |
 * | `session`        | MODIFY `active` → `revoked`                      | Session Revoked; Session Ended for a reason the person chose (`SIGN_OUT_REASONS`: `signed_out`, `signed_out_everywhere`) |
 * | `session`        | MODIFY, active on both sides, `authTime` later   | Person Reauthenticated            |
 * | `sessionEnded`   | INSERT (the sign-out's outbox item)              | Session Ended                     |
 * | `facebookUser`   | MODIFY, `appRemovedAt` set or moved on           | Person Removed App                |
 * | `dataDeletion`   | MODIFY `in_progress` → `completed`               | Person Data Deletion Requested    |
 *
 * Everything else is no event: REMOVEs (TTL expiry, the erasure of a person, a replaced session:
 * a deleted item cannot say why it went, which is why a sign-out writes its own outbox item),
 * token locks, sign-in states, and changes that leave what an event reports as it was.
 * Only named fields are copied into an event, never a whole image.
 */
export interface StreamChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** The stream record's sequence number: with the item's key, it names the change. */
  readonly sequenceNumber: string;
  readonly keys: StoredItem;
  readonly oldImage?: StoredItem;
  readonly newImage?: StoredItem;
}

/** Items whose changes can be events; the stream consumer's filter lets only these through. */
export const EVENT_ENTITIES = ['session', 'sessionEnded', 'facebookUser', 'dataDeletion'] as const;

/** The event this change is, or undefined when it is none. Throws `CorruptItemError` on a malformed item. */
export function eventForChange(change: StreamChange): SessionGuardEvent | undefined {
  const after = change.newImage;
  const before = change.oldImage;
  if (!after) return undefined;
  const entity = optionalStringField(after, 'entity');
  const event = (detailType: DetailType, time: number, fields: Record<string, unknown>) => build(change, detailType, time, fields);

  if (entity === 'session') {
    const ids = { sessionId: stringField(after, 'sessionId'), userId: stringField(after, 'userId') };
    const person = { ...ids, facebookUserId: stringField(after, 'facebookUserId') };
    if (change.eventName === 'INSERT' && after.status === 'active') {
      return event('Session Opened', numberField(after, 'createdAt'), {
        ...person,
        via: viaOf(enumField(after, 'signInMethod', SIGN_IN_METHODS)),
        createdAt: eventTime(numberField(after, 'createdAt')),
        expiresAt: eventTime(numberField(after, 'expiresAt')),
      });
    }
    if (change.eventName !== 'MODIFY' || !before || before.status !== 'active') return undefined;
    if (after.status === 'revoked') {
      const reason = stringField(after, 'revokedReason');
      const at = numberField(after, 'revokedAt');
      if (isSignOutReason(reason)) return event('Session Ended', at, { ...ids, endedAt: eventTime(at) });
      return event('Session Revoked', at, { ...person, reason, revokedAt: eventTime(at) });
    }
    const authTime = numberField(after, 'authTime');
    if (after.status === 'active' && authTime > numberField(before, 'authTime')) {
      return event('Person Reauthenticated', authTime, { ...person, authTime: eventTime(authTime) });
    }
    return undefined;
  }
  if (entity === 'sessionEnded' && change.eventName === 'INSERT') {
    const endedAt = numberField(after, 'endedAt');
    return event('Session Ended', endedAt, { sessionId: stringField(after, 'sessionId'), userId: stringField(after, 'userId'), endedAt: eventTime(endedAt) });
  }
  if (entity === 'facebookUser' && change.eventName === 'MODIFY') {
    // The person's link, marked by the deauthorize callback (a data deletion bumps its version
    // too, but leaves appRemovedAt as it was). The link names the Facebook id only in its key.
    const at = optionalNumberField(after, 'appRemovedAt');
    if (at === undefined || (before && optionalNumberField(before, 'appRemovedAt') === at)) return undefined;
    return event('Person Removed App', at, { userId: stringField(after, 'userId'), facebookUserId: idInKey(change), at: eventTime(at) });
  }
  if (entity === 'dataDeletion' && change.eventName === 'MODIFY' && before?.status === 'in_progress' && after.status === 'completed') {
    // The ids are on the record only while it is in progress: they are in the old image alone.
    const facebookUserId = optionalStringField(before, 'facebookUserId');
    if (facebookUserId === undefined) return undefined;
    const at = numberField(after, 'requestedAt');
    return event('Person Data Deletion Requested', at, {
      userId: optionalStringField(before, 'userId') ?? null,
      facebookUserId,
      confirmationCode: idInKey(change),
      at: eventTime(at),
    });
  }
  return undefined;
}

/** What follows the entity prefix in the item's partition key (`FBUSER#<id>`, `DELETION#<code>`). */
function idInKey(change: StreamChange): string {
  return stringField(change.keys, 'pk').replace(/^[^#]*#/, '');
}

function build(change: StreamChange, detailType: DetailType, time: number, fields: Record<string, unknown>): SessionGuardEvent {
  const detail = EVENT_DETAILS[detailType].parse({ eventId: eventIdFor(change, detailType), ...fields });
  return { detailType, time: eventTime(time), detail } as SessionGuardEvent;
}

/**
 * A UUID-shaped id derived from the item's key and the stream record's sequence number: the same
 * change read twice (a retried batch, a replayed shard) gets the same id, two changes never do.
 */
export function eventIdFor(change: Pick<StreamChange, 'keys' | 'sequenceNumber'>, detailType: DetailType): string {
  const name = [stringField(change.keys, 'pk'), stringField(change.keys, 'sk'), change.sequenceNumber, detailType].join('\n');
  const hex = createHash('sha256').update(`session-guard/event/v1\n${name}`, 'utf8').digest('hex');
  // RFC 9562 layout: version 8 (custom), variant 10.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
