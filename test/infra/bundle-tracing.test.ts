import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSessionToken, newSessionId } from '#commons/sessions/session-tokens';
import { esbuildOptionsFor } from '#infra/bundling';
import { entryPath } from '#infra/session-guard-function';
import { httpEvent } from '#test/support/http-events';
import { startXRayDaemon, type XRayDaemonStandIn } from '#test/support/xray-daemon';

/**
 * The production bundles (infra/bundling.ts, with its stand-ins for packages) still trace: run in
 * a fresh process set up as Lambda sets up a traced function (`AWS_EXECUTION_ENV`,
 * `LAMBDA_TASK_ROOT`, `_X_AMZN_TRACE_ID`, the X-Ray daemon address), each sends its subsegments
 * to the daemon over UDP. A DynamoDB stand-in and a Graph stand-in answer on loopback.
 */
const TRACE_ID = '1-67a1b2c3-0123456789abcdef01234567';

let daemon: XRayDaemonStandIn;
let server: Server;
let serverUrl: string;
const received: Record<string, unknown>[] = [];
const outDir = mkdtempSync(path.join(tmpdir(), 'session-guard-traced-'));

beforeAll(async () => {
  daemon = await startXRayDaemon((document) => received.push(document));

  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.headers['x-amz-target']) {
        // DynamoDB GetItem for a session that does not exist.
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      } else {
        response
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  daemon.close();
  await new Promise((resolve) => server.close(resolve));
});

/** Bundles `entry` as production does, then calls its handler once in a traced, Lambda-like process. */
async function invokeBundled(entry: string, event: unknown): Promise<unknown> {
  const outfile = path.join(outDir, `${entry}.mjs`);
  await build({ ...esbuildOptionsFor(entryPath(entry)), outfile });
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(outfile).href)});
    const result = await handler(${JSON.stringify(event)});
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the UDP sends leave
    console.log(JSON.stringify(result));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      NODE_NO_WARNINGS: '1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: `traced-${entry}`,
      LAMBDA_TASK_ROOT: outDir,
      _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`,
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: serverUrl,
      AWS_ENDPOINT_URL_KMS: serverUrl,
      GRAPH_API_URL: serverUrl,
      TABLE_NAME: 'sessions',
      KMS_KEY_ID: 'alias/sessions',
      FACEBOOK_APP_ID: '1234567890',
      FACEBOOK_APP_SECRET: 'test-secret',
      PUBLIC_BASE_URL: 'https://sessions.example.com',
    },
    encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

function subsegmentsNamed(name: string): Record<string, any>[] {
  return received.filter((document) => document.name === name && document.trace_id === TRACE_ID);
}

describe('production bundles under X-Ray', () => {
  it('the authorizer bundle records its DynamoDB read as a subsegment', async () => {
    const { token } = issueSessionToken(newSessionId());
    const result = await invokeBundled('authorizer', { ...httpEvent('GET', '/orders', { headers: { authorization: `Bearer ${token}` } }), type: 'REQUEST', identitySource: [], routeArn: 'arn:test' });
    expect(result).toEqual({ isAuthorized: false, context: {} });
    const reads = subsegmentsNamed('DynamoDB');
    expect(reads).toHaveLength(1);
    expect(reads[0]!).toMatchObject({ namespace: 'aws', aws: { operation: 'GetItem' } });
  }, 60_000);

  it('the sign-in bundle records its Graph call as a subsegment, without the URL', async () => {
    const result = (await invokeBundled('create-session', httpEvent('POST', '/v1/sessions', { body: JSON.stringify({ sessionInfoToken: 'EAAB-not-a-live-token' }) }))) as { statusCode: number };
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(600);
    const calls = subsegmentsNamed('Graph debug_token');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.annotations).toMatchObject({ graphOperation: 'debug_token', status: 400 });
    expect(JSON.stringify(calls[0])).not.toContain('EAAB-not-a-live-token');
  }, 60_000);
});
