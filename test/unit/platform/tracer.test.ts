import { Readable } from 'node:stream';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { Tracer, tracingEnabledIn } from '#commons/platform/tracer';
import { daemonAddress, parseTraceHeader } from '#commons/platform/xray';

/** What the test reads of a request the SDK hands its request handler. */
type HttpRequest = { headers: Record<string, string> };

const ROOT = '1-67a1b2c3-0123456789abcdef01234567';
const LAMBDA_ENV = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1` };

function recordingTracer(env: NodeJS.ProcessEnv = LAMBDA_ENV) {
  const sent: Record<string, any>[] = [];
  return { tracer: new Tracer({ env, send: (document) => sent.push(structuredClone(document)) }), sent };
}

/** A DynamoDB client answered in memory with `status` and `body`; it keeps the requests it sent. */
function dynamo(status: number, body: object) {
  const requests: HttpRequest[] = [];
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: HttpRequest) => {
        requests.push(request);
        // The shape of an HttpResponse (@smithy/protocol-http checks it by shape).
        return { response: { statusCode: status, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'REQ1' }, body: Readable.from([Buffer.from(JSON.stringify(body))]) } };
      },
    },
  });
  return { client, requests };
}

afterEach(() => {
  delete (globalThis as { awslambda?: unknown }).awslambda;
});

describe('when tracing is on', () => {
  it('is on only inside Lambda, and can be switched off as with Powertools', () => {
    expect(tracingEnabledIn(LAMBDA_ENV)).toBe(true);
    expect(tracingEnabledIn({})).toBe(false);
    expect(tracingEnabledIn({ ...LAMBDA_ENV, POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(false);
    expect(tracingEnabledIn({ ...LAMBDA_ENV, AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingEnabledIn({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
  });

  it('leaves a client untouched outside Lambda', async () => {
    const { tracer, sent } = recordingTracer({});
    const { client, requests } = dynamo(200, {});
    await tracer.captureAWSv3Client(client).send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } }));
    expect(sent).toEqual([]);
    expect(requests[0]!.headers['X-Amzn-Trace-Id']).toBeUndefined();
    expect(tracer.startSubsegment('Graph debug_token')).toBeUndefined();
  });
});

describe('trace headers', () => {
  it('reads Root, Parent, Sampled and keeps the rest for the calls it makes', () => {
    expect(parseTraceHeader(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:1`)).toEqual({ root: ROOT, parent: '53995c3f42cd8ad8', sampled: false, extra: ['Lineage=a87bd80c:1'] });
  });

  it('finds no segment to add to without a Parent (pass-through) or with a malformed Root', () => {
    expect(parseTraceHeader(`Root=${ROOT}`)).toBeUndefined();
    expect(parseTraceHeader('Root=1-nothex;Parent=53995c3f42cd8ad8;Sampled=1')).toBeUndefined();
    expect(parseTraceHeader(undefined)).toBeUndefined();
  });

  it('reads the daemon address in both of its forms', () => {
    expect(daemonAddress('169.254.79.129:2000')).toEqual({ host: '169.254.79.129', port: 2000 });
    expect(daemonAddress('tcp:127.0.0.1:2001 udp:127.0.0.2:2002')).toEqual({ host: '127.0.0.2', port: 2002 });
    expect(daemonAddress(undefined)).toEqual({ host: '127.0.0.1', port: 2000 });
  });

  it('prefers the invocation store Lambda keeps per request over the environment', () => {
    (globalThis as { awslambda?: unknown }).awslambda = { InvokeStore: { getXRayTraceId: () => 'Root=1-00000000-000000000000000000000001;Parent=1111111111111111;Sampled=1' } };
    const { tracer, sent } = recordingTracer();
    tracer.startSubsegment('x')!.close();
    expect(sent[0]).toMatchObject({ trace_id: '1-00000000-000000000000000000000001', parent_id: '1111111111111111' });
  });
});

describe('SDK calls as subsegments', () => {
  it('records an answered call and sends the trace header naming its subsegment', async () => {
    const { tracer, sent } = recordingTracer();
    const { client, requests } = dynamo(200, {});
    await tracer.captureAWSv3Client(client).send(new GetItemCommand({ TableName: 'sessions', Key: { pk: { S: 'SESSION#secret-hash' } } }));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      name: 'DynamoDB',
      namespace: 'aws',
      type: 'subsegment',
      trace_id: ROOT,
      parent_id: '53995c3f42cd8ad8',
      aws: { operation: 'GetItem', region: 'eu-west-1', request_id: 'REQ1', retries: 0, table_name: 'sessions' },
      http: { response: { status: 200 } },
    });
    expect(sent[0]!.end_time).toBeGreaterThanOrEqual(sent[0]!.start_time);
    expect(requests[0]!.headers['X-Amzn-Trace-Id']).toBe(`Root=${ROOT};Parent=${sent[0]!.id};Sampled=1`);
    expect(JSON.stringify(sent[0])).not.toContain('secret-hash');
  });

  it('flags a refused call an error, a throttled one a throttle, a 5xx a fault', async () => {
    const cases = [
      { status: 400, type: 'ConditionalCheckFailedException', flags: { error: true } },
      { status: 400, type: 'ProvisionedThroughputExceededException', flags: { error: true, throttle: true } },
      { status: 500, type: 'InternalServerError', flags: { fault: true } },
    ];
    for (const { status, type, flags } of cases) {
      const { tracer, sent } = recordingTracer();
      const { client } = dynamo(status, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'refused' });
      await expect(tracer.captureAWSv3Client(client).send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } } }))).rejects.toThrow();
      const { error, fault, throttle } = sent[0]!;
      expect({ error, fault, throttle }, type).toEqual({ error: undefined, fault: undefined, throttle: undefined, ...flags });
      expect(sent[0]!.cause.exceptions[0]).toMatchObject({ type, message: 'refused', remote: true });
    }
  });

  it('adds its middleware once however often a client is wrapped', async () => {
    const { tracer, sent } = recordingTracer();
    const { client } = dynamo(200, {});
    tracer.captureAWSv3Client(tracer.captureAWSv3Client(client));
    await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } }));
    expect(sent).toHaveLength(1);
  });

  it('sends nothing for an invocation Lambda did not sample, and marks the header unsampled', async () => {
    const { tracer, sent } = recordingTracer({ ...LAMBDA_ENV, _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=0` });
    const { client, requests } = dynamo(200, {});
    await tracer.captureAWSv3Client(client).send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } }));
    expect(sent).toEqual([]);
    expect(requests[0]!.headers['X-Amzn-Trace-Id']).toMatch(/;Sampled=0$/);
  });
});

describe('subsegments of our own (Graph calls)', () => {
  it('carries annotations, flags and an exception without its stack, and is sent once', () => {
    const { tracer, sent } = recordingTracer();
    const subsegment = tracer.startSubsegment('Graph debug_token')!;
    subsegment.addAnnotation('graphOperation', 'debug_token');
    subsegment.flagStatus(429);
    subsegment.addError(new Error('TimeoutError'), true);
    subsegment.close();
    subsegment.close();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ name: 'Graph debug_token', annotations: { graphOperation: 'debug_token' }, throttle: true, error: true });
    expect(sent[0]).not.toHaveProperty('fault');
    expect(JSON.stringify(sent[0])).not.toContain('stack');
  });
});
