import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics, MetricUnit as PowertoolsUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmfMetrics, MetricUnit } from '#commons/platform/emf';
import { Logger } from '#commons/platform/logger';

/**
 * Our log lines (platform/logger.ts) and EMF documents (platform/emf.ts) next to what Powertools
 * Logger and Metrics write for the same calls: the saved Logs Insights queries, the dashboard and
 * the alarms were built on Powertools' shapes, and CloudWatch reads EMF by its specification, so
 * the two must not drift. Powertools stays a development dependency for this test only.
 */
const TRACE_ROOT = '1-67a1b2c3-0123456789abcdef01234567';

/** What `run` wrote to stdout and stderr, as parsed JSON lines with the stream each went to. */
function linesWrittenBy(run: () => void): { stream: 'stdout' | 'stderr'; value: Record<string, any> }[] {
  const written: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].write = ((chunk: unknown) => {
      written.push({ stream, text: String(chunk) });
      return true;
    }) as typeof process.stdout.write;
  }
  try {
    run();
  } finally {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
  }
  return written
    .flatMap(({ stream, text }) => text.split('\n').filter((line) => line.startsWith('{')).map((line) => ({ stream, line })))
    .map(({ stream, line }) => ({ stream, value: JSON.parse(line) as Record<string, any> }));
}

