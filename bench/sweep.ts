/**
 * `npm run bench:sweep`: what a revalidation sweep costs, on the local stack.
 *
 * 1. Creates BENCH_SESSIONS sessions, each for a new Facebook test user, through
 *    the real sign-in domain code (`signInWithSessionInfoToken`: debug_token against the Graph
 *    emulator, envelope sealing with the KMS emulator, the same DynamoDB transaction as
 *    POST /v1/sessions) with BENCH_SIGNIN_CONCURRENCY sign-ins in flight (default 64). Only the HTTP
 *    layer of POST /v1/sessions is skipped.
 * 2. Sets the Graph emulator to answer after BENCH_GRAPH_LATENCY_MS (default 100) and runs two full
 *    sweeps the way AWS would: dispatcher → SQS (emulator) → worker with real SQS events, 5 worker
 *    invocations at once (the stack's default maximum concurrency).
 * 3. Prints, per sweep: sessions/second, Graph, KMS and DynamoDB requests per 1,000 checks, and the
 *    read/write capacity units the worker consumed (it asks DynamoDB for ReturnConsumedCapacity
 *    TOTAL on every call; DynamoDB Local answers it).
 *
 * BENCH_SESSIONS is a list of sizes, smallest first (default `400,100000`): the sessions of each
 * size are added to those of the one before, and each size gets its two sweeps, so one run prints
 * the figures at 400 and at 100,000 sessions. `BENCH_SESSIONS=400` alone takes a minute.
 *
 * Goals (printed, not asserted): Graph ≤ 25 requests per 1,000 checks; KMS ≤ 10 per 1,000 from the
 * second sweep on; DynamoDB ≤ 0.5 RCU and ≤ 0.05 WCU per unchanged session check.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createDocumentClient, createKmsClient } from '#commons/platform/aws-clients';
import { createGraphClient } from '#commons/facebook/graph-client';
import { SessionStore } from '#commons/storage/session-store';
import { signInWithSessionInfoToken } from '#commons/sessions/sessions';
import { EnvelopeSealer } from '#commons/crypto/vault';
import { startLocalStack } from '#local/stack';
import { createLocalSweep, type SweepSummary } from '#local/sweep';

const SIZES = (process.env.BENCH_SESSIONS ?? '400,100000')
  .split(',')
  .map((size) => Number(size.trim()))
  .sort((a, b) => a - b);
if (SIZES.length === 0 || SIZES.some((size) => !Number.isInteger(size) || size <= 0)) throw new Error('BENCH_SESSIONS must be a comma-separated list of positive whole numbers');
const SIGNIN_CONCURRENCY = Number(process.env.BENCH_SIGNIN_CONCURRENCY ?? 64);
const GRAPH_LATENCY_MS = Number(process.env.BENCH_GRAPH_LATENCY_MS ?? 100);
const SWEEPS = 2;

const GOALS = { graphPer1000: 25, kmsPer1000: 10, rcuPerCheck: 0.5, wcuPerCheck: 0.05 };

process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
const log = (line: string) => process.stderr.write(`${line}\n`);

const sweep = createLocalSweep({ log: () => undefined });
const stack = await startLocalStack({ port: 0, graphLatencyMs: 0, localRoutes: [sweep.route] });
await sweep.start();
const graphEmulator = stack.graph!;
const kmsEmulator = stack.kms!;

// ---- 1. sessions, through the sign-in domain code ------------------------------------------
const deps = {
  store: new SessionStore(createDocumentClient(), stack.tableName),
  vault: new EnvelopeSealer(createKmsClient(), stack.kmsKeyId),
  graph: createGraphClient(
    { GRAPH_API_URL: graphEmulator.url, GRAPH_API_VERSION: process.env.GRAPH_API_VERSION ?? 'v21.0', FACEBOOK_APP_ID: stack.appId, GRAPH_TIMEOUT_MS: 10_000 },
    stack.appSecret,
  ).tokens,
  appId: stack.appId,
  sessionMaxAgeMs: 30 * 86_400_000,
};

try {
  const reports: unknown[] = [];
  let existing = 0;
  for (const SESSIONS of SIZES) {
    reports.push(await benchSize(SESSIONS, SESSIONS - existing));
    existing = SESSIONS;
  }
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/sweep.json', `${JSON.stringify(reports, null, 2)}\n`);
} finally {
  await sweep.close();
  await stack.close();
}

async function benchSize(SESSIONS: number, toCreate: number) {
  log(`Creating ${toCreate.toLocaleString('en')} sessions, for ${SESSIONS.toLocaleString('en')} in all (${SIGNIN_CONCURRENCY} sign-ins at once)…`);
  const createStart = performance.now();
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < toCreate) {
      next += 1;
      const user = graphEmulator.createTestUser(stack.appId);
      const token = graphEmulator.mintSessionInfoToken(stack.appId, user.id);
      await signInWithSessionInfoToken(deps, token);
      done += 1;
      if (done % 10_000 === 0) log(`  ${done.toLocaleString('en')} (${Math.round(done / ((performance.now() - createStart) / 1000))}/s)`);
    }
  };
  await Promise.all(Array.from({ length: SIGNIN_CONCURRENCY }, lane));
  const createSeconds = (performance.now() - createStart) / 1000;
  log(`  done in ${createSeconds.toFixed(0)} s (${Math.round(toCreate / createSeconds)} sign-ins/s)`);
  graphEmulator.setLatency(GRAPH_LATENCY_MS);

  // ---- 2. sweeps ---------------------------------------------------------------------------
  const results: { sweep: number; summary: SweepSummary; seconds: number; graph: number; kms: number; sqs: number }[] = [];
  for (let n = 1; n <= SWEEPS; n++) {
    log(`Sweep ${n}…`);
    graphEmulator.resetStats();
    kmsEmulator.resetCounts();
    const sqsBefore = total(sweep.sqs.requestCounts());
    const start = performance.now();
    const summary = await sweep.runSweep();
    const seconds = (performance.now() - start) / 1000;
    results.push({
      sweep: n,
      summary,
      seconds,
      graph: graphEmulator.stats().requests,
      kms: total(kmsEmulator.requestCounts()),
      sqs: total(sweep.sqs.requestCounts()) - sqsBefore,
    });
    if (summary.checked !== SESSIONS || summary.valid !== SESSIONS) {
      log(`  note: checked ${summary.checked}, valid ${summary.valid}, deferred ${summary.deferred}, errors ${summary.errors}`);
    }
  }

  // ---- 3. figures --------------------------------------------------------------------------
  const rows = results.map(({ sweep: n, summary, seconds, graph, kms, sqs }) => {
    const per1000 = (value: number) => (value / summary.checked) * 1000;
    return {
      sweep: n,
      checked: summary.checked,
      valid: summary.valid,
      revoked: summary.revoked,
      deferred: summary.deferred,
      errors: summary.errors,
      seconds: round(seconds, 1),
      sessionsPerSecond: Math.round(summary.checked / seconds),
      graphRequests: graph,
      graphPer1000: round(per1000(graph), 2),
      kmsRequests: kms,
      kmsPer1000: round(per1000(kms), 3),
      dynamoRequests: summary.dynamo.requests,
      dynamoPer1000: round(per1000(summary.dynamo.requests), 2),
      readUnits: round(summary.dynamo.readUnits, 1),
      writeUnits: round(summary.dynamo.writeUnits, 1),
      rcuPerCheck: round(summary.dynamo.readUnits / summary.checked, 4),
      wcuPerCheck: round(summary.dynamo.writeUnits / summary.checked, 4),
      sqsRequests: sqs,
      shareRuns: summary.shareRuns,
      sharesHandedOn: summary.sharesHandedOn,
      passesCompleted: summary.passesCompleted,
    };
  });

  const line = (label: string, values: (string | number)[]) => `  ${label.padEnd(38)}${values.map((v) => String(v).padStart(14)).join('')}`;
  const verdict = (ok: boolean) => (ok ? 'meets goal' : 'MISSES GOAL');
  const out = [
    '',
    `Revalidation sweep on the local stack: ${SESSIONS.toLocaleString('en')} sessions, Graph emulator answering after ${GRAPH_LATENCY_MS} ms`,
    `(sessions made through signInWithSessionInfoToken; sessions are never written, shard cursors only when a sweep stops early;  5 worker invocations at once, 2 shares per invocation, 4 Graph batches in flight per share)`,
    '',
    line('', rows.map((r) => `sweep ${r.sweep}`)),
    line('sessions checked', rows.map((r) => r.checked.toLocaleString('en'))),
    line('  valid / revoked / deferred / errors', rows.map((r) => `${r.valid}/${r.revoked}/${r.deferred}/${r.errors}`)),
    line('wall time (s)', rows.map((r) => r.seconds)),
    line('sessions/second', rows.map((r) => r.sessionsPerSecond.toLocaleString('en'))),
    line('Graph requests', rows.map((r) => r.graphRequests)),
    line('Graph requests per 1,000 checks', rows.map((r) => r.graphPer1000)),
    line('KMS requests', rows.map((r) => r.kmsRequests)),
    line('KMS requests per 1,000 checks', rows.map((r) => r.kmsPer1000)),
    line('DynamoDB requests', rows.map((r) => r.dynamoRequests)),
    line('DynamoDB requests per 1,000 checks', rows.map((r) => r.dynamoPer1000)),
    line('read capacity units (RCU)', rows.map((r) => r.readUnits)),
    line('write capacity units (WCU)', rows.map((r) => r.writeUnits)),
    line('RCU per session check', rows.map((r) => r.rcuPerCheck)),
    line('WCU per session check', rows.map((r) => r.wcuPerCheck)),
    line('SQS requests (share messages sent)', rows.map((r) => r.sqsRequests)),
    line('worker share runs', rows.map((r) => r.shareRuns)),
    line('  of which shares handed on', rows.map((r) => r.sharesHandedOn)),
    line('shard passes completed (of 64)', rows.map((r) => r.passesCompleted)),
    '',
    'Goals:',
    `  Graph ≤ ${GOALS.graphPer1000} requests per 1,000 checks: ${rows.map((r) => `sweep ${r.sweep} ${verdict(r.graphPer1000 <= GOALS.graphPer1000)}`).join(', ')}`,
    `  KMS ≤ ${GOALS.kmsPer1000} requests per 1,000 checks from the second sweep: ${verdict(rows.slice(1).every((r) => r.kmsPer1000 <= GOALS.kmsPer1000))}`,
    `  DynamoDB ≤ ${GOALS.rcuPerCheck} RCU and ≤ ${GOALS.wcuPerCheck} WCU per unchanged session check: ${rows
      .map((r) => `sweep ${r.sweep} ${verdict(r.rcuPerCheck <= GOALS.rcuPerCheck && r.wcuPerCheck <= GOALS.wcuPerCheck)}`)
      .join(', ')}`,
    '',
  ];
  console.log(out.join('\n'));
  graphEmulator.setLatency(0);
  return { sessions: SESSIONS, graphLatencyMs: GRAPH_LATENCY_MS, createSeconds, rows };
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
