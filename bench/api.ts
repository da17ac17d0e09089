/**
 * `npm run bench`: server-side cost of the API on the local stack, and what each function ships.
 *
 * - POST /v1/sessions and the authorizer: the real handlers invoked in-process with API Gateway
 *   v2 events against DynamoDB Local and the KMS emulator, p50/p99 over BENCH_CALLS calls (default
 *   1,000). Time spent waiting on the Graph emulator is measured and subtracted; for the authorizer
 *   the one DynamoDB read is measured too, so its own overhead shows.
 * - Bundle size and cold start (time to import the bundle in a fresh Node process) per function,
 *   built with exactly the esbuild options the CDK stack uses, next to the same figures for a
 *   bundle that holds only the AWS SDK clients the function uses (read from its metafile), built
 *   and measured in the same run, and the ratios (goal <= 1.2).
 *
 * Figures are printed, not asserted. Goals: authorizer overhead < 5 ms p99 on top of its read; no
 * bundle over its limit (bundleLimitKb in infra/bundling.ts; the infra tests enforce it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build, type Metafile } from 'esbuild';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { bundleLimitKb, esbuildOptionsFor } from '#infra/bundling';
import { createSessionGuardApp } from '#infra/session-guard-app';
import cdkJson from '../cdk.json' with { type: 'json' };
import { adminRoutes } from '#functions/admin-routes';
import { routes } from '#functions/routes';
import { HttpGraphTransport } from '#commons/facebook/graph-transport';
import { SessionStore } from '#commons/storage/session-store';
import { startLocalStack } from '#local/stack';
import { httpEvent } from '#test/support/http-events';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const WARMUP = 50;
const COLD_START_RUNS = 9;
const RATIO_GOAL = 1.2;

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

/** What `new X({})` needs per SDK package a function may bundle; lib-dynamodb wraps the DynamoDB client. */
const SDK_CLIENTS: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-kms': 'KMSClient',
  '@aws-sdk/client-lambda': 'LambdaClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  '@aws-sdk/client-sqs': 'SQSClient',
  '@aws-sdk/client-ssm': 'SSMClient',
};

/** The SDK packages a function needs for each AWS service its role may call. */
const SDK_PACKAGES_BY_SERVICE: Record<string, string[]> = {
  dynamodb: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
  events: ['@aws-sdk/client-eventbridge'],
  kms: ['@aws-sdk/client-kms'],
  lambda: ['@aws-sdk/client-lambda'],
  secretsmanager: ['@aws-sdk/client-secrets-manager'],
  sqs: ['@aws-sdk/client-sqs'],
  ssm: ['@aws-sdk/client-ssm'],
};

/**
 * The SDK packages each function may use, from what its role may do in the synthesized stack (the
 * grants are exact and tested): a client the role cannot call is not one the function uses. Some
 * grants serve the Lambda service, not the code (the stream consumer's `dynamodb:GetRecords`, a
 * queue consumer's `sqs:ReceiveMessage`), so the floor is what the role allows *and* the bundle holds.
 */
function sdkPackagesUsed(): Map<string, string[]> {
  const { stack } = createSessionGuardApp({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(stack);
  const used = new Map<string, string[]>();
  for (const [entry, fn] of stack.functions) {
    const roleRef = JSON.stringify({ Ref: stack.getLogicalId(fn.role.node.defaultChild as CfnRole) });
    const services = new Set<string>();
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      if (!JSON.stringify(policy.Properties.Roles).includes(roleRef)) continue;
      for (const statement of policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]) {
        for (const action of [statement.Action].flat()) services.add(action.split(':')[0]!);
      }
    }
    used.set(entry, [...services].flatMap((service) => SDK_PACKAGES_BY_SERVICE[service] ?? []).sort());
  }
  return used;
}

/** The AWS SDK client packages a bundle holds, read from esbuild's metafile. */
function sdkPackagesIn(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const name = /node_modules\/(@aws-sdk\/(?:client-[a-z0-9-]+|lib-dynamodb))\//.exec(input)?.[1];
      if (name) found.add(name);
    }
  }
  return [...found].sort();
}

/** An entry that makes exactly those clients and nothing else: the floor a function's bundle is compared with. */
function clientsOnlySource(packages: readonly string[]): string {
  const lines: string[] = [];
  const made: string[] = [];
  for (const pkg of packages) {
    const client = SDK_CLIENTS[pkg];
    if (!client) continue;
    lines.push(`import { ${client} } from '${pkg}';`);
    made.push(`new ${client}({})`);
  }
  if (packages.includes('@aws-sdk/lib-dynamodb')) {
    lines.push("import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';");
    made.push('DynamoDBDocumentClient.from(new DynamoDBClient({}))');
  }
  lines.push(`export const clients = [${made.join(', ')}];`);
  return lines.join('\n');
}

