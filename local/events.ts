import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type ShardIteratorType } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { EVENT_SOURCE, type SessionGuardEvent } from '#commons/events/catalog';
import { type EventPublisher, publishChanges } from '#commons/events/publish-changes';
import { changeFromRecord } from '#commons/events/stream-records';
import type { LocalRoute } from './api-gateway.ts';

/**
 * Session Guard's events on one machine, standing in for what AWS provides around the mapping:
 * the Lambda event source (a poller on DynamoDB Local's stream, handing batches to the same
 * `publishChanges` the stream consumer runs, retrying from the first failed record and setting a
 * batch aside after `maxBatchAttempts`), the event bus (events kept in memory, newest last) and
 * the rule with its API destination: with `EVENTS_WEBHOOK_URL` set, each event is POSTed there in
 * EventBridge's envelope with `x-api-key: EVENTS_WEBHOOK_API_KEY`, retried with backoff on a
 * network error or a non-2xx answer, and dead-lettered after `EVENTS_WEBHOOK_MAX_ATTEMPTS` tries.
 *
 * `GET /_local/events` (local only, never deployed) lists the recent events with how their
 * delivery went, and the dead letters. Use like the local sweep: `const events =
 * createLocalEvents(); const stack = await startLocalStack({ localRoutes: [events.route] });
 * await events.start();` (after the stack, which creates the table with its stream).
 */
export interface LocalEventsOptions {
  /** Where events are POSTed. @default EVENTS_WEBHOOK_URL, or none */
  readonly webhookUrl?: string;
  /** Sent as `x-api-key`. @default EVENTS_WEBHOOK_API_KEY */
  readonly webhookApiKey?: string;
  /** Tries per event before it is dead-lettered. @default EVENTS_WEBHOOK_MAX_ATTEMPTS or 5 */
  readonly maxDeliveryAttempts?: number;
  /** First pause before a delivery is retried, doubling per try. @default 200 */
  readonly retryDelayMs?: number;
  /** Pause between reads of the stream. @default 100 */
  readonly pollIntervalMs?: number;
  /** Tries of a stream batch before it is set aside (Lambda's retry attempts). @default 3 */
  readonly maxBatchAttempts?: number;
  /** How many recent events `GET /_local/events` keeps. @default 200 */
  readonly keep?: number;
  readonly log?: (line: string) => void;
}

/** The event as EventBridge delivers it to a rule's target (and so to a webhook). */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: SessionGuardEvent['detail'];
}

export interface Delivery {
  status: 'no_webhook' | 'pending' | 'delivered' | 'dead_lettered';
  attempts: number;
  lastError?: string;
}

export interface PublishedEvent {
  readonly envelope: EventEnvelope;
  readonly delivery: Delivery;
}

export interface LocalEvents {
  readonly route: LocalRoute;
  start(): Promise<void>;
  /** Events published so far (each redelivery too), oldest first, at most `keep`. */
  recent(): readonly PublishedEvent[];
  /** Events whose delivery gave up. */
  deadLetters(): readonly PublishedEvent[];
  /** Resolves with the first published event that matches, waiting for it if need be. */
  waitFor(match: (envelope: EventEnvelope) => boolean, timeoutMs?: number): Promise<PublishedEvent>;
  /** Until every delivery under way has succeeded or been dead-lettered. */
  settled(): Promise<void>;
  /** Reads the stream again from its oldest record, as a consumer retrying a shard would. */
  replay(): void;
  close(): Promise<void>;
}

const LOCAL_ACCOUNT = '000000000000';

export function eventEnvelope(event: SessionGuardEvent, region: string): EventEnvelope {
  return {
    version: '0',
    // In AWS the rule's input transformer sets `id` to the eventId (EventBridge's own id is new per PutEvents call).
    id: event.detail.eventId,
    'detail-type': event.detailType,
    source: EVENT_SOURCE,
    account: LOCAL_ACCOUNT,
    time: event.time.replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [],
    detail: event.detail,
  };
}

