import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

/** `npm start` as a newcomer runs it: one command, everything up, a token to try printed. */
let child: ChildProcess | undefined;

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function printedUrl(output: string, part: string): string {
  const url = new RegExp(`${part} +(http://127\\.0\\.0\\.1:(\\d+))`).exec(output);
  expect(url, `${part} with its address in the output`).not.toBeNull();
  expect(Number(url![2])).toBeGreaterThan(0);
  return url![1]!;
}

afterAll(() => {
  if (child?.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
});

describe('npm start', () => {
  it('starts DynamoDB Local, both emulators and the API, prints how to try it, and serves', async () => {
    // Port 0: the servers bind free ports themselves, and the test reads them from what is printed.
    child = spawn('npm', ['start', '--silent'], {
      env: { ...process.env, PORT: '0', GRAPH_EMULATOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the test can press Ctrl-C the way a terminal does.
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Press Ctrl-C to stop.') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toContain('Press Ctrl-C to stop.');
    for (const part of ['DynamoDB Local', 'KMS emulator', 'Graph API emulator', 'DynamoDB table', 'Session Guard API']) {
      expect(output).toContain(part);
    }
    const api = printedUrl(output, 'Session Guard API');
    const graph = printedUrl(output, 'Graph API emulator');
    expect(output).toContain(`${graph}/_emulator/users`);

    expect(await (await fetch(`${api}/v1/health`)).json()).toEqual({ status: 'ok' });
    const user = (await (
      await fetch(`${graph}/_emulator/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada"}' })
    ).json()) as { id: string };
    const { token } = (await (await fetch(`${graph}/_emulator/users/${user.id}/session-info-token`, { method: 'POST' })).json()) as {
      token: string;
    };
    const signIn = await fetch(`${api}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionInfoToken: token }) });
    expect(signIn.status).toBe(201);
  }, 90_000);

  it('stops everything it started on Ctrl-C', async () => {
    const pid = child?.pid;
    expect(pid).toBeDefined();
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    process.kill(-pid!, 'SIGINT');
    await exited;
    // No process of the group (the Java DynamoDB Local included) outlives it.
    const deadline = Date.now() + 10_000;
    while (groupAlive(pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(groupAlive(pid!)).toBe(false);
  }, 30_000);
});
