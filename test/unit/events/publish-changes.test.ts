import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionGuardEvent } from '#commons/events/catalog';
import { EventBridgePublisher } from '#commons/events/eventbridge-publisher';
import { type EventPublisher, publishChanges } from '#commons/events/publish-changes';
import type { StreamChange } from '#commons/events/stream-mapping';
import { changeFromRecord } from '#commons/events/stream-records';

const T = Date.UTC(2026, 10, 28, 12, 0, 0, 0);
const ended = (n: number): StreamChange => ({
  eventName: 'INSERT',
  sequenceNumber: String(1000 + n),
  keys: { pk: `ENDED#ses_${n}`, sk: 'ENDED' },
  newImage: { pk: `ENDED#ses_${n}`, sk: 'ENDED', entity: 'sessionEnded', sessionId: `ses_${n}`, userId: 'usr_1', endedAt: T + n, ttl: 1 },
});
const lock = (n: number): StreamChange => ({
  eventName: 'INSERT',
  sequenceNumber: String(1000 + n),
  keys: { pk: `SITOKEN#${n}`, sk: 'SITOKEN' },
  newImage: { pk: `SITOKEN#${n}`, sk: 'SITOKEN', entity: 'sessionInfoTokenLock', sessionId: `ses_${n}` },
});

class RecordingPublisher implements EventPublisher {
  readonly calls: SessionGuardEvent[][] = [];
  constructor(private readonly refuse: (event: SessionGuardEvent, index: number) => boolean = () => false) {}
  async publish(events: readonly SessionGuardEvent[]) {
    this.calls.push([...events]);
    return new Set(events.filter((event, index) => this.refuse(event, index)).map((event) => event.detail.eventId));
  }
}

describe('publishChanges', () => {
  it('publishes the events of a batch in stream order in one call, skipping changes that are no event', async () => {
    const publisher = new RecordingPublisher();
    const outcome = await publishChanges([ended(1), lock(2), ended(3)], publisher);
    expect(outcome).toEqual({ published: 2, ignored: 1 });
    expect(publisher.calls).toHaveLength(1);
    expect(publisher.calls[0]!.map((event) => event.detail)).toMatchObject([{ sessionId: 'ses_1' }, { sessionId: 'ses_3' }]);
  });

  it('retries from the first change whose event was refused', async () => {
    const publisher = new RecordingPublisher((_, index) => index >= 1);
    const outcome = await publishChanges([ended(1), lock(2), ended(3), ended(4)], publisher);
    expect(outcome).toMatchObject({ published: 1, retryFrom: '1003' });
  });

  it('stops at a change it cannot read: publishes only what came before and retries from it', async () => {
    const publisher = new RecordingPublisher();
    const broken: StreamChange = { ...ended(2), newImage: { ...ended(2).newImage, userId: 7 } };
    const outcome = await publishChanges([ended(1), broken, ended(3)], publisher);
    expect(outcome).toMatchObject({ published: 1, retryFrom: '1002', failure: expect.stringMatching(/CorruptItemError: .*userId/) });
    expect(publisher.calls[0]!.map((event) => event.detail)).toMatchObject([{ sessionId: 'ses_1' }]);
  });

  it('does not call the publisher for a batch with no events', async () => {
    const publisher = new RecordingPublisher();
    await expect(publishChanges([lock(1), lock(2)], publisher)).resolves.toEqual({ published: 0, ignored: 2 });
    expect(publisher.calls).toHaveLength(0);
  });
});

describe('changeFromRecord', () => {
  it('reads a Lambda stream record into plain images', () => {
    const item = ended(1).newImage!;
    const record: DynamoDBRecord = {
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: '42', Keys: marshall({ pk: item.pk, sk: item.sk }) as never, NewImage: marshall(item) as never, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    };
    expect(changeFromRecord(record)).toEqual({ eventName: 'INSERT', sequenceNumber: '42', keys: { pk: item.pk, sk: item.sk }, newImage: item });
  });
});

describe('EventBridgePublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const client = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const publisher = new EventBridgePublisher(client, 'session-guard-bus', { sleep: async () => undefined });
  const events = async (n: number) => {
    const recorder = new RecordingPublisher();
    await publishChanges(Array.from({ length: n }, (_, i) => ended(i)), recorder);
    return recorder.calls[0]!;
  };
  beforeEach(() => eventBridge.reset());

  it('puts 10 entries per PutEvents call on the bus, source session-guard, detail as JSON, time of the change', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }));
    const batch = await events(23);
    await expect(publisher.publish(batch)).resolves.toEqual(new Set());
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((call) => call.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls[0]!.args[0].input.Entries![0]).toEqual({
      EventBusName: 'session-guard-bus',
      Source: 'session-guard',
      DetailType: 'Session Ended',
      Time: new Date(T),
      Detail: JSON.stringify(batch[0]!.detail),
    });
  });

  it('sends the entries PutEvents refused again, alone', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }, { EventId: 'c' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    const batch = await events(3);
    await expect(publisher.publish(batch)).resolves.toEqual(new Set());
    const second = eventBridge.commandCalls(PutEventsCommand)[1]!.args[0].input.Entries!;
    expect(second.map((entry) => entry.Detail)).toEqual([JSON.stringify(batch[1]!.detail)]);
  });

  it('gives up on a chunk after its attempts and answers it and every later event as not published, without sending them', async () => {
    eventBridge
      .on(PutEventsCommand)
      .callsFakeOnce((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'ok' })) }))
      .rejects(Object.assign(new Error('down'), { name: 'InternalException' }));
    const batch = await events(25);
    const failed = await publisher.publish(batch);
    expect(failed).toEqual(new Set(batch.slice(10).map((event) => event.detail.eventId)));
    // One good call, then three attempts at the second chunk; the third chunk is never sent.
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(4);
  });
});
