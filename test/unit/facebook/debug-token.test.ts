import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { DebugTokenClient } from '#commons/facebook/debug-token';
import { isTransientGraphError } from '#commons/facebook/graph-codes';
import {
  appSecretProof,
  GraphMisconfiguredError,
  GraphRequestError,
  GraphTransientError,
  HttpGraphTransport,
  type HttpGraphTransportOptions,
  parseAppUsage,
} from '#commons/facebook/graph-transport';
import { facebookFixture, fetchAnswering } from '#test/support/facebook-fixtures';

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

function transportWith(fetchImpl: typeof fetch, overrides: Partial<HttpGraphTransportOptions> = {}) {
  return new HttpGraphTransport({
    baseUrl: 'https://graph.example.test',
    version: 'v21.0',
    appId: APP_ID,
    appSecret: APP_SECRET,
    timeoutMs: 1000,
    fetch: fetchImpl,
    ...overrides,
  });
}

function clientWith(fetchImpl: typeof fetch, overrides: Partial<HttpGraphTransportOptions> = {}) {
  return new DebugTokenClient(transportWith(fetchImpl, overrides));
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

  it('sends the same app credentials on a batch POST, in the form', async () => {
    const fetchImpl = fakeFetch({ body: [] });
    await transportWith(fetchImpl).postForm('', { batch: '[]' }, 'app');
    const form = new URLSearchParams(String(fetchImpl.mock.calls[0]![1]?.body));
    expect(form.get('access_token')).toBe(`${APP_ID}|${APP_SECRET}`);
    expect(form.get('appsecret_proof')).toBe(createHmac('sha256', APP_SECRET).update(`${APP_ID}|${APP_SECRET}`).digest('hex'));
  });

  it('sends a token of the caller with its own appsecret_proof, and the client secret only when asked', async () => {
    const fetchImpl = fakeFetch({ body: {} });
    await transportWith(fetchImpl).get('me', { fields: 'id' }, { accessToken: INPUT_TOKEN });
    await transportWith(fetchImpl).get('oauth/access_token', { code: 'c' }, 'client_secret');
    const probe = new URL(String(fetchImpl.mock.calls[0]![0])).searchParams;
    expect(probe.get('access_token')).toBe(INPUT_TOKEN);
    expect(probe.get('appsecret_proof')).toBe(appSecretProof(APP_SECRET, INPUT_TOKEN));
    expect(probe.get('client_secret')).toBeNull();
    const exchange = new URL(String(fetchImpl.mock.calls[1]![0])).searchParams;
    expect(exchange.get('client_id')).toBe(APP_ID);
    expect(exchange.get('client_secret')).toBe(APP_SECRET);
    expect(exchange.get('access_token')).toBeNull();
  });
});

