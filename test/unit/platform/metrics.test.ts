import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { count, countBy, countingFailures, countRevoked, flushMetrics, measure, METRICS_NAMESPACE, MetricName } from '#commons/platform/metrics';
import { fakeSink } from '#test/support/metrics-sink';

describe('metric names', () => {
  it('live in the SessionGuard namespace, each name once and equal to its key', () => {
    expect(METRICS_NAMESPACE).toBe('SessionGuard');
    for (const [key, name] of Object.entries(MetricName)) expect(name).toBe(key);
  });

  it('every metric is explained in docs/runbook.md', () => {
    const runbook = readFileSync('docs/runbook.md', 'utf8');
    expect(Object.values(MetricName).filter((name) => !runbook.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('helpers', () => {
  it('count adds to a stored total; countBy publishes one metric under its dimension at once', () => {
    const { sink, single } = fakeSink();
    count(MetricName.SignInRefused, 2, sink);
    expect(sink.addMetric).toHaveBeenCalledWith('SignInRefused', 'Count', 2);
    countBy(MetricName.SignInRefusedByCode, 'code', 'invalid_token', 1, sink);
    expect(single.addDimension).toHaveBeenCalledWith('code', 'invalid_token');
    expect(single.addMetric).toHaveBeenCalledWith('SignInRefusedByCode', 'Count', 1);
  });

  it('countRevoked adds to the total and to the reason, and publishes nothing for none', () => {
    const { sink, single } = fakeSink();
    countRevoked('offboarded', 3, sink);
    expect(sink.addMetric).toHaveBeenCalledWith('SessionsRevoked', 'Count', 3);
    expect(single.addDimension).toHaveBeenCalledWith('reason', 'offboarded');
    expect(single.addMetric).toHaveBeenCalledWith('SessionsRevokedByReason', 'Count', 3);
    const quiet = fakeSink();
    countRevoked('offboarded', 0, quiet.sink);
    expect(quiet.sink.addMetric).not.toHaveBeenCalled();
    expect(quiet.single.addMetric).not.toHaveBeenCalled();
  });

  it('measure keeps the unit', () => {
    const { sink } = fakeSink();
    measure(MetricName.GraphLatency, 'Milliseconds', 12.5, sink);
    expect(sink.addMetric).toHaveBeenCalledWith('GraphLatency', 'Milliseconds', 12.5);
  });

  it('flushMetrics publishes only when something was stored', () => {
    const { sink } = fakeSink();
    flushMetrics(sink);
    expect(sink.publishStoredMetrics).toHaveBeenCalledTimes(1);
    sink.hasStoredMetrics.mockReturnValue(false);
    flushMetrics(sink);
    expect(sink.publishStoredMetrics).toHaveBeenCalledTimes(1);
  });

  it('countingFailures counts a throw once and rethrows it; a success counts nothing', () => {
    const { sink } = fakeSink();
    expect(countingFailures(MetricName.SignedRequestsRefused, () => 'ok', sink)).toBe('ok');
    expect(sink.addMetric).not.toHaveBeenCalled();
    const failure = new Error('bad signature');
    expect(() => countingFailures(MetricName.SignedRequestsRefused, () => { throw failure; }, sink)).toThrow(failure);
    expect(sink.addMetric).toHaveBeenCalledWith('SignedRequestsRefused', 'Count', 1);
  });
});
