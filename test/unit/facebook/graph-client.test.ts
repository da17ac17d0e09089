import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  appSecretProof,
  GraphClient,
  type GraphClientOptions,
  GraphRequestError,
  GraphTransientError,
  isTransientGraphCode,
  parseAppUsage,
} from '#commons/facebook/graph-client';

const APP_ID = '1234567890123456';
const APP_SECRET = '0123456789abcdef0123456789abcdef';
const INPUT_TOKEN = 'EAAGsessionInfo|token.with-odd_chars';
const NOW_S = 1_736_942_400;

type FakeAnswer = { status?: number; body?: unknown; rawBody?: string; headers?: Record<string, string> };

/** A fetch that records requests and answers with `answer` (or runs it, for custom behaviour). */
function fakeFetch(answer: FakeAnswer | ((url: string, init: RequestInit) => Promise<Response>)) {
  return vi.fn(async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (typeof answer === 'function') return answer(String(input), init ?? {});
    const text = answer.rawBody ?? JSON.stringify(answer.body ?? {});
    return new Response(text, { status: answer.status ?? 200, headers: { 'content-type': 'application/json', ...answer.headers } });
  });
}

function clientWith(fetchImpl: typeof fetch, overrides: Partial<GraphClientOptions> = {}) {
  return new GraphClient({
    baseUrl: 'https://graph.example.test',
    version: 'v21.0',
    appId: APP_ID,
    appSecret: APP_SECRET,
    timeoutMs: 1000,
    fetch: fetchImpl,
    ...overrides,
  });
}

const validData = (overrides: Record<string, unknown> = {}) => ({
  data: {
    app_id: APP_ID,
    type: 'USER',
    application: 'Session Guard Test',
    data_access_expires_at: NOW_S + 90 * 86400,
    expires_at: NOW_S + 60 * 86400,
    is_valid: true,
    issued_at: NOW_S - 3600,
    scopes: ['public_profile', 'email'],
    user_id: '10150000000000001',
    ...overrides,
  },
});

const envelope = (error: Record<string, unknown>) => ({ error: { message: 'An error', type: 'OAuthException', fbtrace_id: 'Atrace', ...error } });

async function transientFrom(answer: FakeAnswer): Promise<GraphTransientError> {
  const error = await clientWith(fakeFetch(answer)).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GraphTransientError);
  return error as GraphTransientError;
}