describe('debug_token answers, read as Facebook gives them', () => {
  it('reads a valid answer with every field', async () => {
    const answer = await clientWith(fakeFetch({ body: validData({ metadata: { auth_type: 'rerequest', sso: 'ios' } }) })).debugToken(INPUT_TOKEN);
    expect(answer).toEqual({
      kind: 'described',
      token: {
        isValid: true,
        appId: APP_ID,
        userId: '10150000000000001',
        type: 'USER',
        expiresAt: NOW_S + 60 * 86400,
        issuedAt: NOW_S - 3600,
        dataAccessExpiresAt: NOW_S + 90 * 86400,
        scopes: ['public_profile', 'email'],
        metadata: { auth_type: 'rerequest', sso: 'ios' },
      },
    });
  });

  it('keeps expires_at 0 (never expires) as 0', async () => {
    const answer = await clientWith(fakeFetch({ body: validData({ expires_at: 0 }) })).debugToken(INPUT_TOKEN);
    expect(answer.kind === 'described' && answer.token.expiresAt).toBe(0);
  });

  it('reads a captured public_profile-only user token: no granular_scopes, no issued_at, metadata kept', async () => {
    const fixture = facebookFixture('debug-token-user-public-profile');
    const answer = await clientWith(fetchAnswering(fixture)).debugToken(INPUT_TOKEN);
    expect(fixture.body.data.granular_scopes).toBeUndefined();
    expect(answer).toEqual({
      kind: 'described',
      token: { isValid: true, appId: '257422819769992', userId: '123', type: 'USER', expiresAt: 1668754800, dataAccessExpiresAt: 1676526788, scopes: ['public_profile'], metadata: { auth_type: 'rerequest' } },
    });
  });

  it('reads a captured dead token, taking the subcode from data.error.subcode', async () => {
    const answer = await clientWith(fetchAnswering(facebookFixture('debug-token-expired-463'))).debugToken(INPUT_TOKEN);
    expect(answer).toMatchObject({ kind: 'described', token: { isValid: false, appId: '257422819769992', userId: '123', error: { code: 190, subcode: 463 } } });
  });

  it('does not mistake the envelope-style error_subcode inside data.error for the subcode', async () => {
    const body = { data: { is_valid: false, error: { code: 190, message: 'x', error_subcode: 460 } } };
    const answer = await clientWith(fakeFetch({ body })).debugToken(INPUT_TOKEN);
    expect(answer).toMatchObject({ kind: 'described', token: { error: { code: 190 } } });
    expect(answer.kind === 'described' && answer.token.error?.subcode).toBeUndefined();
  });

  it('reads a captured garbage-token answer: is_valid false, no app_id or user_id', async () => {
    const answer = await clientWith(fetchAnswering(facebookFixture('debug-token-garbage'))).debugToken('garbage');
    expect(answer).toEqual({ kind: 'described', token: { isValid: false, scopes: [], metadata: {}, error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' } } });
  });

  it('reads the captured HTTP 400 code 100 "App_id in the input_token did not match the Viewing App" as wrong_app', async () => {
    await expect(clientWith(fetchAnswering(facebookFixture('debug-token-wrong-app'))).debugToken(INPUT_TOKEN)).resolves.toEqual({ kind: 'wrong_app' });
  });

  it('does not treat other code 100 errors as wrong_app: a bad appsecret_proof is our misconfiguration', async () => {
    const body = envelope({ code: 100, message: 'Invalid appsecret_proof provided in the API argument' });
    const error = await clientWith(fakeFetch({ status: 400, body })).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphMisconfiguredError);
    expect(error).toMatchObject({ status: 400, code: 100 });
  });

  it('raises GraphMisconfiguredError when Facebook rejects our app token with code 190', async () => {
    const body = envelope({ code: 190, message: 'Invalid OAuth access token signature.' });
    const error = await clientWith(fakeFetch({ status: 400, body })).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphMisconfiguredError);
    expect(error).toMatchObject({ status: 400, code: 190 });
  });

  it('raises GraphMisconfiguredError for the captured "You must provide an app access token" refusal', async () => {
    const error = await clientWith(fetchAnswering(facebookFixture('debug-token-not-an-app-token'))).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphMisconfiguredError);
    expect((error as GraphMisconfiguredError).what).toMatch(/app access token.*HTTP 400, code 100/);
  });

  it('raises GraphMisconfiguredError for the captured "Debug only access token" (our app token slot held a session-info token)', async () => {
    const error = await clientWith(fetchAnswering(facebookFixture('debug-token-debug-only'))).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphMisconfiguredError);
  });

  it('keeps error_subcode on the error', async () => {
    const body = envelope({ code: 190, error_subcode: 460, message: 'Error validating application.' });
    const error = await clientWith(fakeFetch({ status: 400, body })).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GraphMisconfiguredError', code: 190, subcode: 460 });
  });

  it('raises a plain GraphRequestError for a refusal it cannot place', async () => {
    const body = envelope({ code: 200, message: 'Permissions error' });
    const error = await clientWith(fakeFetch({ status: 403, body })).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).not.toBeInstanceOf(GraphMisconfiguredError);
  });
});

