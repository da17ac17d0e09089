import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

/**
 * X-Ray subsegments, sent to the X-Ray daemon as the AWS X-Ray SDK sends them inside Lambda: each
 * one is its own document (`type: "subsegment"`, `parent_id` the function's segment from Lambda's
 * trace header, `trace_id` its Root), sent over UDP after the protocol header line, when it closes.
 * Lambda owns the function's segment; we only add children to it, so there is no context to carry
 * between calls and no sampling decision of our own (Lambda's `Sampled` is the decision).
 *
 * test/integration/xray-conformance.test.ts runs the same DynamoDB call under the AWS X-Ray SDK
 * (through Powertools Tracer) and under this module and compares the documents and the trace
 * header DynamoDB receives; test/infra/bundle-tracing.test.ts checks the production bundles send
 * them. Why not the X-Ray SDK itself: ~80 KB and ~9 ms of import in every bundle
 * (docs/benchmarks.md), for the one thing used here.
 */
const PROTOCOL_HEADER = '{"format":"json","version":1}\n';

/**
 * This invocation's trace header: from the invocation store Lambda keeps per request (when it runs
 * several at once), else `_X_AMZN_TRACE_ID`, which Lambda sets anew for every invocation.
 */
export function lambdaTraceHeader(env: NodeJS.ProcessEnv): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId?: () => string | undefined } } }).awslambda?.InvokeStore;
  return store?.getXRayTraceId?.() ?? env._X_AMZN_TRACE_ID;
}

/** Lambda's trace header for one invocation (`Root=…;Parent=…;Sampled=1`, maybe `;Lineage=…`). */
export type TraceContext = { root: string; parent: string; sampled: boolean; extra: string[] };

/**
 * Reads a trace header. Without Root and Parent there is no segment to add to (Lambda sends only
 * Root when tracing is in pass-through mode): nothing to record.
 */
export function parseTraceHeader(header: string | undefined): TraceContext | undefined {
  if (!header) return undefined;
  const context: Partial<TraceContext> & { extra: string[] } = { extra: [] };
  for (const part of header.split(';')) {
    const [key, value] = part.split('=', 2) as [string, string | undefined];
    if (value === undefined) continue;
    if (key === 'Root') context.root = value;
    else if (key === 'Parent') context.parent = value;
    else if (key === 'Sampled') context.sampled = value === '1';
    else context.extra.push(`${key}=${value}`);
  }
  if (!context.root || !/^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(context.root) || !context.parent) return undefined;
  return { root: context.root, parent: context.parent, sampled: context.sampled === true, extra: context.extra };
}

/** `AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or `udp:host:port tcp:host:port` (Lambda sets it). */
export function daemonAddress(value: string | undefined): { host: string; port: number } {
  const udp = value?.split(' ').find((part) => part.startsWith('udp:'))?.slice(4) ?? value;
  const match = udp === undefined ? null : /^([^:\s]+):(\d+)$/.exec(udp.trim());
  return match ? { host: match[1]!, port: Number(match[2]) } : { host: '127.0.0.1', port: 2000 };
}

export type SegmentSender = (document: Readonly<Record<string, unknown>>) => void;

/**
 * One short-lived socket per document, closed once sent: a socket kept across invocations may be
 * frozen with the sandbox, which is why the X-Ray SDK turns its shared socket off in Lambda too.
 * A send that fails is dropped: tracing must never fail or slow a request.
 */
export function udpSender(address: { host: string; port: number }): SegmentSender {
  return (document) => {
    const message = Buffer.from(PROTOCOL_HEADER + JSON.stringify(document));
    const socket = createSocket('udp4');
    socket.on('error', () => socket.close());
    socket.send(message, address.port, address.host, () => socket.close());
  };
}

const seconds = () => Date.now() / 1000;

export class Subsegment {
  readonly id = randomBytes(8).toString('hex');
  readonly #trace: TraceContext;
  readonly #send: SegmentSender;
  readonly #document: Record<string, unknown>;
  #closed = false;

  constructor(name: string, trace: TraceContext, send: SegmentSender) {
    this.#trace = trace;
    this.#send = send;
    this.#document = { id: this.id, name, start_time: seconds(), type: 'subsegment', parent_id: trace.parent, trace_id: trace.root };
  }

  /** Indexed for trace search: strings, numbers and booleans only. */
  addAnnotation(key: string, value: string | number | boolean): void {
    ((this.#document.annotations ??= {}) as Record<string, unknown>)[key] = value;
  }

  /** A field of the document itself (`namespace`, `aws`, `http`). */
  set(field: 'namespace' | 'aws' | 'http', value: unknown): void {
    this.#document[field] = value;
  }

  /** X-Ray's flags from an HTTP status: 429 throttled (and an error), other 4xx an error, 5xx a fault. */
  flagStatus(status: number | undefined, throttled = false): void {
    if (throttled || status === 429) this.#document.throttle = true;
    if (throttled || (status !== undefined && status >= 400 && status < 500)) this.#document.error = true;
    else if (status !== undefined && status >= 500) this.#document.fault = true;
  }

  /** Records an exception by kind and message only (no stack: frames add bytes, not answers). */
  addError(error: Error, remote = false): void {
    if (this.#document.error !== true) this.#document.fault = true;
    const cause = (this.#document.cause ??= { exceptions: [] }) as { exceptions: unknown[] };
    cause.exceptions.push({ id: randomBytes(8).toString('hex'), message: error.message, type: error.name, remote });
  }

  /** The header a downstream AWS call carries, naming this subsegment as its parent. */
  traceHeader(): string {
    return [`Root=${this.#trace.root}`, `Parent=${this.id}`, `Sampled=${this.#trace.sampled ? 1 : 0}`, ...this.#trace.extra].join(';');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#document.end_time = seconds();
    if (this.#trace.sampled) this.#send(this.#document);
  }
}