/** Time to import `file` once in a fresh Node process, or the first line of what went wrong. */
function importOnce(file: string, env: NodeJS.ProcessEnv): number | string {
  try {
    const printed = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); console.log(performance.now() - t);`],
      { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return Number(printed.trim().split('\n').at(-1));
  } catch (error) {
    return ((error as { stderr?: string }).stderr ?? String(error)).split('\n').find((l) => l.trim() !== '') ?? 'failed';
  }
}

type ColdStart = { ms?: number; failure?: string };

/**
 * Median import time of a bundle and of its SDK-only floor, and the median of their ratio run by
 * run. The two are imported back to back in each run, so a busy moment on a shared machine weighs
 * on both sides of a run's ratio alike.
 */
function coldStarts(file: string, floorFile: string, env: NodeJS.ProcessEnv): { cold: ColdStart; floor: ColdStart; ratio?: number } {
  const runs: [number, number][] = [];
  for (let i = 0; i < COLD_START_RUNS; i++) {
    const pair = [importOnce(file, env), importOnce(floorFile, env)] as const;
    if (typeof pair[0] === 'string') return { cold: { failure: pair[0] }, floor: {} };
    if (typeof pair[1] === 'string') return { cold: {}, floor: { failure: pair[1] } };
    runs.push([pair[0], pair[1]]);
  }
  return {
    cold: { ms: percentile(runs.map(([own]) => own), 50) },
    floor: { ms: percentile(runs.map(([, floor]) => floor), 50) },
    ratio: percentile(runs.map(([own, floor]) => own / floor), 50),
  };
}

async function benchBundles(): Promise<string[]> {
  const outDir = path.resolve('.bench/dist');
  mkdirSync(outDir, { recursive: true });
  const apiEntries = new Set([...routes.map((r) => r.entry), 'authorizer']);
  const adminEntries = new Set(adminRoutes.map((r) => r.entry));
  const usedByEntry = sdkPackagesUsed();
  // The stack's functions, not every file in functions/ (the route tables live there too).
  const entries = [...usedByEntry.keys()].sort();
  // Enough configuration for every function's cold-start check to pass; nothing is contacted.
  const env = {
    ...process.env,
    TABLE_NAME: 'bench',
    KMS_KEY_ID: 'alias/bench',
    FACEBOOK_APP_ID: '1234567890',
    FACEBOOK_APP_SECRET: 'bench-secret',
    PUBLIC_BASE_URL: 'https://sessions.example.com',
    SWEEP_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
    EVENT_BUS_NAME: 'bench',
    INVENTORY_CHECKER_FUNCTION: 'bench-inventory-checker',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    NODE_NO_WARNINGS: '1',
  };
  const lines = [
    `Bundles (same esbuild options as the CDK stack) and cold start (import in a fresh process, median of ${COLD_START_RUNS}; each run imports the bundle, then its floor; cold x is the median of the runs' ratios),`,
    `next to a bundle of only the AWS SDK clients each function uses, built and measured the same way (goal: ratios <= ${RATIO_GOAL})`,
    `  ${'function'.padEnd(26)} kind  ${'bundle'.padStart(8)} ${'cold'.padStart(9)}   ${'SDK only'.padStart(8)} ${'cold'.padStart(9)}   ${'size x'.padStart(6)} ${'cold x'.padStart(6)}   SDK clients`,
  ];
  for (const entry of entries) {
    const outfile = path.join(outDir, `${entry}.mjs`);
    const result = await build({ ...esbuildOptionsFor(path.resolve('functions', `${entry}.ts`)), outfile, metafile: true });
    const bundled = sdkPackagesIn(result.metafile);
    const packages = (usedByEntry.get(entry) ?? []).filter((pkg) => bundled.includes(pkg));
    const unused = bundled.filter((pkg) => !packages.includes(pkg));
    const floorFile = path.join(outDir, `${entry}.sdk-only.mjs`);
    const { entryPoints: _entry, ...shared } = esbuildOptionsFor(path.resolve('functions', `${entry}.ts`));
    await build({ ...shared, stdin: { contents: clientsOnlySource(packages), loader: 'ts', resolveDir: process.cwd() }, outfile: floorFile });
    const sizeKb = statSync(outfile).size / 1024;
    const floorKb = statSync(floorFile).size / 1024;
    const { cold, floor: floorCold, ratio: coldRatio } = coldStarts(outfile, floorFile, env);
    const kind = apiEntries.has(entry) ? 'api' : adminEntries.has(entry) ? 'adm' : 'job';
    const over = sizeKb >= bundleLimitKb(entry) ? `  OVER ${bundleLimitKb(entry)} KB` : '';
    const coldText = cold.ms !== undefined ? ms(cold.ms) : cold.failure ? 'failed' : '—';
    const floorColdText = floorCold.ms !== undefined ? ms(floorCold.ms) : floorCold.failure ? 'failed' : '—';
    // A function with no SDK client has no floor worth dividing by.
    const ratio = (a: number | undefined, b: number | undefined) => (packages.length === 0 || a === undefined || b === undefined ? '—' : (a / b).toFixed(2));
    const clients = packages.length === 0 ? 'none' : packages.map((p) => p.replace('@aws-sdk/', '')).join(', ');
    lines.push(
      `  ${entry.padEnd(26)} ${kind}   ${`${sizeKb.toFixed(0)} KB`.padStart(8)} ${coldText.padStart(9)}   ${`${floorKb.toFixed(0)} KB`.padStart(8)} ${floorColdText.padStart(9)}   ${ratio(sizeKb, floorKb).padStart(6)} ${(packages.length === 0 || coldRatio === undefined ? '—' : coldRatio.toFixed(2)).padStart(6)}   ${clients}${over}`,
    );
    if (unused.length > 0) lines.push(`    also bundles, without using: ${unused.join(', ')}`);
    if (cold.failure) lines.push(`    import failed: ${cold.failure.slice(0, 100)}`);
    if (floorCold.failure) lines.push(`    SDK-only import failed: ${floorCold.failure.slice(0, 100)}`);
  }
  return lines;
}

const handlerLines = process.env.BENCH_ONLY === 'bundles' ? [] : await benchHandlers();
const bundleLines = await benchBundles();
console.log(['', ...handlerLines, '', ...bundleLines, ''].join('\n'));
process.exit(0);
