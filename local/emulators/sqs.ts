/**
 * An in-process Amazon SQS emulator, just enough for Session Guard's sweep: standard queues with a
 * redrive policy, `SendMessage` and `SendMessageBatch` over SQS's AWS JSON 1.0 wire protocol (what
 * `@aws-sdk/client-sqs` speaks, MD5 of each body included, which the SDK checks), and an in-process
 * consumer API (`receive`, `delete`, `changeVisibility`) for the local event-source mapping in
 * local/sweep.ts, which turns messages into the SQS events Lambda would deliver.
 *
 * Semantics kept from SQS: a received message is invisible for the visibility timeout; it comes
 * back unless deleted; `ApproximateReceiveCount` counts receives; a message received more than the
 * redrive policy's `maxReceiveCount` times moves to the dead-letter queue instead of being
 * delivered. Not emulated: FIFO queues, delays, message attributes, long polling over HTTP.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SqsMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Changes on every receive; `delete` and `changeVisibility` need the latest. */
  receiptHandle?: string;
  visibleAt: number;
}

export interface QueueOptions {
  /** @default 30_000 */
  readonly visibilityTimeoutMs?: number;
  readonly redrive?: { readonly deadLetterQueueUrl: string; readonly maxReceiveCount: number };
}

export interface SqsEmulator {
  readonly url: string;
  readonly accountId: string;
  /** Creates (or finds) a queue and answers its URL. */
  createQueue(name: string, options?: QueueOptions): string;
  /** Up to `max` visible messages, now invisible for `visibilityTimeoutMs` (default: the queue's). */
  receive(queueUrl: string, max: number, visibilityTimeoutMs?: number): SqsMessage[];
  delete(queueUrl: string, receiptHandle: string): boolean;
  changeVisibility(queueUrl: string, receiptHandle: string, visibilityTimeoutMs: number): boolean;
  /** Messages in the queue, visible or in flight. */
  depth(queueUrl: string): { visible: number; inFlight: number; nextVisibleInMs: number | undefined };
  messages(queueUrl: string): readonly SqsMessage[];
  /** The next `count` entries sent fail with `InternalError` (not the sender's fault), to test retries. */
  failNextEntries(count: number): void;
  requestCounts(): Record<string, number>;
  close(): Promise<void>;
}

interface Queue {
  readonly name: string;
  readonly url: string;
  readonly options: QueueOptions;
  messages: SqsMessage[];
}

const MAX_BATCH_ENTRIES = 10;
const MAX_BODY_BYTES = 256 * 1024;

class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
    readonly senderFault = true,
  ) {
    super(message);
  }
}

