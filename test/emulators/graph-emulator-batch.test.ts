/**
 * Batch requests (`POST /` and `POST /{version}/`), fault injection and latency of the Graph
 * emulator, plus a volume check: 100,000 session-info tokens checked in batches of 50.
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '#local/emulators/graph';

const APP = { appId: '1000001', appSecret: 'secret-one' };
const OTHER = { appId: '2000002', appSecret: 'secret-two' };
const V = 'v21.0';
const ACCESS = `${APP.appId}|${APP.appSecret}`;
const PROOF = createHmac('sha256', APP.appSecret).update(ACCESS).digest('hex');

let fb: GraphEmulator;

interface BatchAnswer {
  code: number;
  headers?: { name: string; value: string }[];
  body: string;
}

const item = (token: string) => ({ method: 'GET', relative_url: `debug_token?input_token=${encodeURIComponent(token)}` });

async function batch(items: unknown, form: Record<string, string> = {}, path = `/${V}/`): Promise<{ status: number; headers: Headers; text: string; json: () => any }> {
  const res = await fetch(`${fb.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ access_token: ACCESS, appsecret_proof: PROOF, batch: JSON.stringify(items), include_headers: 'false', ...form }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

function debugToken(token: string) {
  return fetch(`${fb.url}/${V}/debug_token?${new URLSearchParams({ input_token: token, access_token: ACCESS, appsecret_proof: PROOF })}`);
}

beforeAll(async () => {
  fb = await startGraphEmulator({ apps: [APP, OTHER] });
});
afterAll(async () => {
  await fb.close();
});
afterEach(() => {
  fb.clearFaults();
  fb.setLatency(0);
});

describe('batch', () => {
  it('answers items in request order as {code, body: "<json string>"}', async () => {
    const user = fb.createTestUser(APP.appId);
    const live = fb.mintSessionInfoToken(APP.appId, user.id);
    const dead = fb.mintSessionInfoToken(APP.appId, fb.createTestUser(APP.appId).id, { expiresInSeconds: -1 });
    const stranger = fb.mintSessionInfoToken(OTHER.appId, fb.createTestUser(OTHER.appId).id);
    const { status, json } = await batch([item(live), item('garbage'), item(dead), item(stranger)]);
    expect(status).toBe(200);
    const answers = json() as BatchAnswer[];
    expect(answers).toHaveLength(4);
    for (const a of answers) {
      expect(a.headers).toBeUndefined();
      expect(typeof a.body).toBe('string');
    }
    const bodies = answers.map((a) => JSON.parse(a.body));
    expect(answers.map((a) => a.code)).toEqual([200, 200, 200, 400]);
    expect(bodies[0].data).toMatchObject({ is_valid: true, user_id: user.id });
    expect(bodies[1].data.is_valid).toBe(false);
    expect(bodies[1].data.user_id).toBeUndefined();
    expect(bodies[2].data).toMatchObject({ is_valid: false, error: { code: 190, subcode: 463 } });
    expect(bodies[3].error).toMatchObject({ code: 100, message: '(#100) The App_id in the input_token did not match the Viewing App' });
  });

  it('works at POST / too, and includes item headers by default', async () => {
    const res = await fetch(`${fb.url}/`, {
      method: 'POST',
      body: new URLSearchParams({ access_token: ACCESS, appsecret_proof: PROOF, batch: JSON.stringify([item('x'), { method: 'GET', relative_url: `/${V}/debug_token?input_token=y` }]) }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-app-usage')).toBeTruthy();
    const answers = (await res.json()) as BatchAnswer[];
    expect(answers).toHaveLength(2);
    expect(answers[0]!.headers).toContainEqual({ name: 'Content-Type', value: 'text/javascript; charset=UTF-8' });
    expect(answers[1]!.code).toBe(200);
  });

  it('accepts 50 items and refuses 51 with a whole-batch envelope', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => item(`t${i}`));
    const ok = await batch(fifty);
    expect(ok.status).toBe(200);
    expect(ok.json()).toHaveLength(50);
    const tooMany = await batch([...fifty, item('t50')]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json().error).toMatchObject({ code: 100, type: 'OAuthException', fbtrace_id: expect.any(String) });
    expect(tooMany.json().error.message).toMatch(/Maximum batch size is 50/);
  });

  it('fails the whole batch for a bad top-level token or a missing proof', async () => {
    const missingProof = await fetch(`${fb.url}/${V}/`, { method: 'POST', body: new URLSearchParams({ access_token: ACCESS, batch: JSON.stringify([item('x')]) }) });
    expect(missingProof.status).toBe(400);
    expect(((await missingProof.json()) as any).error.code).toBe(100);
    const badToken = await batch([item('x')], { access_token: 'EAAnope', appsecret_proof: 'ab' });
    expect(badToken.status).toBe(400);
    expect(badToken.json().error.code).toBe(190);
  });

  it('fails the whole batch for a missing or malformed batch parameter', async () => {
    const missing = await fetch(`${fb.url}/${V}/`, { method: 'POST', body: new URLSearchParams({ access_token: ACCESS, appsecret_proof: PROOF }) });
    expect(missing.status).toBe(400);
    expect((await batch('not an array')).status).toBe(400);
    expect((await batch([])).status).toBe(400);
    expect((await batch([{ relative_url: 'debug_token' }])).status).toBe(400);
  });

  it('lets an item use its own access token, and fails an item with a bad one', async () => {
    const user = fb.createTestUser(APP.appId);
    const live = fb.mintSessionInfoToken(APP.appId, user.id);
    const caller = fb.mintUserToken(APP.appId, user.id);
    const callerProof = createHmac('sha256', APP.appSecret).update(caller).digest('hex');
    const answers = (await batch([
      { method: 'GET', relative_url: `debug_token?input_token=${live}&access_token=${caller}&appsecret_proof=${callerProof}` },
      { method: 'GET', relative_url: `debug_token?input_token=${live}&access_token=${live}` },
      { method: 'GET', relative_url: 'me' },
    ])).json() as BatchAnswer[];
    expect(answers.map((a) => a.code)).toEqual([200, 400, 400]);
    expect(JSON.parse(answers[1]!.body).error).toMatchObject({ code: 190, message: 'Invalid OAuth access token - Debug only access token' });
    expect(JSON.parse(answers[2]!.body).error.code).toBe(2500);
  });

  it('counts each item as a debug_token check and the call as one batch request', async () => {
    fb.resetStats();
    await batch([item('a'), item('b'), item('c')]);
    expect(fb.stats()).toEqual({ requests: 1, debugTokenChecks: 3, batchRequests: 1, byPath: { batch: 1 } });
  });
});

describe('fault injection', () => {
  it('http_status: a plausible envelope with the status, for `count` requests', async () => {
    fb.injectFault({ kind: 'http_status', status: 500 }, { count: 2, path: 'debug_token' });
    for (let i = 0; i < 2; i++) {
      const res = await debugToken('x');
      expect(res.status).toBe(500);
      const body = (await res.json()) as any;
      expect(body.error).toMatchObject({ code: 1, type: 'OAuthException', is_transient: true, fbtrace_id: expect.any(String) });
    }
    expect((await debugToken('x')).status).toBe(200);
    fb.injectFault({ kind: 'http_status', status: 503 }, { count: 1 });
    const unavailable = await debugToken('x');
    expect(unavailable.status).toBe(503);
    expect(((await unavailable.json()) as any).error.code).toBe(2);
  });

  it('error_code: the envelope with code, subcode and is_transient as asked', async () => {
    for (const code of [1, 2, 4, 17, 613]) {
      fb.injectFault({ kind: 'error_code', code }, { count: 1 });
      const res = await debugToken('x');
      const body = (await res.json()) as any;
      expect(body.error.code).toBe(code);
      expect(body.error.is_transient).toBe(true);
      expect(body.error.message).toBeTruthy();
    }
    fb.injectFault({ kind: 'error_code', code: 190, subcode: 460, status: 401, isTransient: false }, { count: 1 });
    const res = await debugToken('x');
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error).toMatchObject({ code: 190, error_subcode: 460, is_transient: false, message: expect.stringMatching(/changed their password/) });
  });

  it('respects the path filter: a batch fault leaves debug_token alone and vice versa', async () => {
    fb.injectFault({ kind: 'error_code', code: 2 }, { path: 'batch' });
    expect((await debugToken('x')).status).toBe(200);
    const failed = await batch([item('x')]);
    expect(failed.status).toBe(500);
    expect(failed.json().error.code).toBe(2);
    fb.clearFaults();
    fb.injectFault({ kind: 'http_status', status: 502 }, { path: 'oauth' });
    expect((await debugToken('x')).status).toBe(200);
    expect((await fetch(`${fb.url}/${V}/oauth/access_token?client_id=${APP.appId}`)).status).toBe(502);
  });

  it('lasts until clearFaults when no count is given', async () => {
    fb.injectFault({ kind: 'error_code', code: 4 });
    for (let i = 0; i < 3; i++) expect((await debugToken('x')).status).toBe(400);
    fb.clearFaults();
    expect((await debugToken('x')).status).toBe(200);
  });

  it('timeout: answers only after delayMs, so a client timeout fires', async () => {
    // Bounds far apart, so a busy machine cannot blur them: a 150 ms client timeout against a
    // 2 s answer.
    fb.injectFault({ kind: 'timeout', delayMs: 2000 }, { count: 1 });
    fb.resetStats();
    const started = Date.now();
    await expect(debugTokenWithTimeout(150)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1500);
    // The next call is normal again.
    expect((await debugToken('x')).status).toBe(200);
    expect(fb.stats().debugTokenChecks).toBe(1);
    // Like Facebook, the emulator still carries out a call whose caller gave up.
    const deadline = Date.now() + 10_000;
    while (fb.stats().debugTokenChecks < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1990);
    expect(fb.stats().debugTokenChecks).toBe(2);
  });

  it('timeout: the slow answer is still a normal answer', async () => {
    fb.injectFault({ kind: 'timeout', delayMs: 300 }, { count: 1 });
    const started = Date.now();
    const res = await debugToken('x');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('malformed: HTTP 200 with a body that is not JSON or not the right shape', async () => {
    fb.injectFault({ kind: 'malformed' }, { count: 3 });
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await debugToken('x');
      expect(res.status).toBe(200);
      bodies.push(await res.text());
    }
    expect(() => JSON.parse(bodies[0]!)).toThrow();
    expect(bodies[1]).toMatch(/^<!DOCTYPE html>/);
    expect(JSON.parse(bodies[2]!).data).toEqual([]);
    const batchGarbage = (() => {
      fb.injectFault({ kind: 'malformed' }, { count: 1, path: 'batch' });
      return batch([item('x')]);
    })();
    expect((await batchGarbage).status).toBe(200);
  });

  it('batch_item_error: every Nth item fails, the others succeed', async () => {
    fb.injectFault({ kind: 'batch_item_error', code: 2, everyNth: 3 }, { count: 1 });
    expect((await debugToken('x')).status).toBe(200); // not a batch: untouched, fault not spent
    const answers = (await batch(Array.from({ length: 6 }, (_, i) => item(`t${i}`)))).json() as BatchAnswer[];
    expect(answers.map((a) => a.code)).toEqual([200, 200, 500, 200, 200, 500]);
    expect(JSON.parse(answers[2]!.body).error).toMatchObject({ code: 2, is_transient: true });
    const after = (await batch([item('a'), item('b')])).json() as BatchAnswer[];
    expect(after.map((a) => a.code)).toEqual([200, 200]);
  });

  it('batch_item_error defaults to every second item', async () => {
    fb.injectFault({ kind: 'batch_item_error', code: 17 }, { count: 1 });
    const answers = (await batch([item('a'), item('b'), item('c'), item('d')])).json() as BatchAnswer[];
    expect(answers.map((a) => a.code)).toEqual([200, 400, 200, 400]);
    expect(JSON.parse(answers[1]!.body).error.code).toBe(17);
  });

  it('refuses a nonsense fault', () => {
    expect(() => fb.injectFault({ kind: 'http_status', status: 200 })).toThrow();
  });
});

async function debugTokenWithTimeout(ms: number): Promise<Response> {
  return fetch(`${fb.url}/${V}/debug_token?${new URLSearchParams({ input_token: 'x', access_token: ACCESS, appsecret_proof: PROOF })}`, { signal: AbortSignal.timeout(ms) });
}

describe('latency', () => {
  it('is added to every Graph answer, and not to the admin surface', async () => {
    // Far apart, so a busy machine cannot blur them.
    fb.setLatency(1000);
    let started = Date.now();
    await debugToken('x');
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    started = Date.now();
    await fetch(`${fb.url}/_emulator/stats`);
    expect(Date.now() - started).toBeLessThan(800);
  });

  it('can be set at start', async () => {
    const slow = await startGraphEmulator({ apps: [APP], latencyMs: 200 });
    try {
      const started = Date.now();
      await fetch(`${slow.url}/${V}/debug_token`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    } finally {
      await slow.close();
    }
  });

  it('does not keep close() waiting on a slow answer', async () => {
    const slow = await startGraphEmulator({ apps: [APP] });
    slow.injectFault({ kind: 'timeout', delayMs: 60_000 });
    const pending = fetch(`${slow.url}/${V}/debug_token`).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await slow.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('volume', () => {
  it('holds 100,000 session-info tokens and checks them all in batches of 50', async () => {
    const tokens: string[] = [];
    const users: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const user = fb.createTestUser(APP.appId);
      users.push(user.id);
      tokens.push(fb.mintSessionInfoToken(APP.appId, user.id));
    }
    // Some sessions end before the check.
    for (let i = 0; i < 100_000; i += 1000) fb.endFacebookSession(users[i]!, 'logged_out');
    fb.resetStats();
    const started = Date.now();
    let valid = 0;
    let dead = 0;
    const workers = Array.from({ length: 4 }, async (_, w) => {
      for (let start = w * 50; start < tokens.length; start += 200) {
        const answers = (await batch(tokens.slice(start, start + 50).map(item))).json() as BatchAnswer[];
        for (const a of answers) {
          const data = JSON.parse(a.body).data;
          if (data.is_valid) valid += 1;
          else if (data.error.subcode === 467) dead += 1;
        }
      }
    });
    await Promise.all(workers);
    expect(valid).toBe(99_900);
    expect(dead).toBe(100);
    expect(fb.stats().batchRequests).toBe(2000);
    expect(fb.stats().debugTokenChecks).toBe(100_000);
    // A bound on the emulator itself, so the sweep benchmark measures Session Guard and not the
    // emulator; wide enough for a loaded 2-core machine (about 14 s when idle).
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
