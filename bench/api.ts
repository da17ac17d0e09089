/**
 * `npm run bench`: server-side cost of the API on the local stack, and what each function ships.
 *
 * - POST /v1/sessions and the authorizer: the real handlers invoked in-process with API Gateway
 *   v2 events against DynamoDB Local and the KMS emulator, p50/p99 over BENCH_CALLS calls (default
 *   1,000). Time spent waiting on the Graph emulator is measured and subtracted; for the authorizer
 *   the one DynamoDB read is measured too, so its own overhead shows.
 * - Bundle size and cold start (time to import the bundle in a fresh Node process) per function,
 *   built with exactly the esbuild options the CDK stack uses.
 *
 * Figures are printed, not asserted. Goals: authorizer overhead < 5 ms p99 on top of its read; no
 * API function bundle over 700 KB.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { esbuildOptionsFor } from '#infra/bundling';
import { routes } from '#functions/routes';
import { HttpGraphTransport } from '#commons/facebook/graph-transport';
import { SessionStore } from '#commons/storage/session-store';
import { startLocalStack } from '#local/stack';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const WARMUP = 50;
const COLD_START_RUNS = 5;
const API_BUNDLE_LIMIT_KB = 700;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
const ms = (value: number) => `${value.toFixed(2)} ms`;
const row = (label: string, values: number[]) => `  ${label.padEnd(44)} p50 ${ms(percentile(values, 50)).padStart(10)}   p99 ${ms(percentile(values, 99)).padStart(10)}`;

/** Adds up time spent inside a method while `measure` runs, per call of `measure`. */
function timeSpentIn<T extends object>(prototype: T, method: keyof T) {
  const original = prototype[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  let spent = 0;
  (prototype as Record<keyof T, unknown>)[method] = async function (this: unknown, ...args: unknown[]) {
    const start = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      spent += performance.now() - start;
    }
  };
  return {
    async measure(run: () => Promise<unknown>): Promise<{ total: number; inside: number }> {
      spent = 0;
      const start = performance.now();
      await run();
      return { total: performance.now() - start, inside: spent };
    },
  };
}

function httpEvent(method: string, routePath: string, init: { body?: string; headers?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${routePath}`,
    rawPath: routePath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'bench',
      http: { method, path: routePath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: `bench-${Math.random()}`,
      routeKey: `${method} ${routePath}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
    isBase64Encoded: false,
  };
}

async function benchHandlers(): Promise<string[]> {
  // Handlers log every request; the benchmark wants its own figures, not thousands of log lines.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const stack = await startLocalStack({ port: 0 });
  const graph = stack.graph!;
  try {
    const createSession = ((await import('#functions/create-session')) as { handler: (e: APIGatewayProxyEventV2) => Promise<{ statusCode?: number; body?: string }> }).handler;
    const authorizer = ((await import('#functions/authorizer')) as { handler: (e: unknown) => Promise<{ isAuthorized: boolean }> }).handler;
    const graphTime = timeSpentIn(HttpGraphTransport.prototype, 'get');
    graph.resetStats();

    const signInTimes: number[] = [];
    const sessionTokens: string[] = [];
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const user = graph.createTestUser(stack.appId);
      const sessionInfoToken = graph.mintSessionInfoToken(stack.appId, user.id);
      let result: { statusCode?: number; body?: string } | undefined;
      const { total, inside } = await graphTime.measure(async () => {
        result = await createSession(httpEvent('POST', '/v1/sessions', { body: JSON.stringify({ sessionInfoToken }) }));
      });
      if (result?.statusCode !== 201) throw new Error(`sign-in failed during the benchmark: ${result?.statusCode} ${result?.body}`);
      sessionTokens.push((JSON.parse(result.body!) as { sessionToken: string }).sessionToken);
      if (i >= WARMUP) signInTimes.push(total - inside);
    }

    // Each sign-in asks Facebook twice: debug_token, then GET /me with the token itself, the proof
    // that it is a session-info token (a user access token would be answered).
    const graphCalls = graph.stats();
    const perSignIn = (count: number | undefined) => ((count ?? 0) / (WARMUP + CALLS)).toFixed(2);

    const readTime = timeSpentIn(SessionStore.prototype, 'getSession');
    const authorizerTotal: number[] = [];
    const authorizerRead: number[] = [];
    const authorizerOwn: number[] = [];
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const token = sessionTokens[i % sessionTokens.length]!;
      let admitted = false;
      const { total, inside } = await readTime.measure(async () => {
        admitted = (await authorizer({ ...httpEvent('GET', '/orders', { headers: { authorization: `Bearer ${token}` } }), type: 'REQUEST', identitySource: [], routeArn: 'arn:bench' })).isAuthorized;
      });
      if (!admitted) throw new Error('the authorizer refused a live session during the benchmark');
      if (i >= WARMUP) {
        authorizerTotal.push(total);
        authorizerRead.push(inside);
        authorizerOwn.push(total - inside);
      }
    }
    return [
      `Server-side time over ${CALLS} calls (local stack; Graph emulator wait excluded)`,
      row('POST /v1/sessions (without Graph wait)', signInTimes),
      `Graph calls per sign-in: ${perSignIn(graphCalls.requests)} (debug_token ${perSignIn(graphCalls.byPath['debug_token'])}, GET /me session-info proof ${perSignIn(graphCalls.byPath['me'])})`,
      row('authorizer, total', authorizerTotal),
      row('authorizer, its one DynamoDB read', authorizerRead),
      row('authorizer, own overhead (goal: p99 < 5 ms)', authorizerOwn),
    ];
  } finally {
    await stack.close();
  }
}

