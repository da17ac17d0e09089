import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsEmulator, startSqsEmulator } from '#local/emulators/sqs';

/** The SQS emulator as the real SDK client sees it (AWS JSON 1.0): what the sweep relies on. */
let sqs: SqsEmulator;
let client: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  sqs = await startSqsEmulator();
  client = new SQSClient({ endpoint: sqs.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  queueUrl = sqs.createQueue('sweep', { visibilityTimeoutMs: 60_000 });
});
afterAll(async () => {
  client?.destroy();
  await sqs?.close();
});

describe('SQS emulator', () => {
  it('ChangeMessageVisibility hides a received message for exactly the seconds asked', async () => {
    await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '1', MessageBody: '{"v":1}' }] }));
    const [message] = sqs.receive(queueUrl, 1);
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message!.receiptHandle!, VisibilityTimeout: 120 }));
    const { inFlight, nextVisibleInMs } = sqs.depth(queueUrl);
    expect(inFlight).toBe(1);
    expect(nextVisibleInMs).toBeGreaterThan(119_000);
    expect(nextVisibleInMs).toBeLessThanOrEqual(120_000);
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message!.receiptHandle!, VisibilityTimeout: 0 }));
    expect(sqs.depth(queueUrl).visible).toBe(1);
  });

  it('refuses an unknown receipt handle and an out-of-range timeout the way SQS does', async () => {
    await expect(client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: 'nope', VisibilityTimeout: 10 }))).rejects.toMatchObject({
      name: 'ReceiptHandleIsInvalid',
    });
    const [message] = sqs.receive(queueUrl, 1);
    await expect(
      client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message!.receiptHandle!, VisibilityTimeout: 43_201 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});
