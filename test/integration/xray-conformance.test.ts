import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor } from '#infra/bundling';
import { startXRayDaemon, XRAY_PROTOCOL_HEADER, type XRayDaemonStandIn } from '#test/support/xray-daemon';

/**
 * Our X-Ray subsegments (functions/commons/platform/xray.ts, tracer.ts) against the AWS X-Ray SDK's
 * own, as Powertools Tracer makes them: the same two DynamoDB calls (a GetItem answered, a PutItem
 * refused with ConditionalCheckFailedException) run in a fresh process set up as Lambda sets up a
 * traced function, once through each tracer. A stand-in X-Ray daemon collects the documents; a
 * stand-in DynamoDB records the trace header each request carried.
 *
 * Where we differ from the SDK on purpose (and the test says so): `aws.retries` counts retries
 * (the SDK writes the attempt count: 1 for a call never retried), a refused call is an `error`
 * without also being a `fault` (X-Ray's meaning: 4xx is the client's error, 5xx a fault), and an
 * exception is recorded without its stack.
 */
const TRACE_ID = '1-67a1b2c3-89abcdef0123456789abcdef';
const LAMBDA_SEGMENT = '0f1e2d3c4b5a6978';

type Document = Record<string, any>;
let daemon: XRayDaemonStandIn;
let server: Server;
let serverUrl: string;
const documents: { tracer: string; document: Document }[] = [];
const traceHeaders: { tracer: string; operation: string; header: string | undefined }[] = [];
const outDir = mkdtempSync(path.join(tmpdir(), 'session-guard-xray-'));

