import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeShare, encodeShare, ShareMessageError, ShareQueueError, SqsShareQueue, type SweepShare } from '#commons/revalidation/sweep-queue';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/session-guard-sweep';
const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

const shares = (n: number): SweepShare[] => Array.from({ length: n }, (_, i) => ({ sweepId: 'sweep-1', shards: [{ shard: String(i).padStart(2, '0') }], part: 0 }));

beforeEach(() => {
  sqsMock.reset();
});

describe('share messages', () => {
  it('describe the work, never the sessions: sweep id, shards with their cursors and passes, part', () => {
    const share = { sweepId: 'sweep-1', shards: [{ shard: '07', cursor: 'WyJhIl0', pass: 1_700_000_000_000 }, { shard: '12', pass: 1_700_000_000_001 }], part: 2 };
    expect(JSON.parse(encodeShare(share))).toEqual({ v: 2, ...share });
    expect(decodeShare(encodeShare(share))).toEqual(share);
    expect(decodeShare(encodeShare({ sweepId: 's', shards: [{ shard: '00' }], part: 0 }))).toEqual({ sweepId: 's', shards: [{ shard: '00' }], part: 0 });
  });

  it('still reads the one-shard messages queued before shard cursors (a deploy mid-sweep), without a pass', () => {
    expect(decodeShare(JSON.stringify({ v: 1, sweepId: 's', shard: '07', cursor: 'WyJhIl0', part: 1 }))).toEqual({ sweepId: 's', shards: [{ shard: '07', cursor: 'WyJhIl0' }], part: 1 });
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown version', JSON.stringify({ v: 3, sweepId: 's', shards: [{ shard: '00' }], part: 0 })],
    ['no shard', JSON.stringify({ v: 2, sweepId: 's', shards: [], part: 0 })],
    ['a bad shard', JSON.stringify({ v: 2, sweepId: 's', shards: [{ shard: '7' }], part: 0 })],
    ['a bad pass', JSON.stringify({ v: 2, sweepId: 's', shards: [{ shard: '07', pass: 'yesterday' }], part: 0 })],
    ['a bad shard (version 1)', JSON.stringify({ v: 1, sweepId: 's', shard: '7', part: 0 })],
    ['a negative part', JSON.stringify({ v: 2, sweepId: 's', shards: [{ shard: '07' }], part: -1 })],
    ['an unknown field', JSON.stringify({ v: 2, sweepId: 's', shards: [{ shard: '07' }], part: 0, sessions: ['x'] })],
  ])('are refused when %s', (_label, body) => {
    expect(() => decodeShare(body)).toThrow(ShareMessageError);
  });
});

describe('SqsShareQueue', () => {
  it('sends 64 shares in SendMessageBatch calls of at most 10 entries', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await new SqsShareQueue(sqs, QUEUE_URL).send(shares(64));
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 10, 10, 10, 10, 4]);
    expect(calls.every((c) => c.args[0].input.QueueUrl === QUEUE_URL)).toBe(true);
    const bodies = calls.flatMap((c) => c.args[0].input.Entries!.map((e) => decodeShare(e.MessageBody!)));
    expect(bodies).toEqual(shares(64));
    expect(calls[0]!.args[0].input.Entries!.map((e) => e.Id)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('sends again only the entries SQS failed, with backoff', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }, { Id: '2', SenderFault: false, Code: 'InternalError' }] })
      .resolvesOnce({ Successful: [], Failed: [{ Id: '2', SenderFault: false, Code: 'InternalError' }] })
      .resolves({ Successful: [], Failed: [] });
    const sleep = vi.fn(async () => undefined);
    await new SqsShareQueue(sqs, QUEUE_URL, { sleep, backoffMs: 50 }).send(shares(3));
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.map((e) => decodeShare(e.MessageBody!).shards[0]!.shard))).toEqual([['00', '01', '02'], ['01', '02'], ['02']]);
    expect(sleep.mock.calls).toEqual([[50], [100]]);
  });

  it('gives up with an error after the last attempt', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError' }] });
    const queue = new SqsShareQueue(sqs, QUEUE_URL, { sleep: async () => undefined, maxAttempts: 3 });
    await expect(queue.send(shares(1))).rejects.toThrow(ShareQueueError);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });

  it('does not retry an entry refused as the sender\'s fault', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidParameterValue' }] });
    await expect(new SqsShareQueue(sqs, QUEUE_URL, { sleep: async () => undefined }).send(shares(1))).rejects.toThrow(/InvalidParameterValue/);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('lets a failed call itself (SDK retries exhausted) surface', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    await expect(new SqsShareQueue(sqs, QUEUE_URL).send(shares(1))).rejects.toThrow('down');
  });
});

describe('SqsShareQueue.retryLater', () => {
  it('hides the failed message for the delay with ChangeMessageVisibility on the sweep queue', async () => {
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    await new SqsShareQueue(sqs, QUEUE_URL).retryLater('rh-1', 120);
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-1', VisibilityTimeout: 120 },
    ]);
  });
});
