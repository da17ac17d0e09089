import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig, sweepQueueEnv, sweepWorkerEnv } from '#commons/platform/config';

describe('sweep configuration', () => {
  it('has defaults for every pacing setting', () => {
    expect(readConfig(sweepWorkerEnv, {})).toEqual({
      SWEEP_PAGE_SIZE: 500,
      SWEEP_MAX_PAGES_PER_RUN: 40,
      SWEEP_BATCH_CONCURRENCY: 4,
      SWEEP_TIME_RESERVE_SECONDS: 30,
      SWEEP_SHARE_TARGET_SESSIONS: 2000,
      SWEEP_GRAPH_TIMEOUT_MS: 10_000,
      APP_USAGE_SLOWDOWN_PERCENT: 60,
      APP_USAGE_STOP_PERCENT: 80,
      MASS_REVOCATION_MAX_PERCENT: 20,
      MASS_REVOCATION_MIN_SESSIONS: 100,
      APP_USAGE_SLOWDOWN_PAUSE_MS: 2000,
      SWEEP_RETRY_BASE_SECONDS: 30,
      SWEEP_RETRY_MAX_SECONDS: 900,
    });
  });

  it('reads numbers from strings', () => {
    expect(readConfig(sweepWorkerEnv, { SWEEP_PAGE_SIZE: '200', APP_USAGE_STOP_PERCENT: '90' })).toMatchObject({ SWEEP_PAGE_SIZE: 200, APP_USAGE_STOP_PERCENT: 90 });
  });

  it.each([
    [{ SWEEP_PAGE_SIZE: '0' }, 'SWEEP_PAGE_SIZE'],
    [{ SWEEP_PAGE_SIZE: '5000' }, 'SWEEP_PAGE_SIZE'],
    [{ APP_USAGE_STOP_PERCENT: '120' }, 'APP_USAGE_STOP_PERCENT'],
    [{ APP_USAGE_SLOWDOWN_PERCENT: '90', APP_USAGE_STOP_PERCENT: '80' }, 'APP_USAGE_SLOWDOWN_PERCENT'],
    [{ SWEEP_BATCH_CONCURRENCY: 'many' }, 'SWEEP_BATCH_CONCURRENCY'],
    [{ SWEEP_RETRY_MAX_SECONDS: '50000' }, 'SWEEP_RETRY_MAX_SECONDS'],
    [{ SWEEP_RETRY_BASE_SECONDS: '600', SWEEP_RETRY_MAX_SECONDS: '300' }, 'SWEEP_RETRY_BASE_SECONDS'],
  ])('fails at cold start naming the bad variable (%j)', (env, name) => {
    expect(() => readConfig(sweepWorkerEnv, env)).toThrow(ConfigError);
    expect(() => readConfig(sweepWorkerEnv, env)).toThrow(name);
  });

  it('requires the queue URL', () => {
    expect(() => readConfig(sweepQueueEnv, {})).toThrow(/SWEEP_QUEUE_URL/);
    expect(readConfig(sweepQueueEnv, { SWEEP_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' }).SWEEP_QUEUE_URL).toBe('https://sqs.eu-west-1.amazonaws.com/1/q');
  });
});
