import { demoFacebookControlsRoute } from './demo-page.ts';
import { createLocalEvents } from './events.ts';
import { type LocalStack, startLocalStack } from './stack.ts';
import { createLocalSweep } from './sweep.ts';

/** `npm start`: the whole service on this machine, until Ctrl-C. */
const apiPort = Number(process.env.PORT ?? 3000);
// A stable emulator address keeps the README's curl lines working as written.
// The scheduled revalidation runs on a timer: every SWEEP_INTERVAL_SECONDS (60 by default, 0 = off).
const sweepInterval = Number(process.env.SWEEP_INTERVAL_SECONDS ?? 60);
if (!Number.isInteger(sweepInterval) || sweepInterval < 0) throw new Error('SWEEP_INTERVAL_SECONDS must be a whole number of seconds (0 turns the timer off)');
const sweep = createLocalSweep({ intervalSeconds: sweepInterval });
// The demo page's "See it work" control ends a Facebook session in the emulator, then sweeps.
let started: LocalStack | undefined;
const demoControls = demoFacebookControlsRoute({ graph: () => started?.graph, sweepNow: () => sweep.runSweep() });
// Events from the table's stream; EVENTS_WEBHOOK_URL (and EVENTS_WEBHOOK_API_KEY) to receive them.
const events = createLocalEvents();
const stack = await startLocalStack({
  port: apiPort,
  // PORT=0 (any free port) leaves the emulator's to the system too, rather than port 1.
  graphEmulatorPort: Number(process.env.GRAPH_EMULATOR_PORT ?? (apiPort === 0 ? 0 : apiPort + 1)),
  adminPort: Number(process.env.ADMIN_PORT ?? (apiPort === 0 ? 0 : apiPort + 2)),
  localRoutes: [sweep.route, demoControls, events.route],
});
started = stack;
await sweep.start();
await events.start();
const lines = [
  '',
  'Session Guard is running locally.',
  ...stack.started.map((line) => `  ${line}`),
  `  SQS emulator          ${sweep.sqs.url} (sweep queue and its dead-letter queue)`,
  `  Revalidation          ${sweepInterval > 0 ? `every ${sweepInterval} s` : 'timer off'}; sweep now: curl -s -X POST ${stack.url}/_local/revalidate`,
  `  Events                ${process.env.EVENTS_WEBHOOK_URL ? `POSTed to ${process.env.EVENTS_WEBHOOK_URL}` : 'no webhook (set EVENTS_WEBHOOK_URL)'}; recent: curl -s ${stack.url}/_local/events`,
  '',
];
if (stack.graph) {
  const api = stack.url;
  const graph = stack.graph.url;
  lines.push(
    'Try it:',
    `  # in a browser: open ${api}/ and press "Continue with Facebook" (the emulator's login dialog)`,
    `  # the README's walkthrough, step by step against this stack (best with SWEEP_INTERVAL_SECONDS=0):`,
    `  API=${api} GRAPH=${graph} bash local/walkthrough.sh`,
    `  # or by hand: a test user and the session-info token the Facebook SDK would make on their phone`,
    `  USER_ID=$(curl -s -X POST ${graph}/_emulator/users -H 'content-type: application/json' -d '{"name":"Ada"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')`,
    `  SIT=$(curl -s -X POST ${graph}/_emulator/users/$USER_ID/session-info-token | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`,
    `  TOKEN=$(curl -s -X POST ${api}/v1/sessions -H 'content-type: application/json' -d "{\\"sessionInfoToken\\":\\"$SIT\\"}" | node -pe 'JSON.parse(require("fs").readFileSync(0)).sessionToken')`,
    `  curl -s ${api}/v1/sessions/current -H "authorization: Bearer $TOKEN"`,
    '',
  );
}
lines.push('Press Ctrl-C to stop.');
console.log(lines.join('\n'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    void events
      .close()
      .then(() => sweep.close())
      .then(() => stack.close())
      .then(() => process.exit(0));
  });
}
