import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { GraphBatchChecker, MAX_GRAPH_BATCH_SIZE } from '#commons/facebook/graph-batch';
import { DebugTokenClient } from '#commons/facebook/debug-token';
import { GraphMisconfiguredError, GraphRequestError, GraphTransientError, HttpGraphTransport } from '#commons/facebook/graph-transport';
import { facebookFixture } from '#test/support/facebook-fixtures';

const APP_ID = '1234567890123456';
const APP_SECRET = '0123456789abcdef0123456789abcdef';
const APP_TOKEN = `${APP_ID}|${APP_SECRET}`;
const PROOF = createHmac('sha256', APP_SECRET).update(APP_TOKEN).digest('hex');

const valid = (userId = '101') => ({ data: { app_id: APP_ID, type: 'USER', is_valid: true, expires_at: 0, issued_at: 1, user_id: userId, scopes: [] } });
const dead = (subcode?: number) => ({ data: { app_id: APP_ID, type: 'USER', is_valid: false, error: { code: 190, message: 'dead', ...(subcode ? { subcode } : {}) } } });
const envelope = (error: Record<string, unknown>) => ({ error: { message: 'An error', type: 'OAuthException', fbtrace_id: 'A', ...error } });
const item = (code: number, body: unknown) => ({ code, body: JSON.stringify(body) });

type Answer = { status?: number; body?: unknown; rawBody?: string; headers?: Record<string, string> } | Error;

/**
 * A fake Graph: batch POSTs are answered by `onBatch(tokens)`, single debug_token GETs by
 * `onSingle(token)`. Records every request.
 */
function fakeGraph(handlers: { onBatch?: (tokens: string[]) => Answer; onSingle?: (token: string) => Answer }) {
  const requests: { method: string; url: URL; form?: URLSearchParams }[] = [];
  const fetchImpl = vi.fn(async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    let answer: Answer;
    if (method === 'POST') {
      const form = new URLSearchParams(String(init?.body));
      requests.push({ method, url, form });
      const batch = JSON.parse(form.get('batch')!) as { relative_url: string }[];
      const tokens = batch.map((b) => new URLSearchParams(b.relative_url.split('?')[1]).get('input_token')!);
      answer = handlers.onBatch?.(tokens) ?? { body: tokens.map(() => item(200, valid())) };
    } else {
      requests.push({ method, url });
      answer = handlers.onSingle?.(url.searchParams.get('input_token')!) ?? { body: valid() };
    }
    if (answer instanceof Error) throw answer;
    const text = answer.rawBody ?? JSON.stringify(answer.body ?? {});
    return new Response(text, { status: answer.status ?? 200, headers: { 'content-type': 'application/json', ...answer.headers } });
  });
  const transport = new HttpGraphTransport({ baseUrl: 'https://graph.example.test', version: 'v21.0', appId: APP_ID, appSecret: APP_SECRET, timeoutMs: 1000, fetch: fetchImpl });
  const single = new DebugTokenClient(transport);
  return { checker: new GraphBatchChecker(transport, single), requests, transport, single };
}

const tokens = (n: number) => Array.from({ length: n }, (_, i) => `EAAtoken${i}`);