function withoutTimestamp(line: Record<string, any>): Record<string, any> {
  const { timestamp, ...rest } = line;
  expect(new Date(timestamp as string).toISOString()).toBe(timestamp);
  // Error locations name the file and line each logger was called from; both must have one.
  return JSON.parse(JSON.stringify(rest).replace(/"location":"[^"]+:\d+"/g, '"location":"file:line"').replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":"…"'));
}

let savedTraceId: string | undefined;
beforeEach(() => {
  savedTraceId = process.env._X_AMZN_TRACE_ID;
  process.env._X_AMZN_TRACE_ID = `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`;
});
afterEach(() => {
  if (savedTraceId === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = savedTraceId;
});

describe('log lines, next to Powertools Logger', () => {
  type AnyLogger = Pick<Logger, 'info' | 'warn' | 'error' | 'appendKeys' | 'resetKeys'>;
  const calls = (logger: AnyLogger) => {
    logger.appendKeys({ requestId: 'req-1', route: 'POST /v1/sessions' });
    logger.info('session created', { sessionId: 'ses_1', via: 'mobile' });
    logger.info('two objects', { a: 1 }, { b: 'two', big: 10n });
    logger.warn('PutEvents failed', { error: new Error('throttled') });
    logger.error('unexpected failure', new TypeError('bad input', { cause: new Error('root cause') }));
    logger.resetKeys();
    logger.info('after the invocation');
  };

  it('writes the same fields, values and streams for the same calls', () => {
    const env = { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' };
    const reference = linesWrittenBy(() => calls(new PowertoolsLogger({ serviceName: 'session-guard', logLevel: 'INFO' }) as unknown as AnyLogger));
    const ours = linesWrittenBy(() => calls(new Logger({ serviceName: 'session-guard', env })));
    expect(ours).toHaveLength(5);
    expect(ours.map(({ stream, value }) => ({ stream, value: withoutTimestamp(value) }))).toEqual(
      reference.map(({ stream, value }) => ({ stream, value: withoutTimestamp(value) })),
    );
    expect(ours[0]!.value).toMatchObject({ level: 'INFO', message: 'session created', service: 'session-guard', xray_trace_id: TRACE_ROOT, requestId: 'req-1', sessionId: 'ses_1' });
    expect(ours[3]!.value.error).toMatchObject({ name: 'TypeError', message: 'bad input', cause: { name: 'Error', message: 'root cause' } });
    expect(ours[4]!.value).not.toHaveProperty('requestId');
  });

  it('drops lines below the level POWERTOOLS_LOG_LEVEL sets, and Lambda’s stricter level wins', () => {
    const warnOnly = linesWrittenBy(() => calls(new Logger({ serviceName: 's', env: { POWERTOOLS_LOG_LEVEL: 'WARN' } })));
    expect(warnOnly.map(({ value }) => value.level)).toEqual(['WARN', 'ERROR']);
    const lambdaStricter = linesWrittenBy(() => calls(new Logger({ serviceName: 's', env: { POWERTOOLS_LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'ERROR' } })));
    expect(lambdaStricter.map(({ value }) => value.level)).toEqual(['ERROR']);
  });

  it('survives a circular attribute rather than throwing into the handler', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const [line] = linesWrittenBy(() => new Logger({ serviceName: 's', env: {} }).info('circular', { circular }));
    expect(line!.value.circular).toEqual({ name: 'loop' });
  });
});

describe('EMF documents, next to Powertools Metrics', () => {
  type AnyMetrics = Pick<EmfMetrics, 'addMetric' | 'addMetadata' | 'publishStoredMetrics' | 'singleMetric'>;
  const calls = (metrics: AnyMetrics, unit: typeof MetricUnit) => {
    metrics.addMetric('SessionsChecked', unit.Count, 3);
    metrics.addMetric('SessionsChecked', unit.Count, 2);
    metrics.addMetric('GraphLatency', unit.Milliseconds, 120);
    metrics.addMetadata('sweepId', 'swp_1');
    metrics.publishStoredMetrics();
    metrics.singleMetric().addDimension('reason', 'password_changed').addMetric('SessionsRevokedByReason', unit.Count, 4);
    for (let i = 0; i < 150; i++) metrics.addMetric('GraphLatency', unit.Milliseconds, i);
    metrics.publishStoredMetrics();
  };
  const withoutTimestamps = (lines: { value: Record<string, any> }[]) =>
    lines.map(({ value }) => {
      expect(Math.abs(value._aws.Timestamp - Date.now())).toBeLessThan(60_000);
      return { ...value, _aws: { ...value._aws, Timestamp: 'now' } };
    });

  it('writes the same documents for the same calls, splitting at 100 values as Powertools does', () => {
    const reference = linesWrittenBy(() => calls(new PowertoolsMetrics({ namespace: 'SessionGuard', serviceName: 'session-guard' }) as unknown as AnyMetrics, PowertoolsUnit as unknown as typeof MetricUnit));
    const ours = linesWrittenBy(() => calls(new EmfMetrics({ namespace: 'SessionGuard', serviceName: 'session-guard', env: {} }), MetricUnit));
    expect(ours.every(({ stream }) => stream === 'stdout')).toBe(true);
    expect(withoutTimestamps(ours)).toEqual(withoutTimestamps(reference));
    expect(ours).toHaveLength(4);
    expect(ours[0]!.value).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'SessionGuard', Dimensions: [['service']], Metrics: [{ Name: 'SessionsChecked', Unit: 'Count' }, { Name: 'GraphLatency', Unit: 'Milliseconds' }] }] },
      service: 'session-guard',
      sweepId: 'swp_1',
      SessionsChecked: [3, 2],
      GraphLatency: 120,
    });
    expect(ours[1]!.value).toMatchObject({ _aws: { CloudWatchMetrics: [{ Dimensions: [['service', 'reason']] }] }, reason: 'password_changed', SessionsRevokedByReason: 4 });
    expect(ours[2]!.value.GraphLatency).toHaveLength(100);
    expect(ours[3]!.value.GraphLatency).toHaveLength(50);
    expect(ours[2]!.value).not.toHaveProperty('sweepId');
  });

  it('writes nothing when nothing was stored, or when POWERTOOLS_METRICS_DISABLED is true', () => {
    expect(linesWrittenBy(() => new EmfMetrics({ namespace: 'N', serviceName: 's', env: {} }).publishStoredMetrics())).toEqual([]);
    const disabled = new EmfMetrics({ namespace: 'N', serviceName: 's', env: { POWERTOOLS_METRICS_DISABLED: 'true' } });
    expect(linesWrittenBy(() => calls(disabled, MetricUnit))).toEqual([]);
    expect(disabled.hasStoredMetrics()).toBe(false);
  });

  it('refuses one metric name with two units, which CloudWatch could not graph as one', () => {
    const metrics = new EmfMetrics({ namespace: 'N', serviceName: 's', env: {}, write: () => undefined });
    metrics.addMetric('GraphLatency', MetricUnit.Milliseconds, 1);
    expect(() => metrics.addMetric('GraphLatency', MetricUnit.Seconds, 1)).toThrow(TypeError);
  });
});
