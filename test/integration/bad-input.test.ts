import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * Fuzzes the public routes with malformed bodies and headers: every case must get a 4xx in the
 * documented error shape, never a 5xx or a stack trace, and must leave the table as it was.
 */
let stack: TestStack;
let liveToken: string;

beforeAll(async () => {
  stack = await startTestStack();
  const user = stack.graphEmulator().createTestUser(stack.appId);
  const created = await stack.request('POST', '/v1/sessions', {
    body: { sessionInfoToken: stack.graphEmulator().mintSessionInfoToken(stack.appId, user.id) },
  });
  liveToken = created.json.sessionToken;
});
afterAll(async () => {
  await stack?.close();
});

/** Small seeded PRNG (mulberry32) so a failure replays exactly. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectErrorShape(response: { status: number; json: any; text: string }, label: string) {
  expect(response.status, label).toBeGreaterThanOrEqual(400);
  expect(response.status, label).toBeLessThan(500);
  expect(response.json, label).toEqual({ error: expect.objectContaining({ code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) }) });
  expect(response.text, label).not.toMatch(/\bat .+\.(ts|js):\d+/);
}

const fixedBodies: Array<[string, string | undefined, Record<string, string>?]> = [
  ['no body', undefined],
  ['empty string', ''],
  ['whitespace', '   '],
  ['malformed JSON', '{"sessionInfoToken": '],
  ['JSON null', 'null'],
  ['JSON array', '["EAAabc"]'],
  ['JSON string', '"EAAabc"'],
  ['JSON number', '42'],
  ['empty object', '{}'],
  ['wrong type number', '{"sessionInfoToken": 123}'],
  ['wrong type object', '{"sessionInfoToken": {"$ne": null}}'],
  ['wrong type array', '{"sessionInfoToken": ["a"]}'],
  ['null token', '{"sessionInfoToken": null}'],
  ['empty token', '{"sessionInfoToken": ""}'],
  ['unknown field', '{"sessionInfoToken": "EAAabcdef", "admin": true}'],
  ['only unknown field', '{"token": "EAAabcdef"}'],
  ['token with spaces', '{"sessionInfoToken": "EAA abc"}'],
  ['token with newline', '{"sessionInfoToken": "EAA\\nabc"}'],
  ['token with unicode', '{"sessionInfoToken": "EAAé😀"}'],
  ['token with query injection', '{"sessionInfoToken": "EAA&access_token=x"}'],
  ['huge token', JSON.stringify({ sessionInfoToken: 'A'.repeat(5000) })],
  ['body over 16 KiB', JSON.stringify({ sessionInfoToken: 'EAA', pad: 'x'.repeat(20_000) })],
  ['prototype pollution', '{"__proto__": {"admin": true}, "sessionInfoToken": "EAAabc"}'],
  ['wrong content type', '{"sessionInfoToken":"EAAabc"}', { 'content-type': 'text/plain' }],
  ['form content type', 'sessionInfoToken=EAAabc', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['deeply nested', '['.repeat(5000) + ']'.repeat(5000)],
];

describe('POST /v1/sessions with bad input', () => {
  it.each(fixedBodies)('%s → 4xx error shape, nothing written', async (label, rawBody, headers) => {
    const before = await stack.scanTable();
    const response = await stack.request('POST', '/v1/sessions', {
      ...(rawBody !== undefined ? { rawBody } : {}),
      headers: { 'content-type': 'application/json', ...(headers ?? {}) },
    });
    expectErrorShape(response, label);
    expect(await stack.scanTable()).toEqual(before);
  });

  it('names the offending field', async () => {
    const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: 5, extra: 1 } });
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('invalid_request');
    const fields = response.json.error.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['sessionInfoToken', 'extra']));
  });

  it('survives 300 random bodies with 4xx answers and an unchanged table', async () => {
    const next = random(20261122);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
    const alphabet = 'abcXYZ019{}[]":,.\\/ \u0000\u00e9\ud83d\ude00-_|&=%';
    const fragments = ['{', '}', '"sessionInfoToken"', ':', '"EAA', 'null', 'true', '1e999', '[', ']', ',', '"'];
    const before = await stack.scanTable();
    for (let i = 0; i < 300; i++) {
      let body = '';
      const mode = next();
      if (mode < 0.4) {
        const length = Math.floor(next() * 40);
        for (let j = 0; j < length; j++) body += pick(fragments);
      } else if (mode < 0.7) {
        const length = Math.floor(next() * 200);
        for (let j = 0; j < length; j++) body += alphabet[Math.floor(next() * alphabet.length)];
      } else {
        const value = pick<unknown>([null, 0, -1, true, [], {}, 'x'.repeat(Math.floor(next() * 3000)), { a: 1 }, ['EAA']]);
        body = JSON.stringify({ [pick(['sessionInfoToken', 'sessioninfotoken', 'accessToken', ''])]: value, ...(next() < 0.3 ? { z: 1 } : {}) });
      }
      const response = await stack.request('POST', '/v1/sessions', { rawBody: body, headers: { 'content-type': 'application/json' } });
      expectErrorShape(response, `case ${i}: ${JSON.stringify(body).slice(0, 120)}`);
    }
    expect(await stack.scanTable()).toEqual(before);
  });
});

describe('session routes with bad headers', () => {
  const badAuthorizations = [
    '',
    'Bearer',
    'Bearer ',
    'bearer x y',
    'Basic dXNlcjpwYXNz',
    `Bearer ${'A'.repeat(10_000)}`,
    'Bearer sg1.ses_AAAAAAAAAAAAAAAAAAAAAA.short',
    'Bearer sg1..',
    'Bearer sg1.ses_%00%00.AAAA',
    'Bearer sg2.ses_AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    'Bearer EAAaFacebookTokenNotOurs',
  ];

  it.each(['GET', 'DELETE'])('%s /v1/sessions/current answers 401 for every malformed Authorization header', async (method) => {
    const before = await stack.scanTable();
    for (const authorization of badAuthorizations) {
      const response = await stack.request(method, '/v1/sessions/current', { headers: { authorization } });
      expectErrorShape(response, `${method} ${authorization.slice(0, 40)}`);
      expect(response.status).toBe(401);
    }
    expect(await stack.scanTable()).toEqual(before);
    // The live session is untouched by all of that.
    expect((await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${liveToken}` } })).status).toBe(200);
  });
});
