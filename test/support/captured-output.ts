/**
 * Everything this test process writes to stdout and stderr, kept in memory so a test can prove no
 * secret is logged (and that what should be logged is). The handlers' JSON log lines (platform/logger.ts,
 * at DEBUG in tests so every level is searched) stay in memory only: a run prints the runner's
 * summary and failures, not thousands of log lines. `SESSION_GUARD_TEST_LOGS=1` prints them too.
 *
 * Installed once per process, by `vitest.config.ts` (setupFiles) and by the test stack.
 */
const KEY = Symbol.for('session-guard.test.captured-output');

interface Capture {
  readonly chunks: string[];
}

export function installOutputCapture(): Capture {
  const holder = globalThis as { [KEY]?: Capture };
  if (holder[KEY]) return holder[KEY];
  const capture: Capture = { chunks: [] };
  holder[KEY] = capture;
  const echoLogs = process.env.SESSION_GUARD_TEST_LOGS === '1';
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      capture.chunks.push(text);
      if (!echoLogs && isJsonLogLine(text)) {
        // Still honour the callback a writer may pass, as a real write would.
        const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
        callback?.();
        return true;
      }
      return original(chunk, ...rest);
    }) as typeof stream.write;
  }
  return capture;
}

/** A JSON log line (platform/logger.ts), or an EMF metrics line (platform/emf.ts writes those to stdout too). */
function isJsonLogLine(text: string): boolean {
  return text.startsWith('{"level":"') || text.startsWith('{"_aws":');
}
