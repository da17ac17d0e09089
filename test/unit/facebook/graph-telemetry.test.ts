import { describe, expect, it, vi } from 'vitest';
import { graphOperation, instrumentGraphFetch, refusesOurCredentials } from '#commons/facebook/graph-telemetry';
import { fakeSink } from '#test/support/metrics-sink';

const SECRET_URL = 'https://graph.facebook.com/v21.0/debug_token?input_token=EAAsecretToken&access_token=123|appsecret&appsecret_proof=abc';

function answering(status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

describe('Graph telemetry', () => {
  it('measures latency and X-App-Usage of an answered call, and counts no error', async () => {
    const { sink } = fakeSink();
    const fetchImpl = instrumentGraphFetch(answering(200, { data: { is_valid: true } }, { 'x-app-usage': '{"call_count":42,"total_time":7,"total_cputime":3}' }), sink);
    const response = await fetchImpl(SECRET_URL);
    expect(await response.json()).toEqual({ data: { is_valid: true } });
    const names = sink.addMetric.mock.calls.map(([name]) => name);
    expect(names.sort()).toEqual(['GraphAppUsagePercent', 'GraphLatency']);
    expect(sink.addMetric).toHaveBeenCalledWith('GraphAppUsagePercent', 'Percent', 42);
  });

  it('counts a refused call by Facebook error code, and still hands the body to the client', async () => {
    const { sink, single } = fakeSink();
    const fetchImpl = instrumentGraphFetch(answering(400, { error: { code: 613, message: 'Calls to this api have exceeded the rate limit.' } }), sink);
    const response = await fetchImpl(SECRET_URL);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(613);
    expect(sink.addMetric).toHaveBeenCalledWith('GraphErrors', 'Count', 1);
    expect(single.addDimension).toHaveBeenCalledWith('code', '613');
    expect(sink.addMetric).not.toHaveBeenCalledWith('Misconfigured', 'Count', 1);
  });

  it('counts Misconfigured when Facebook refuses our app token', async () => {
    const { sink } = fakeSink();
    await instrumentGraphFetch(answering(400, { error: { code: 190, message: 'Invalid OAuth access token signature.' } }), sink)(SECRET_URL);
    expect(sink.addMetric).toHaveBeenCalledWith('Misconfigured', 'Count', 1);
  });

  it('counts timeouts and network failures, and rethrows them', async () => {
    const { sink, single } = fakeSink();
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    await expect(instrumentGraphFetch(async () => { throw timeout; }, sink)(SECRET_URL)).rejects.toBe(timeout);
    await expect(instrumentGraphFetch(async () => { throw new TypeError('fetch failed'); }, sink)(SECRET_URL)).rejects.toThrow(TypeError);
    expect(single.addDimension.mock.calls).toEqual([['code', 'timeout'], ['code', 'network']]);
  });

  it('never records or logs the URL, its tokens or our app secret', async () => {
    const { sink, single } = fakeSink();
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await instrumentGraphFetch(answering(400, { error: { code: 1 } }), sink)(SECRET_URL);
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('')).toContain('"graph call"');
    const recorded = JSON.stringify([lines, sink.addMetric.mock.calls, sink.addMetadata.mock.calls, single.addDimension.mock.calls, single.addMetric.mock.calls]);
    for (const secret of ['EAAsecretToken', 'appsecret', 'appsecret_proof', 'input_token']) expect(recorded).not.toContain(secret);
  });
});

describe('graphOperation', () => {
  it.each([
    [SECRET_URL, 'debug_token'],
    ['https://graph.facebook.com/', 'batch'],
    ['https://graph.facebook.com/v21.0/oauth/access_token?code=x', 'oauth/access_token'],
    ['https://graph.facebook.com/v21.0/1234567/permissions', '{id}/permissions'],
    ['not a url', 'unknown'],
  ])('%s → %s', (url, operation) => {
    expect(graphOperation(url)).toBe(operation);
  });
});

describe('refusesOurCredentials', () => {
  it('is true only for answers about our own app credentials', () => {
    expect(refusesOurCredentials('oauth/access_token', 400, 1)).toBe(true);
    expect(refusesOurCredentials('debug_token', 400, 1)).toBe(false);
    expect(refusesOurCredentials('debug_token', 400, 190)).toBe(true);
    expect(refusesOurCredentials('me', 400, 190)).toBe(false);
    expect(refusesOurCredentials('oauth/access_token', 400, 191)).toBe(true);
    expect(refusesOurCredentials('debug_token', 500, 190)).toBe(false);
    expect(refusesOurCredentials('debug_token', 400, 4)).toBe(false);
  });
});
