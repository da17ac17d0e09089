import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type SessionGuardEvent } from './catalog.ts';
import type { EventPublisher } from './publish-changes.ts';

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_LIMIT = 10;

export interface EventBridgePublisherOptions {
  /** Attempts per chunk of 10 before its failed entries count as not published. @default 3 */
  readonly maxAttempts?: number;
  /** First pause before a retry, doubling, with jitter. @default 100 */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told of a PutEvents call that failed as a whole (access denied, a network error). */
  readonly onCallFailed?: (error: unknown) => void;
}

/**
 * Puts events on the Session Guard bus, 10 per PutEvents call. PutEvents answers per entry: the
 * entries it refused (throttling, an internal error) are sent again, alone, with backoff. When a
 * chunk still fails, it and every later event count as not published and are not sent, so the
 * stream retries from there with as few repeats as possible.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onCallFailed: (error: unknown) => void;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    options: EventBridgePublisherOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.onCallFailed = options.onCallFailed ?? (() => undefined);
  }

  async publish(events: readonly SessionGuardEvent[]): Promise<ReadonlySet<string>> {
    for (let start = 0; start < events.length; start += PUT_EVENTS_LIMIT) {
      const chunk = events.slice(start, start + PUT_EVENTS_LIMIT);
      if (!(await this.putChunk(chunk))) return new Set(events.slice(start).map((event) => event.detail.eventId));
    }
    return new Set();
  }

  private async putChunk(chunk: readonly SessionGuardEvent[]): Promise<boolean> {
    let pending = [...chunk];
    for (let attempt = 1; ; attempt++) {
      pending = await this.put(pending);
      if (pending.length === 0) return true;
      if (attempt >= this.maxAttempts) return false;
      await this.sleep(Math.random() * this.baseDelayMs * 2 ** (attempt - 1));
    }
  }

  /** One PutEvents call; answers the events it did not take (all of them if the call failed). */
  private async put(events: readonly SessionGuardEvent[]): Promise<SessionGuardEvent[]> {
    try {
      const result = await this.client.send(new PutEventsCommand({ Entries: events.map((event) => this.entry(event)) }));
      if (!result.FailedEntryCount) return [];
      return events.filter((_, index) => result.Entries?.[index]?.ErrorCode !== undefined || !result.Entries?.[index]?.EventId);
    } catch (error) {
      this.onCallFailed(error);
      return [...events];
    }
  }

  private entry(event: SessionGuardEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Time: new Date(event.time),
      Detail: JSON.stringify(event.detail),
    };
  }
}
