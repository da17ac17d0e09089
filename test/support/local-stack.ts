import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack, type LocalStackOptions } from '#local/stack';

/**
 * One local stack per test file, plus what tests need around it: an HTTP helper, a way to read
 * the table back, and everything the process wrote to stdout/stderr (to prove no secret is logged).
 */
export interface TestStack extends LocalStack {
  request(method: string, path: string, init?: { body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  scanTable(): Promise<Record<string, unknown>[]>;
  getItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined>;
  updateItem(pk: string, sk: string, values: Record<string, unknown>): Promise<void>;
  capturedOutput(): string;
  graphEmulator(): NonNullable<LocalStack['graph']>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const output: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return original(chunk, ...rest);
    }) as typeof stream.write;
  }
  const stack = await startLocalStack({ port: 0, ...options });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
    ...stack,
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      let body: string | undefined = init.rawBody;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${stack.url}${path}`, { method, headers, body, redirect: 'manual' });
      const text = await response.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    async scanTable() {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, any> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: stack.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async getItem(pk, sk) {
      return (await doc.send(new GetCommand({ TableName: stack.tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;
    },
    async updateItem(pk, sk, values) {
      const names = Object.keys(values);
      await doc.send(
        new UpdateCommand({
          TableName: stack.tableName,
          Key: { pk, sk },
          UpdateExpression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, values[n]])),
        }),
      );
    },
    capturedOutput: () => output.join(''),
    graphEmulator() {
      if (!stack.graph) throw new Error('this stack has no embedded Graph emulator');
      return stack.graph;
    },
  };
}
