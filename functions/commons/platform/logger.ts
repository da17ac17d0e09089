import { lambdaTraceHeader } from './xray.ts';

/**
 * One structured logger for every function: a JSON object per line, in the shape Powertools Logger
 * writes (`level`, `message`, `timestamp`, `service`, `sampling_rate`, `xray_trace_id`, then the
 * invocation's keys, then the call's), read from the same settings (`POWERTOOLS_LOG_LEVEL`,
 * `POWERTOOLS_SERVICE_NAME`). The saved Logs Insights queries (infra/log-queries.ts) read these
 * fields, and test/unit/platform/observability-conformance.test.ts checks the lines against
 * Powertools Logger's own. Why not Powertools itself: it and its commons add ~22 KB and a few ms of
 * import to every bundle, for the five methods used here (docs/benchmarks.md).
 *
 * Never pass it an event, a header map, a token, a cookie or a secret: log ids, outcomes and
 * counts only.
 */
const LEVELS = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type LevelName = keyof typeof LEVELS;

/** What a log call may add: attributes merged into the line, or an error logged under `error`. */
export type LogExtra = Readonly<Record<string, unknown>> | Error;

export type LogWriter = (level: LevelName, line: string) => void;

/** Lambda sends stdout and stderr to the log group alike; warnings and errors go to stderr as Powertools sends them. */
const writeToStreams: LogWriter = (level, line) => {
  (LEVELS[level] >= LEVELS.WARN ? process.stderr : process.stdout).write(`${line}\n`);
};

function levelFrom(value: string | undefined): LevelName | undefined {
  const upper = value?.trim().toUpperCase();
  return upper !== undefined && upper in LEVELS ? (upper as LevelName) : undefined;
}

/**
 * The threshold: ours (`POWERTOOLS_LOG_LEVEL`, then `LOG_LEVEL`, then INFO), unless Lambda's own
 * log-level control (`AWS_LAMBDA_LOG_LEVEL`) is stricter: Lambda would drop those lines anyway.
 */
export function logLevelFrom(env: NodeJS.ProcessEnv): LevelName {
  const ours = levelFrom(env.POWERTOOLS_LOG_LEVEL) ?? levelFrom(env.LOG_LEVEL) ?? 'INFO';
  const lambdas = levelFrom(env.AWS_LAMBDA_LOG_LEVEL);
  return lambdas !== undefined && LEVELS[lambdas] > LEVELS[ours] ? lambdas : ours;
}

/** The `Root` of the X-Ray trace header Lambda sets per invocation, as Powertools logs it. */
function xrayTraceId(env: NodeJS.ProcessEnv): string | undefined {
  return lambdaTraceHeader(env)?.split(';').find((part) => part.startsWith('Root='))?.slice(5);
}

/** `file:line` of the frame that threw, as Powertools' `location`. */
function locationOf(stack: string | undefined): string {
  const frame = stack?.split('\n')[1];
  const match = frame && /\(?([^\s()]+):(\d+):\d+\)?$/.exec(frame);
  return match ? `${match[1]}:${match[2]}` : '';
}

function formatError(error: Error): Record<string, unknown> {
  const cause = (error as { cause?: unknown }).cause;
  return {
    name: error.name,
    location: locationOf(error.stack),
    message: error.message,
    stack: error.stack,
    ...(cause !== undefined ? { cause: cause instanceof Error ? formatError(cause) : cause } : {}),
  };
}

/** JSON that never throws: errors as objects, bigints as strings, a circular reference left out. */
function serialize(value: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item.toString();
    if (item instanceof Error) return formatError(item);
    if (typeof item === 'object' && item !== null) {
      if (seen.has(item)) return undefined;
      seen.add(item);
    }
    return item;
  });
}

export class Logger {
  readonly #serviceName: string;
  readonly #threshold: number;
  readonly #env: NodeJS.ProcessEnv;
  readonly #write: LogWriter;
  #invocationKeys: Record<string, unknown> = {};

  constructor(options: { serviceName: string; env?: NodeJS.ProcessEnv; write?: LogWriter }) {
    this.#serviceName = options.serviceName;
    this.#env = options.env ?? process.env;
    this.#threshold = LEVELS[logLevelFrom(this.#env)];
    this.#write = options.write ?? writeToStreams;
  }

  debug(message: string, ...extras: LogExtra[]): void {
    this.#log('DEBUG', message, extras);
  }

  info(message: string, ...extras: LogExtra[]): void {
    this.#log('INFO', message, extras);
  }

  warn(message: string, ...extras: LogExtra[]): void {
    this.#log('WARN', message, extras);
  }

  error(message: string, ...extras: LogExtra[]): void {
    this.#log('ERROR', message, extras);
  }

  /** Keys on every line until `resetKeys` (the request id and route, for one invocation). */
  appendKeys(keys: Readonly<Record<string, unknown>>): void {
    Object.assign(this.#invocationKeys, keys);
  }

  resetKeys(): void {
    this.#invocationKeys = {};
  }

  #log(level: LevelName, message: string, extras: readonly LogExtra[]): void {
    if (LEVELS[level] < this.#threshold) return;
    const line: Record<string, unknown> = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.#serviceName,
      sampling_rate: 0,
      xray_trace_id: xrayTraceId(this.#env),
      ...this.#invocationKeys,
    };
    for (const extra of extras) {
      if (extra instanceof Error) line.error = extra;
      else Object.assign(line, extra);
    }
    this.#write(level, serialize(line));
  }
}

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'session-guard' });