describe('batched debug_token', () => {
  it('sends one POST to /{version}/ with the app token, appsecret_proof, include_headers=false and up to 50 debug_token items', async () => {
    const { checker, requests } = fakeGraph({});
    await checker.debugTokens(tokens(3));
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe('POST');
    expect(`${request!.url.origin}${request!.url.pathname}`).toBe('https://graph.example.test/v21.0/');
    expect(Object.fromEntries(request!.form!)).toEqual({
      access_token: APP_TOKEN,
      appsecret_proof: PROOF,
      include_headers: 'false',
      batch: JSON.stringify(tokens(3).map((t) => ({ method: 'GET', relative_url: `debug_token?input_token=${t}` }))),
    });
  });

  it('url-encodes tokens inside relative_url', async () => {
    const { checker, requests } = fakeGraph({});
    await checker.debugTokens(['a|b&c=d']);
    const batch = JSON.parse(requests[0]!.form!.get('batch')!) as { relative_url: string }[];
    expect(batch[0]!.relative_url).toBe('debug_token?input_token=a%7Cb%26c%3Dd');
  });

  it('splits 120 tokens into batches of 50, 50 and 20 and keeps outcomes in input order', async () => {
    const { checker, requests } = fakeGraph({ onBatch: (ts) => ({ body: ts.map((t) => item(200, valid(t))) }) });
    const outcomes = await checker.debugTokens(tokens(120));
    expect(requests.map((r) => (JSON.parse(r.form!.get('batch')!) as unknown[]).length)).toEqual([50, 50, 20]);
    expect(outcomes.map((o) => (o as { token: { userId: string } }).token.userId)).toEqual(tokens(120));
    expect(MAX_GRAPH_BATCH_SIZE).toBe(50);
  });

  it('reads each item through the debug_token reader: valid, dead with subcode, wrong app', async () => {
    const { checker } = fakeGraph({
      onBatch: () => ({
        body: [
          item(200, valid()),
          item(200, dead(460)),
          item(400, envelope({ code: 100, message: '(#100) The App_id in the input_token did not match the Viewing App' })),
        ],
      }),
    });
    const outcomes = await checker.debugTokens(tokens(3));
    expect(outcomes[0]).toMatchObject({ kind: 'described', token: { isValid: true } });
    expect(outcomes[1]).toMatchObject({ kind: 'described', token: { isValid: false, error: { code: 190, subcode: 460, message: 'dead' } } });
    expect(outcomes[2]).toEqual({ kind: 'wrong_app' });
  });

  it.each([
    ['a transient error code (item code 4)', item(400, envelope({ code: 4, is_transient: true }))],
    ['an HTTP 500 item', item(500, envelope({ code: 2 }))],
    ['a null item (Facebook did not run it)', null],
    ['an item whose body is not JSON', { code: 200, body: '<html>' }],
    ['an item of the wrong shape', { code: 200 }],
    ['a 200 item that is not a debug_token answer', item(200, { data: [] })],
  ])('defers only the item that failed with %s', async (_label, failing) => {
    const { checker, requests } = fakeGraph({ onBatch: () => ({ body: [item(200, valid()), failing, item(200, dead(467))] }) });
    const outcomes = await checker.debugTokens(tokens(3));
    expect(outcomes[0]).toMatchObject({ kind: 'described', token: { isValid: true } });
    expect(outcomes[1]).toBeInstanceOf(GraphTransientError);
    expect(outcomes[2]).toMatchObject({ kind: 'described', token: { error: { subcode: 467 } } });
    expect(requests).toHaveLength(1);
  });

  it('retries an item refused for a non-transient reason as a single call', async () => {
    const { checker, requests } = fakeGraph({
      onBatch: () => ({ body: [item(200, valid()), item(400, envelope({ code: 100, message: 'Unsupported get request' }))] }),
      onSingle: () => ({ body: dead(458) }),
    });
    const outcomes = await checker.debugTokens(tokens(2));
    expect(outcomes[1]).toMatchObject({ kind: 'described', token: { error: { subcode: 458 } } });
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(requests[1]!.url.searchParams.get('input_token')).toBe('EAAtoken1');
    expect(requests[1]!.url.searchParams.get('appsecret_proof')).toBe(PROOF);
  });

  it.each([
    ['too many items', envelope({ code: 100, message: '(#100) Too many requests in batch message' })],
    ['our app token refused', envelope({ code: 190, message: 'Invalid OAuth access token signature.' })],
    ['our appsecret_proof refused', envelope({ code: 100, type: 'GraphMethodException', message: 'Invalid appsecret_proof provided in the API argument' })],
    ['a code 1 with HTTP 400', envelope({ code: 1, message: 'An unknown error has occurred.' })],
  ])('does not fall back to 50 single calls when the whole batch is refused for a non-transient reason (%s)', async (_label, body) => {
    const { checker, requests } = fakeGraph({ onBatch: () => ({ status: 400, body }), onSingle: () => ({ body: dead(463) }) });
    const outcomes = await checker.debugTokens(tokens(3));
    expect(outcomes.every((o) => o instanceof GraphMisconfiguredError)).toBe(true);
    expect(requests.filter((r) => r.method === 'GET')).toHaveLength(0);
  });

  it('answers GraphRequestError for a token that the single call refuses too', async () => {
    const { checker } = fakeGraph({
      onBatch: () => ({ body: [item(403, envelope({ code: 200, message: 'Permissions error' })), item(200, valid())] }),
      onSingle: () => ({ status: 403, body: envelope({ code: 200, message: 'Permissions error' }) }),
    });
    const outcomes = await checker.debugTokens(tokens(2));
    expect(outcomes[0]).toBeInstanceOf(GraphRequestError);
    expect(outcomes[1]).toMatchObject({ kind: 'described' });
  });

  it('does not retry items refused for our credentials or another app: they are our configuration', async () => {
    const wrongApp = facebookFixture('debug-token-wrong-app').body;
    const { checker, requests } = fakeGraph({
      onBatch: () => ({ body: [item(400, wrongApp), item(400, envelope({ code: 100, message: 'Invalid appsecret_proof provided in the API argument' }))] }),
    });
    const outcomes = await checker.debugTokens(tokens(2));
    expect(outcomes[0]).toEqual({ kind: 'wrong_app' });
    expect(outcomes[1]).toBeInstanceOf(GraphMisconfiguredError);
    expect(requests).toHaveLength(1);
  });

  it('reads a batch answer built from captured items, with a null item, in request order', async () => {
    const fixture = facebookFixture('batch-mixed-with-null');
    const { checker, requests } = fakeGraph({ onBatch: () => ({ status: fixture.status, body: fixture.body }) });
    const outcomes = await checker.debugTokens(tokens(4));
    expect(outcomes[0]).toMatchObject({ kind: 'described', token: { isValid: true, userId: '123' } });
    expect(outcomes[1]).toMatchObject({ kind: 'described', token: { isValid: false, error: { code: 190, subcode: 463 } } });
    expect(outcomes[2]).toBeInstanceOf(GraphTransientError);
    expect(outcomes[3]).toEqual({ kind: 'wrong_app' });
    expect(requests).toHaveLength(1);
  });

  it.each([
    ['HTTP 500', { status: 500, body: envelope({ code: 1, is_transient: true }) }],
    ['HTTP 503 without an envelope', { status: 503, rawBody: 'Service Unavailable' }],
    ['code 2', { status: 500, body: envelope({ code: 2 }) }],
    ['code 4 (app limit)', { status: 400, body: envelope({ code: 4 }) }],
    ['code 17 (user limit)', { status: 400, body: envelope({ code: 17 }) }],
    ['code 613', { status: 400, body: envelope({ code: 613 }) }],
    ['a network failure', new TypeError('fetch failed')],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a 200 that is not an array', { body: { data: [] } }],
    ['a 200 array of the wrong length', { body: [item(200, valid())] }],
    ['a non-JSON 200', { rawBody: '{"truncated' }],
  ] as const)('defers every token, without single calls, when the whole batch fails transiently (%s)', async (_label, answer) => {
    const { checker, requests } = fakeGraph({ onBatch: () => answer as Answer });
    const outcomes = await checker.debugTokens(tokens(3));
    expect(outcomes).toHaveLength(3);
    expect(outcomes.every((o) => o instanceof GraphTransientError)).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('keeps checking later batches after one batch failed', async () => {
    let call = 0;
    const { checker } = fakeGraph({ onBatch: (ts) => (call++ === 0 ? { status: 500, body: envelope({ code: 1 }) } : { body: ts.map(() => item(200, valid())) }) });
    const outcomes = await checker.debugTokens(tokens(60));
    expect(outcomes.slice(0, 50).every((o) => o instanceof GraphTransientError)).toBe(true);
    expect(outcomes.slice(50).every((o) => (o as { kind: string }).kind === 'described')).toBe(true);
  });

  it('exposes the X-App-Usage figure of the latest answer', async () => {
    const { checker } = fakeGraph({
      onBatch: (ts) => ({ body: ts.map(() => item(200, valid())), headers: { 'x-app-usage': '{"call_count":71,"total_time":12,"total_cputime":3}' } }),
    });
    expect(checker.appUsagePercent).toBeUndefined();
    await checker.debugTokens(tokens(1));
    expect(checker.appUsagePercent).toBe(71);
  });

  it('sends nothing for no tokens and refuses a batch size above 50', async () => {
    const { checker, requests, transport, single } = fakeGraph({});
    await expect(checker.debugTokens([])).resolves.toEqual([]);
    expect(requests).toHaveLength(0);
    expect(() => new GraphBatchChecker(transport, single, { batchSize: 51 })).toThrow(RangeError);
  });
});