export function createLocalEvents(options: LocalEventsOptions = {}): LocalEvents {
  const env = process.env;
  const webhookUrl = options.webhookUrl ?? env.EVENTS_WEBHOOK_URL;
  const apiKey = options.webhookApiKey ?? env.EVENTS_WEBHOOK_API_KEY;
  const maxDeliveryAttempts = options.maxDeliveryAttempts ?? Number(env.EVENTS_WEBHOOK_MAX_ATTEMPTS ?? 5);
  if (!Number.isInteger(maxDeliveryAttempts) || maxDeliveryAttempts < 1) throw new Error('EVENTS_WEBHOOK_MAX_ATTEMPTS must be a whole number from 1');
  const retryDelayMs = options.retryDelayMs ?? 200;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const maxBatchAttempts = options.maxBatchAttempts ?? 3;
  const keep = options.keep ?? 200;
  const log = options.log ?? ((line: string) => console.log(line));

  const published: PublishedEvent[] = [];
  const dead: PublishedEvent[] = [];
  const inFlight = new Set<Promise<void>>();
  const waiters = new Set<{ match: (envelope: EventEnvelope) => boolean; resolve: (event: PublishedEvent) => void }>();
  let streams: DynamoDBStreamsClient | undefined;
  let streamArn = '';
  /** Per shard: the iterator to read next, or null once the shard is closed and read to its end. */
  const shards = new Map<string, string | null>();
  const batchAttempts = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let replayRequested = false;
  let polling: Promise<void> = Promise.resolve();

  const bus: EventPublisher = {
    async publish(events) {
      const region = env.AWS_REGION ?? 'us-east-1';
      for (const event of events) {
        const entry: PublishedEvent = { envelope: eventEnvelope(event, region), delivery: { status: webhookUrl ? 'pending' : 'no_webhook', attempts: 0 } };
        published.push(entry);
        if (published.length > keep) published.shift();
        for (const waiter of waiters) {
          if (waiter.match(entry.envelope)) {
            waiters.delete(waiter);
            waiter.resolve(entry);
          }
        }
        // Like a rule's target: delivery happens after the bus has taken the event.
        if (webhookUrl) track(deliver(webhookUrl, entry));
      }
      return new Set<string>();
    },
  };

  function track(delivery: Promise<void>): void {
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  }

  async function deliver(url: string, entry: PublishedEvent): Promise<void> {
    const { delivery } = entry;
    while (!closed) {
      delivery.attempts += 1;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
          body: JSON.stringify(entry.envelope),
          signal: AbortSignal.timeout(5000),
        });
        await response.arrayBuffer();
        if (response.ok) {
          delivery.status = 'delivered';
          return;
        }
        delivery.lastError = `HTTP ${response.status}`;
      } catch (error) {
        delivery.lastError = (error as Error).name;
      }
      if (delivery.attempts >= maxDeliveryAttempts) {
        delivery.status = 'dead_lettered';
        dead.push(entry);
        log(`[events] ${entry.envelope['detail-type']} ${entry.envelope.id} dead-lettered after ${delivery.attempts} tries (${delivery.lastError})`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** (delivery.attempts - 1)));
    }
  }

  async function start(): Promise<void> {
    const dynamo = new DynamoDBClient({});
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: env.TABLE_NAME ?? 'session-guard' }));
    dynamo.destroy();
    if (!Table?.LatestStreamArn || !Table.StreamSpecification?.StreamEnabled) {
      throw new Error(`table ${Table?.TableName} has no stream: events need it (local/table.ts turns it on)`);
    }
    streamArn = Table.LatestStreamArn;
    // DynamoDB Local serves the stream API on its own endpoint.
    const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS ?? env.AWS_ENDPOINT_URL_DYNAMODB;
    streams = new DynamoDBStreamsClient(endpoint ? { endpoint } : {});
    schedule();
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      polling = poll()
        .catch((error: unknown) => log(`[events] reading the stream failed: ${(error as Error).message}`))
        .finally(schedule);
    }, pollIntervalMs);
    timer.unref();
  }

  async function iterator(shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string | null> {
    const result = await streams!.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type, ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}) }),
    );
    return result.ShardIterator ?? null;
  }

  async function poll(): Promise<void> {
    if (replayRequested) {
      replayRequested = false;
      shards.clear();
    }
    const description = await streams!.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of description.StreamDescription?.Shards ?? []) {
      if (shard.ShardId && !shards.has(shard.ShardId)) shards.set(shard.ShardId, await iterator(shard.ShardId, 'TRIM_HORIZON'));
    }
    for (const [shardId, shardIterator] of shards) {
      if (shardIterator === null || closed) continue;
      const page = await streams!.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit: 100 }));
      shards.set(shardId, page.NextShardIterator ?? null);
      const records = page.Records ?? [];
      if (records.length === 0) continue;
      // The SDK's stream records and Lambda's event records are the same wire shape.
      const outcome = await publishChanges(records.map((record) => changeFromRecord(record as unknown as DynamoDBRecord)), bus);
      if (outcome.retryFrom === undefined) continue;
      const key = `${shardId}/${outcome.retryFrom}`;
      const attempts = (batchAttempts.get(key) ?? 0) + 1;
      batchAttempts.set(key, attempts);
      if (attempts < maxBatchAttempts) {
        shards.set(shardId, await iterator(shardId, 'AT_SEQUENCE_NUMBER', outcome.retryFrom));
      } else {
        log(`[events] stream record ${outcome.retryFrom} set aside after ${attempts} tries: ${outcome.failure}`);
        shards.set(shardId, await iterator(shardId, 'AFTER_SEQUENCE_NUMBER', outcome.retryFrom));
      }
    }
  }

  const route: LocalRoute = {
    method: 'GET',
    path: '/_local/events',
    handle(_request, response) {
      const view = (entry: PublishedEvent) => ({ ...entry.envelope, delivery: entry.delivery });
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ webhook: webhookUrl ? { url: webhookUrl } : null, events: published.map(view), deadLetters: dead.map(view) }));
    },
  };

  return {
    route,
    start,
    recent: () => [...published],
    deadLetters: () => [...dead],
    waitFor(match, timeoutMs = 10_000) {
      const found = published.find((entry) => match(entry.envelope));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          if (waiters.delete(waiter)) reject(new Error(`no matching event within ${timeoutMs} ms`));
        }, timeoutMs).unref();
      });
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    replay() {
      replayRequested = true;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await polling;
      await Promise.allSettled([...inFlight]);
      streams?.destroy();
    },
  };
}