async function benchBundles(): Promise<string[]> {
  const outDir = path.resolve('.bench/dist');
  mkdirSync(outDir, { recursive: true });
  const apiEntries = new Set([...routes.map((r) => r.entry), 'authorizer']);
  const entries = readdirSync('functions')
    .filter((f) => f.endsWith('.ts') && f !== 'routes.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  // Enough configuration for every function's cold-start check to pass; nothing is contacted.
  const env = {
    ...process.env,
    TABLE_NAME: 'bench',
    KMS_KEY_ID: 'alias/bench',
    FACEBOOK_APP_ID: '1234567890',
    FACEBOOK_APP_SECRET: 'bench-secret',
    PUBLIC_BASE_URL: 'https://sessions.example.com',
    SWEEP_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    NODE_NO_WARNINGS: '1',
  };
  const lines = [`Bundles (same esbuild options as the CDK stack) and cold start (import in a fresh process, median of ${COLD_START_RUNS})`];
  for (const entry of entries) {
    const outfile = path.join(outDir, `${entry}.mjs`);
    await build({ ...esbuildOptionsFor(path.resolve('functions', `${entry}.ts`)), outfile });
    const sizeKb = statSync(outfile).size / 1024;
    const runs: number[] = [];
    let failure = '';
    for (let i = 0; i < COLD_START_RUNS; i++) {
      try {
        const printed = execFileSync(
          process.execPath,
          ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(`file://${outfile}`)}); console.log(performance.now() - t);`],
          { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );
        runs.push(Number(printed.trim().split('\n').at(-1)));
      } catch (error) {
        failure = ((error as { stderr?: string }).stderr ?? String(error)).split('\n').find((l) => l.trim() !== '') ?? 'failed';
        break;
      }
    }
    const over = apiEntries.has(entry) && sizeKb > API_BUNDLE_LIMIT_KB ? '  OVER 700 KB' : '';
    const kind = apiEntries.has(entry) ? 'api' : 'job';
    const cold = failure ? `import failed: ${failure.slice(0, 80)}` : `cold start ${ms(percentile(runs, 50)).padStart(10)}`;
    lines.push(`  ${entry.padEnd(28)} ${kind}  ${sizeKb.toFixed(0).padStart(5)} KB   ${cold}${over}`);
  }
  return lines;
}

const handlerLines = await benchHandlers();
const bundleLines = await benchBundles();
console.log(['', ...handlerLines, '', ...bundleLines, ''].join('\n'));
process.exit(0);