describe('debug_token request', () => {
  it('calls {base}/{version}/debug_token with input_token, the app token and its appsecret_proof', async () => {
    const fetchImpl = fakeFetch({ body: validData() });
    await clientWith(fetchImpl, { baseUrl: 'https://graph.example.test/' }).debugToken(INPUT_TOKEN);

    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [url, init] = fetchImpl.mock.calls[0]!;
    const parsed = new URL(String(url));
    expect(`${parsed.origin}${parsed.pathname}`).toBe('https://graph.example.test/v21.0/debug_token');
    expect(parsed.searchParams.get('input_token')).toBe(INPUT_TOKEN);
    expect(parsed.searchParams.get('access_token')).toBe(`${APP_ID}|${APP_SECRET}`);
    const expectedProof = createHmac('sha256', APP_SECRET).update(`${APP_ID}|${APP_SECRET}`).digest('hex');
    expect(parsed.searchParams.get('appsecret_proof')).toBe(expectedProof);
    expect([...parsed.searchParams.keys()].sort()).toEqual(['access_token', 'appsecret_proof', 'input_token']);
    expect(init?.method).toBe('GET');
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('computes appsecret_proof as hex HMAC-SHA256 keyed by the app secret', () => {
    expect(appSecretProof('key', 'message')).toBe(createHmac('sha256', 'key').update('message').digest('hex'));
    expect(appSecretProof('key', 'message')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('exposes the same credentials for other app calls', () => {
    const client = clientWith(fakeFetch({}));
    expect(client.appCredentials()).toEqual({
      access_token: `${APP_ID}|${APP_SECRET}`,
      appsecret_proof: createHmac('sha256', APP_SECRET).update(`${APP_ID}|${APP_SECRET}`).digest('hex'),
    });
  });
});

describe('debug_token verdicts', () => {
  it('maps a valid answer to a valid verdict with every field', async () => {
    const verdict = await clientWith(fakeFetch({ body: validData({ metadata: { auth_type: 'rerequest', sso: 'ios' } }) })).debugToken(INPUT_TOKEN);
    expect(verdict).toEqual({
      status: 'valid',
      token: {
        appId: APP_ID,
        userId: '10150000000000001',
        type: 'USER',
        expiresAt: NOW_S + 60 * 86400,
        issuedAt: NOW_S - 3600,
        dataAccessExpiresAt: NOW_S + 90 * 86400,
        scopes: ['public_profile', 'email'],
        metadata: { auth_type: 'rerequest', sso: 'ios' },
        grantsDataAccess: false,
      },
    });
  });

  it('keeps expires_at 0 (never expires) as 0', async () => {
    const verdict = await clientWith(fakeFetch({ body: validData({ expires_at: 0 }) })).debugToken(INPUT_TOKEN);
    expect(verdict.status === 'valid' && verdict.token.expiresAt).toBe(0);
  });

  it('marks a token that comes with granular_scopes as granting data access', async () => {
    const body = validData({ granular_scopes: [{ scope: 'email' }, { scope: 'public_profile' }] });
    const verdict = await clientWith(fakeFetch({ body })).debugToken(INPUT_TOKEN);
    expect(verdict.status === 'valid' && verdict.token.grantsDataAccess).toBe(true);
  });

  it('reports a dead token from a 200 answer, reading the subcode from data.error.subcode', async () => {
    const body = {
      data: {
        app_id: APP_ID,
        type: 'USER',
        is_valid: false,
        expires_at: NOW_S - 10,
        user_id: '10150000000000001',
        error: { code: 190, message: 'Error validating access token: Session has expired', subcode: 463 },
      },
    };
    await expect(clientWith(fakeFetch({ body })).debugToken(INPUT_TOKEN)).resolves.toEqual({
      status: 'dead',
      code: 190,
      subcode: 463,
      message: 'Error validating access token: Session has expired',
    });
  });

  it('does not mistake the envelope-style error_subcode inside data.error for the subcode', async () => {
    const body = { data: { is_valid: false, error: { code: 190, message: 'x', error_subcode: 460 } } };
    const verdict = await clientWith(fakeFetch({ body })).debugToken(INPUT_TOKEN);
    expect(verdict).toMatchObject({ status: 'dead', code: 190 });
    expect(verdict.status === 'dead' && verdict.subcode).toBeUndefined();
  });

  it('reports a garbage token (no app_id or user_id, is_valid false) as dead', async () => {
    const body = { data: { is_valid: false, error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }, scopes: [] } };
    await expect(clientWith(fakeFetch({ body })).debugToken('garbage')).resolves.toMatchObject({ status: 'dead', code: 190 });
  });

  it('reports a "valid" answer that lacks user_id as dead rather than trusting it', async () => {
    const body = validData({ user_id: undefined });
    await expect(clientWith(fakeFetch({ body })).debugToken(INPUT_TOKEN)).resolves.toMatchObject({ status: 'dead' });
  });

  it('reports HTTP 400 code 100 "App_id in the input_token did not match the Viewing App" as wrong_app', async () => {
    const body = envelope({ code: 100, message: '(#100) The App_id in the input_token did not match the Viewing App' });
    await expect(clientWith(fakeFetch({ status: 400, body })).debugToken(INPUT_TOKEN)).resolves.toEqual({ status: 'wrong_app' });
  });

  it('reports a 200 answer describing another app\'s token as wrong_app', async () => {
    const body = validData({ app_id: '999999999999' });
    await expect(clientWith(fakeFetch({ body })).debugToken(INPUT_TOKEN)).resolves.toEqual({ status: 'wrong_app' });
  });

  it('does not treat other code 100 errors as wrong_app', async () => {
    const body = envelope({ code: 100, message: 'Invalid appsecret_proof provided in the API argument' });
    const error = await clientWith(fakeFetch({ status: 400, body })).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status: 400, code: 100 });
  });

  it('raises GraphRequestError when Facebook rejects our app token with code 190', async () => {
    const body = envelope({ code: 190, message: 'Invalid OAuth access token signature.' });
    const error = await clientWith(fakeFetch({ status: 400, body })).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status: 400, code: 190 });
  });

  it('raises GraphRequestError for "Debug only access token" (a misrouted session-info token)', async () => {
    const body = envelope({ code: 190, message: 'Debug only access token' });
    const error = await clientWith(fakeFetch({ status: 400, body })).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
  });

  it('keeps error_subcode on a GraphRequestError', async () => {
    const body = envelope({ code: 190, error_subcode: 460, message: 'Error validating application.' });
    const error = await clientWith(fakeFetch({ status: 400, body })).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GraphRequestError', code: 190, subcode: 460 });
  });
});