beforeAll(async () => {
  daemon = await startXRayDaemon((document) => {
    documents.push({ tracer: String(document.name).startsWith('DynamoDB') ? currentTracer : 'other', document });
  });

  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target']).split('.')[1]!;
      traceHeaders.push({ tracer: currentTracer, operation, header: request.headers['x-amzn-trace-id'] as string | undefined });
      const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `REQ-${operation}` };
      if (operation === 'GetItem') response.writeHead(200, headers).end('{}');
      else {
        response
          .writeHead(400, headers)
          .end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  for (const tracer of ['reference', 'ours'] as const) {
    currentTracer = tracer;
    await runTraced(tracer);
    // Let the last datagrams arrive before the next process starts.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}, 120_000);

afterAll(async () => {
  daemon.close();
  await new Promise((resolve) => server.close(resolve));
});

let currentTracer = 'reference';

const CALLS = `
  const client = wrap(new DynamoDBClient({}));
  await client.send(new GetItemCommand({ TableName: 'sessions', Key: { pk: { S: 'SESSION#a' } } }));
  await client.send(new PutItemCommand({ TableName: 'sessions', Item: { pk: { S: 'SESSION#a' } }, ConditionExpression: 'attribute_not_exists(pk)' })).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 300));
`;

const SOURCES = {
  reference: `
    import { Tracer } from '@aws-lambda-powertools/tracer';
    import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
    const tracer = new Tracer({ serviceName: 'conformance', captureHTTPsRequests: false });
    const wrap = (client) => tracer.captureAWSv3Client(client);
    ${CALLS}`,
  ours: `
    import { traced as wrap } from '#commons/platform/tracer';
    import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
    ${CALLS}`,
};

async function runTraced(tracer: keyof typeof SOURCES): Promise<void> {
  const outfile = path.join(outDir, `${tracer}.mjs`);
  // The production build options; the X-Ray SDK is no longer in them, so the reference bundles it as it is.
  const { entryPoints: _entry, ...options } = esbuildOptionsFor(path.resolve('functions/health.ts'));
  await build({ ...options, stdin: { contents: SOURCES[tracer], loader: 'ts', resolveDir: process.cwd() }, outfile });
  await promisify(execFile)(process.execPath, [outfile], {
    env: {
      PATH: process.env.PATH,
      NODE_NO_WARNINGS: '1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: `conformance-${tracer}`,
      LAMBDA_TASK_ROOT: outDir,
      _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=${LAMBDA_SEGMENT};Sampled=1;Lineage=a87bd80c:1`,
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: serverUrl,
    },
  });
}

function documentOf(tracer: string, operation: string): Document {
  const found = documents.filter((entry) => entry.tracer === tracer && entry.document.aws?.operation === operation);
  expect(found, `${tracer} ${operation}`).toHaveLength(1);
  return found[0]!.document;
}

function headerOf(tracer: string, operation: string): string {
  const found = traceHeaders.filter((entry) => entry.tracer === tracer && entry.operation === operation);
  expect(found, `${tracer} ${operation}`).toHaveLength(1);
  return found[0]!.header!;
}

/** The fields both tracers must agree on, with the per-call values (ids, times) replaced by their shape. */
function comparable(document: Document): Document {
  const { id, start_time, end_time, cause, fault, aws, ...rest } = document;
  const { retries, ...awsRest } = aws as Document;
  return {
    ...rest,
    aws: awsRest,
    id: /^[0-9a-f]{16}$/.test(id) ? 'hex16' : id,
    times: typeof start_time === 'number' && typeof end_time === 'number' && end_time >= start_time ? 'ordered' : 'bad',
    exceptionTypes: (cause?.exceptions as Document[] | undefined)?.map((exception) => exception.type),
  };
}

describe('our X-Ray subsegments next to the X-Ray SDK (through Powertools Tracer)', () => {
  it('records an answered DynamoDB call in the same document', () => {
    const reference = documentOf('reference', 'GetItem');
    const ours = documentOf('ours', 'GetItem');
    expect(comparable(ours)).toEqual(comparable(reference));
    expect(ours).toMatchObject({
      name: 'DynamoDB',
      namespace: 'aws',
      type: 'subsegment',
      trace_id: TRACE_ID,
      parent_id: LAMBDA_SEGMENT,
      aws: { operation: 'GetItem', region: 'eu-west-1', request_id: 'REQ-GetItem', table_name: 'sessions' },
      http: { response: { status: 200 } },
    });
    // Documented difference: the SDK writes attempts (1); a call never retried has 0 retries.
    expect(reference.aws.retries).toBe(1);
    expect(ours.aws.retries).toBe(0);
  });

  it('records a refused call as an error, with the exception kind', () => {
    const reference = documentOf('reference', 'PutItem');
    const ours = documentOf('ours', 'PutItem');
    expect(comparable(ours)).toEqual(comparable(reference));
    expect(ours).toMatchObject({ error: true, http: { response: { status: 400 } }, aws: { request_id: 'REQ-PutItem' } });
    expect(ours.cause.exceptions).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{16}$/), type: 'ConditionalCheckFailedException', message: 'The conditional request failed', remote: true }]);
    // Documented differences: the SDK also marks a 4xx a fault, and keeps the stack.
    expect(reference.fault).toBe(true);
    expect(ours.fault).toBeUndefined();
    expect(JSON.stringify(ours)).not.toContain('stack');
  });

  it('sends every document after the daemon protocol header', () => {
    expect(daemon.headers.length).toBeGreaterThanOrEqual(4);
    expect(new Set(daemon.headers)).toEqual(new Set([XRAY_PROTOCOL_HEADER]));
  });

  it('sends DynamoDB the same trace header, naming the subsegment as the parent', () => {
    for (const operation of ['GetItem', 'PutItem']) {
      for (const tracer of ['reference', 'ours']) {
        expect(headerOf(tracer, operation)).toBe(`Root=${TRACE_ID};Parent=${documentOf(tracer, operation).id};Sampled=1;Lineage=a87bd80c:1`);
      }
    }
  });

  it('records no request parameter beyond the table name', () => {
    for (const operation of ['GetItem', 'PutItem']) {
      expect(JSON.stringify(documentOf('ours', operation))).not.toContain('SESSION#a');
    }
  });
});