describe('probe: the candidate used as an access token', () => {
  it('calls GET /me with the candidate as access_token and its own appsecret_proof', async () => {
    const fetchImpl = fakeFetch({ body: { id: '123' } });
    await expect(clientWith(fetchImpl).probeAsAccessToken(INPUT_TOKEN)).resolves.toBe('user_token');
    const url = new URL(String(fetchImpl.mock.calls[0]![0]));
    expect(url.pathname).toBe('/v21.0/me');
    expect(url.searchParams.get('access_token')).toBe(INPUT_TOKEN);
    expect(url.searchParams.get('appsecret_proof')).toBe(appSecretProof(APP_SECRET, INPUT_TOKEN));
  });

  it('answers debug_only for the captured "Debug only access token" refusal (a session-info token)', async () => {
    await expect(clientWith(fetchAnswering(facebookFixture('debug-token-debug-only'))).probeAsAccessToken(INPUT_TOKEN)).resolves.toBe('debug_only');
  });

  it('raises GraphMisconfiguredError when Facebook refuses our appsecret_proof', async () => {
    const error = await clientWith(fetchAnswering(facebookFixture('graph-error-appsecret-proof-required'))).probeAsAccessToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphMisconfiguredError);
  });

  it('raises a GraphRequestError (not ours) for a captured expired-token refusal', async () => {
    const error = await clientWith(fetchAnswering(facebookFixture('graph-error-session-expired'))).probeAsAccessToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).not.toBeInstanceOf(GraphMisconfiguredError);
  });
});

describe('transient trouble', () => {
  it.each([2, 9, 341, 80000, 80007, 80014])('treats Graph error code %i as transient', async (code) => {
    const error = await transientFrom({ status: 400, body: envelope({ code, message: 'Please retry your request later.' }) });
    expect(error.code).toBe(code);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(300);
  });

  it.each([4, 17, 32, 613])('treats throttling code %i as transient with a longer retry-after', async (code) => {
    const throttled = await transientFrom({ status: 400, body: envelope({ code, message: 'Application request limit reached' }) });
    const plain = await transientFrom({ status: 400, body: envelope({ code: 2, message: 'Service temporarily unavailable' }) });
    expect(throttled.code).toBe(code);
    expect(throttled.retryAfterSeconds).toBeGreaterThan(plain.retryAfterSeconds);
  });

  it('treats code 1 as transient with HTTP 5xx or is_transient, never with HTTP 400', async () => {
    await transientFrom({ status: 500, body: envelope({ code: 1, message: 'An unknown error has occurred.' }) });
    await transientFrom({ status: 400, body: envelope({ code: 1, is_transient: true, message: 'An unknown error has occurred.' }) });
    const error = await clientWith(fakeFetch({ status: 400, body: envelope({ code: 1, message: 'An unknown error has occurred.' }) })).debugToken(INPUT_TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphMisconfiguredError);
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
    // It gave up because the timeout fired, not at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('app usage', () => {
  it('records the largest X-App-Usage figure in appUsagePercent', async () => {
    const transport = transportWith(
      fakeFetch({ body: validData(), headers: { 'x-app-usage': JSON.stringify({ call_count: 12, total_time: 47, total_cputime: 30 }) } }),
    );
    expect(transport.appUsagePercent).toBeUndefined();
    await new DebugTokenClient(transport).debugToken(INPUT_TOKEN);
    expect(transport.appUsagePercent).toBe(47);
  });

  it('records app usage from error answers too', async () => {
    const transport = transportWith(
      fakeFetch({ status: 400, body: envelope({ code: 4, message: 'limit' }), headers: { 'x-app-usage': '{"call_count":100,"total_time":3,"total_cputime":2}' } }),
    );
    await new DebugTokenClient(transport).debugToken(INPUT_TOKEN).catch(() => undefined);
    expect(transport.appUsagePercent).toBe(100);
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

describe('isTransientGraphError', () => {
  it('knows the retry-later codes and nothing else; code 1 only with HTTP 5xx or is_transient', () => {
    for (const code of [2, 4, 9, 17, 32, 341, 613, 80000, 80014]) expect(isTransientGraphError({ status: 400, code }), String(code)).toBe(true);
    for (const code of [1, 100, 102, 190, 200, 79999, 80015]) expect(isTransientGraphError({ status: 400, code }), String(code)).toBe(false);
    expect(isTransientGraphError({ status: 400 })).toBe(false);
    expect(isTransientGraphError({ status: 400, code: 190, isTransient: true })).toBe(true);
    expect(isTransientGraphError({ status: 500, code: 1 })).toBe(true);
    expect(isTransientGraphError({ status: 400, code: 1, isTransient: true })).toBe(true);
  });
});