describe('transient trouble', () => {
  it.each([1, 2, 9, 341, 80000, 80007, 80014])('treats Graph error code %i as transient', async (code) => {
    const error = await transientFrom({ status: 400, body: envelope({ code, message: 'Please retry your request later.' }) });
    expect(error.code).toBe(code);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });

  it.each([4, 17, 32, 613])('treats throttling code %i as transient with a longer retry-after', async (code) => {
    const throttled = await transientFrom({ status: 400, body: envelope({ code, message: 'Application request limit reached' }) });
    const plain = await transientFrom({ status: 400, body: envelope({ code: 2, message: 'Service temporarily unavailable' }) });
    expect(throttled.code).toBe(code);
    expect(throttled.retryAfterSeconds).toBeGreaterThan(plain.retryAfterSeconds);
  });

  it('treats an error flagged is_transient: true as transient whatever its code', async () => {
    await transientFrom({ status: 400, body: envelope({ code: 190, is_transient: true, message: 'Temporary problem' }) });
  });

  it.each([500, 503])('treats HTTP %i with a Graph error envelope as transient', async (status) => {
    await transientFrom({ status, body: envelope({ code: 100, message: 'Unknown' }) });
  });

  it.each([500, 503])('treats HTTP %i with an HTML body as transient', async (status) => {
    await transientFrom({ status, rawBody: '<html>Service Unavailable</html>' });
  });

  it('treats a 200 answer that is not JSON as transient', async () => {
    await transientFrom({ status: 200, rawBody: 'not json' });
  });

  it('treats a 200 answer with a malformed data shape as transient, never as a verdict', async () => {
    await transientFrom({ status: 200, body: { data: { is_valid: 'yes', app_id: APP_ID } } });
    await transientFrom({ status: 200, body: { something: 'else' } });
    await transientFrom({ status: 200, body: [] });
  });

  it('treats a non-200 answer without an error envelope as transient', async () => {
    await transientFrom({ status: 400, body: { unexpected: true } });
  });

  it('treats a fetch that throws (network failure) as transient, keeping the cause', async () => {
    const networkError = new TypeError('fetch failed');
    const fetchImpl = vi.fn(async () => {
      throw networkError;
    });
    const error = await clientWith(fetchImpl).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphTransientError);
    expect((error as Error).cause).toBe(networkError);
  });

  it('gives up after timeoutMs through the abort signal and reports it as transient', async () => {
    const hangingFetch = fakeFetch(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    const started = Date.now();
    const error = await clientWith(hangingFetch, { timeoutMs: 30 }).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphTransientError);
    expect((error as Error).message).toMatch(/in time/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('app usage', () => {
  it('records the largest X-App-Usage figure in appUsagePercent', async () => {
    const client = clientWith(
      fakeFetch({ body: validData(), headers: { 'x-app-usage': JSON.stringify({ call_count: 12, total_time: 47, total_cputime: 30 }) } }),
    );
    expect(client.appUsagePercent).toBeUndefined();
    await client.debugToken(INPUT_TOKEN);
    expect(client.appUsagePercent).toBe(47);
  });

  it('records app usage from error answers too', async () => {
    const client = clientWith(
      fakeFetch({ status: 400, body: envelope({ code: 4, message: 'limit' }), headers: { 'x-app-usage': '{"call_count":100,"total_time":3,"total_cputime":2}' } }),
    );
    await client.debugToken(INPUT_TOKEN).catch(() => undefined);
    expect(client.appUsagePercent).toBe(100);
  });

  it('parses X-App-Usage defensively', () => {
    expect(parseAppUsage('{"call_count":5,"total_time":9,"total_cputime":7}')).toBe(9);
    expect(parseAppUsage('{"call_count":5}')).toBe(5);
    expect(parseAppUsage('{}')).toBeUndefined();
    expect(parseAppUsage('not json')).toBeUndefined();
    expect(parseAppUsage(null)).toBeUndefined();
    expect(parseAppUsage(undefined)).toBeUndefined();
  });
});

describe('isTransientGraphCode', () => {
  it('knows the retry-later codes and nothing else', () => {
    for (const code of [1, 2, 4, 9, 17, 32, 341, 613, 80000, 80014]) expect(isTransientGraphCode(code), String(code)).toBe(true);
    for (const code of [100, 102, 190, 200, 79999, 80015]) expect(isTransientGraphCode(code), String(code)).toBe(false);
    expect(isTransientGraphCode(undefined)).toBe(false);
    expect(isTransientGraphCode(190, true)).toBe(true);
  });
});
