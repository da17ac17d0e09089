import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack, type LocalStackOptions } from '#local/stack';
import { installOutputCapture } from '#test/support/captured-output';

/**
 * One local stack per test file, plus what tests need around it: an HTTP helper, a way to read
 * the table back, and everything the process wrote to stdout/stderr since it started (to prove no
 * secret is logged; see captured-output.ts).
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
  const outputStart = installOutputCapture().chunks.length;
  forgetInheritedEndpoints(process.env);
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
    capturedOutput: () => installOutputCapture().chunks.slice(outputStart).join(''),
    graphEmulator() {
      if (!stack.graph) throw new Error('this stack has no embedded Graph emulator');
      return stack.graph;
    },
  };
}

/**
 * The local stack keeps a real endpoint when its variable is set: a test run from a shell that
 * points at AWS, another Graph or another local stack would test (or write to) that instead.
 * Tests always start their own parts; a test that wants one names it in `options.env`.
 */
export function forgetInheritedEndpoints(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env)) {
    if (name === 'AWS_ENDPOINT_URL' || name.startsWith('AWS_ENDPOINT_URL_')) delete env[name];
  }
  for (const name of ['GRAPH_API_URL', 'FACEBOOK_DIALOG_URL', 'PUBLIC_BASE_URL', 'KMS_KEY_ID']) delete env[name];
}