export async function startSqsEmulator(options: { port?: number; host?: string; accountId?: string } = {}): Promise<SqsEmulator> {
  const accountId = options.accountId ?? '000000000000';
  const queues = new Map<string, Queue>();
  const counts: Record<string, number> = {};
  let failingEntries = 0;
  let baseUrl = '';

  const queueOf = (queueUrl: string | undefined): Queue => {
    const name = queueUrl?.split('/').pop();
    const queue = name === undefined ? undefined : queues.get(name);
    if (!queue) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return queue;
  };

  function enqueue(queue: Queue, body: unknown): SqsMessage {
    if (typeof body !== 'string' || body.length === 0) throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'The message body must be a non-empty string.');
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'The message body is too long.');
    const message: SqsMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
    };
    queue.messages.push(message);
    return message;
  }

  const operations: Record<string, (input: Record<string, any>) => unknown> = {
    SendMessage(input) {
      const message = enqueue(queueOf(input.QueueUrl), input.MessageBody);
      return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
    },
    SendMessageBatch(input) {
      const queue = queueOf(input.QueueUrl);
      const entries = (input.Entries ?? []) as { Id?: string; MessageBody?: unknown }[];
      if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'The batch request doesn\'t contain any entries.');
      if (entries.length > MAX_BATCH_ENTRIES) throw new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}.`);
      if (new Set(entries.map((e) => e.Id)).size !== entries.length) throw new SqsError('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of entries) {
        if (failingEntries > 0) {
          failingEntries -= 1;
          Failed.push({ Id: entry.Id, SenderFault: false, Code: 'InternalError', Message: 'emulated failure' });
          continue;
        }
        try {
          const message = enqueue(queue, entry.MessageBody);
          Successful.push({ Id: entry.Id, MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody });
        } catch (error) {
          if (!(error instanceof SqsError)) throw error;
          Failed.push({ Id: entry.Id, SenderFault: true, Code: error.type, Message: error.message });
        }
      }
      return { Successful, Failed };
    },
    ChangeMessageVisibility(input) {
      const timeout = Number(input.VisibilityTimeout);
      if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43_200) {
        throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', `Value ${input.VisibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`);
      }
      const message = queueOf(input.QueueUrl).messages.find((m) => m.receiptHandle !== undefined && m.receiptHandle === input.ReceiptHandle);
      if (!message) throw new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${String(input.ReceiptHandle)}" is not a valid receipt handle.`);
      message.visibleAt = Date.now() + timeout * 1000;
      return {};
    },
    GetQueueUrl(input) {
      const queue = queues.get(String(input.QueueName));
      if (!queue) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
      return { QueueUrl: queue.url };
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    counts[operation || 'unknown'] = (counts[operation || 'unknown'] ?? 0) + 1;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    const run = operations[operation];
    try {
      if (req.method !== 'POST' || !run) throw new SqsError('InvalidAction', 'InvalidAction', `The action ${operation || target} is not valid for this endpoint.`);
      let input: Record<string, any>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
      } catch {
        throw new SqsError('SerializationException', 'SerializationException', 'The request body is not JSON.');
      }
      send(200, run(input));
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      send(400, { __type: `com.amazonaws.sqs#${error.type}`, message: error.message }, {
        'x-amzn-query-error': `${error.queryCode};${error.senderFault ? 'Sender' : 'Receiver'}`,
      });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: 'emulator error' }));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`;

  /** Moves messages received too often to the dead-letter queue, as SQS does on receive. */
  function redrive(queue: Queue, message: SqsMessage): boolean {
    const policy = queue.options.redrive;
    if (!policy || message.receiveCount < policy.maxReceiveCount) return false;
    const dlq = queueOf(policy.deadLetterQueueUrl);
    queue.messages = queue.messages.filter((m) => m !== message);
    dlq.messages.push({ ...message, visibleAt: 0, receiptHandle: undefined });
    return true;
  }

  return {
    url: baseUrl,
    accountId,
    createQueue(name, queueOptions = {}) {
      const existing = queues.get(name);
      if (existing) return existing.url;
      const url = `${baseUrl}/${accountId}/${name}`;
      queues.set(name, { name, url, options: queueOptions, messages: [] });
      return url;
    },
    receive(queueUrl, max, visibilityTimeoutMs) {
      const queue = queueOf(queueUrl);
      const now = Date.now();
      const received: SqsMessage[] = [];
      for (const message of [...queue.messages]) {
        if (received.length >= max) break;
        if (message.visibleAt > now) continue;
        if (redrive(queue, message)) continue;
        message.receiveCount += 1;
        message.firstReceivedAt ??= now;
        message.receiptHandle = randomUUID();
        message.visibleAt = now + (visibilityTimeoutMs ?? queue.options.visibilityTimeoutMs ?? 30_000);
        received.push(message);
      }
      return received;
    },
    delete(queueUrl, receiptHandle) {
      const queue = queueOf(queueUrl);
      const before = queue.messages.length;
      queue.messages = queue.messages.filter((m) => m.receiptHandle !== receiptHandle);
      return queue.messages.length < before;
    },
    changeVisibility(queueUrl, receiptHandle, visibilityTimeoutMs) {
      const message = queueOf(queueUrl).messages.find((m) => m.receiptHandle === receiptHandle);
      if (!message) return false;
      message.visibleAt = Date.now() + visibilityTimeoutMs;
      return true;
    },
    depth(queueUrl) {
      const now = Date.now();
      const messages = queueOf(queueUrl).messages;
      const hidden = messages.filter((m) => m.visibleAt > now);
      const nextVisibleAt = hidden.length > 0 ? Math.min(...hidden.map((m) => m.visibleAt)) : undefined;
      return { visible: messages.length - hidden.length, inFlight: hidden.length, nextVisibleInMs: nextVisibleAt === undefined ? undefined : nextVisibleAt - now };
    },
    messages: (queueUrl) => [...queueOf(queueUrl).messages],
    failNextEntries(count) {
      failingEntries = count;
    },
    requestCounts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
