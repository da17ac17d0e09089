import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * `local/walkthrough.sh` (`npm run walkthrough`) is the README's walkthrough, run for real against
 * a local stack with the sweep timer off: every step's answer is checked here, the answers the
 * script's comments promise are the ones it gets, and the README shows the script's lines word
 * for word, so the README cannot drift from the code.
 */
const SCRIPT = 'local/walkthrough.sh';
let stack: SweepTestStack;
let output = '';
let exitCode: number | null = null;

interface Answer {
  status: number;
  body: any;
}

/** The `→ status body` lines printed under each `== N. …` heading. */
function answersByStep(text: string): Map<number, Answer[]> {
  const steps = new Map<number, Answer[]>();
  let current = 0;
  for (const line of text.split('\n')) {
    const heading = /^== (\d+)\. /.exec(line);
    if (heading) {
      current = Number(heading[1]);
      steps.set(current, []);
      continue;
    }
    const answer = /^→ (\d{3}) ?(.*)$/.exec(line);
    if (!answer) continue;
    const raw = answer[2] ?? '';
    steps.get(current)?.push({ status: Number(answer[1]), body: raw === '' ? undefined : JSON.parse(raw) });
  }
  return steps;
}

function walkthroughBlock(text: string): string {
  const start = text.indexOf('# >>> walkthrough\n');
  const end = text.indexOf('# <<< walkthrough');
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return text.slice(start + '# >>> walkthrough\n'.length, end);
}

beforeAll(async () => {
  stack = await startSweepTestStack();
  const child = spawn('bash', [SCRIPT], {
    env: { ...process.env, API: stack.url, GRAPH: stack.graphEmulator().url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('the walkthrough (npm run walkthrough)', () => {
  it('runs to the end', () => {
    expect(output).toContain('== 9.');
    expect(exitCode, output).toBe(0);
  });

  it('makes a test user and a session-info token, signs in and uses the session', () => {
    const steps = answersByStep(output);
    const [user, sit] = steps.get(1)!;
    expect(user).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^\d+$/), name: 'Ada', appId: stack.appId } });
    expect(sit).toMatchObject({ status: 201, body: { token: expect.stringMatching(/^EAA.{9}…$/) } });
    const [signIn] = steps.get(2)!;
    expect(signIn).toMatchObject({ status: 201, body: { sessionToken: expect.stringMatching(/^sg1\.ses_/), user: { facebookUserId: user!.body.id, created: true } } });
    const [current] = steps.get(3)!;
    expect(current).toMatchObject({ status: 200, body: { session: { status: 'active' }, user: { id: signIn!.body.user.id } } });
  });

  it('ends the Facebook session, which bites at the next sweep with its reason', () => {
    const steps = answersByStep(output);
    const [ended, beforeSweep] = steps.get(4)!;
    expect(ended!.status).toBe(204);
    expect(beforeSweep).toMatchObject({ status: 200, body: { session: { status: 'active' } } });
    const [sweep] = steps.get(5)!;
    expect(sweep).toMatchObject({ status: 200, body: { checked: 1, revoked: 1, revokedByReason: { password_changed: 1 } } });
    const [refused] = steps.get(6)!;
    expect(refused).toMatchObject({ status: 401, body: { error: { code: 'session_revoked', reason: 'password_changed' } } });
  });

  it('revokes the second session at once on app removal, and the same session-info token no longer signs in', () => {
    const steps = answersByStep(output);
    const [sit2, signIn2] = steps.get(7)!;
    expect(sit2!.status).toBe(201);
    expect(signIn2).toMatchObject({ status: 201, body: { user: { created: false } } });
    const [removed, revoked, again] = steps.get(8)!;
    expect(removed).toMatchObject({ status: 200, body: { facebook: { appRemoved: true }, callback: { route: 'POST /v1/facebook/deauthorize', status: 200, body: {} } } });
    expect(revoked).toMatchObject({ status: 401, body: { error: { code: 'session_revoked', reason: 'app_removed' } } });
    expect(again).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });
  });

  it('deletes the data and shows the status page, as JSON and as HTML', async () => {
    const steps = answersByStep(output);
    const [deletion, statusJson, statusHtml] = steps.get(9)!;
    expect(deletion).toMatchObject({ status: 200, body: { callback: { route: 'POST /v1/facebook/data-deletion', status: 200 } } });
    const { url, confirmation_code: code } = deletion!.body.callback.body;
    expect(url).toBe(`${stack.url}/v1/facebook/data-deletion/${code}`);
    expect(statusJson).toMatchObject({ status: 200, body: { confirmationCode: code, status: 'completed', deleted: { sessions: 2, userRecords: 2 } } });
    expect(statusHtml!.status).toBe(200);
    // Nothing left in the table names the person.
    const facebookUserId = steps.get(1)![0]!.body.id as string;
    expect(JSON.stringify(await stack.scanTable())).not.toContain(facebookUserId);
  });

  it('gets the status each step of the script promises in its comments', () => {
    const promised = [...walkthroughBlock(readFileSync(SCRIPT, 'utf8')).matchAll(/^# → (\d{3})/gm)].map((m) => Number(m[1]));
    const got = [...answersByStep(output).values()].flat().map((a) => a.status);
    expect(promised.length).toBeGreaterThan(10);
    expect(got).toEqual(promised);
  });

  it('is in the README word for word', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = walkthroughBlock(readFileSync(SCRIPT, 'utf8'));
    expect(block.length).toBeGreaterThan(1000);
    expect(readme).toContain(block);
  });
});
