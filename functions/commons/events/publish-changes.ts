import type { SessionGuardEvent } from './catalog.ts';
import { eventForChange, type StreamChange } from './stream-mapping.ts';

/** Where events go: the EventBridge bus in AWS, the local bus on one machine. */
export interface EventPublisher {
  /**
   * Publishes the events, in order, each at least once. Answers the `eventId`s of those it could
   * not publish; it may stop at the first failure and answer the rest as failed too.
   */
  publish(events: readonly SessionGuardEvent[]): Promise<ReadonlySet<string>>;
}

export interface ChangesOutcome {
  /** Events the publisher took. */
  readonly published: number;
  /** Changes that are no event. */
  readonly ignored: number;
  /**
   * The sequence number of the first change whose event did not go out (or that could not be
   * read), for the stream's partial batch response: it and everything after it come back.
   */
  readonly retryFrom?: string;
  /** Why `retryFrom` is set, for the log (never an item's contents). */
  readonly failure?: string;
}

/**
 * One batch of stream records in, its events out, in stream order. A change that cannot be read
 * stops the batch there, and only the events before it are published; an event the publisher
 * refuses makes its change the retry point. Later events may have gone out already and will go
 * again: delivery is at least once, and a repeated event has the same `eventId`.
 */
export async function publishChanges(changes: readonly StreamChange[], publisher: EventPublisher): Promise<ChangesOutcome> {
  const pending: { event: SessionGuardEvent; change: StreamChange }[] = [];
  let ignored = 0;
  let unreadable: { change: StreamChange; reason: string } | undefined;
  for (const change of changes) {
    try {
      const event = eventForChange(change);
      if (event) pending.push({ event, change });
      else ignored++;
    } catch (error) {
      unreadable = { change, reason: `${(error as Error).name}: ${(error as Error).message}` };
      break;
    }
  }
  const failed = pending.length > 0 ? await publisher.publish(pending.map((entry) => entry.event)) : new Set<string>();
  const firstFailed = pending.find((entry) => failed.has(entry.event.detail.eventId));
  const published = pending.length - pending.filter((entry) => failed.has(entry.event.detail.eventId)).length;
  if (firstFailed) {
    return { published, ignored, retryFrom: firstFailed.change.sequenceNumber, failure: `${failed.size} event(s) not published` };
  }
  if (unreadable) return { published, ignored, retryFrom: unreadable.change.sequenceNumber, failure: unreadable.reason };
  return { published, ignored };
}
