import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidSignedRequestError } from '#commons/platform/errors';
import { verifySignedRequest } from '#commons/facebook-callbacks/signed-request';
import { signSignedRequest } from '#local/signed-request-signer';

const SECRET = 'app-secret-for-tests';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW_S = NOW / 1000;
const at = { now: NOW };

/** Builds a signed request from raw parts, for the shapes `signSignedRequest` would never make. */
function rawSigned(payloadText: string, secret = SECRET): string {
  const encoded = Buffer.from(payloadText, 'utf8').toString('base64url');
  return `${createHmac('sha256', secret).update(encoded).digest('base64url')}.${encoded}`;
}

function refusal(signedRequest: string, options = at): string {
  try {
    verifySignedRequest(signedRequest, SECRET, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSignedRequestError);
    const refused = error as InvalidSignedRequestError;
    expect(refused.status).toBe(400);
    expect(refused.code).toBe('invalid_signed_request');
    return refused.message;
  }
  return expect.unreachable('expected the signed request to be refused');
}

describe('verifySignedRequest refuses what is not a callback', () => {
  it.each([
    ['code (the JavaScript SDK login cookie, authResponse.signedRequest)', { code: 'AQD-some-code' }, /carries code/],
    ['oauth_token (a canvas request)', { oauth_token: 'EAAB-some-token' }, /carries oauth_token/],
    ['both', { code: 'c', oauth_token: 't' }, /carries code and oauth_token/],
  ])('a payload carrying %s, signed with the same app secret', (_name, extra, message) => {
    expect(refusal(signSignedRequest({ user_id: '42', issued_at: NOW_S - 5, ...extra }, SECRET))).toMatch(message);
  });

  it('keeps the age limit a setting: an hour-old request passes the default and fails a 30-minute limit', () => {
    const signed = signSignedRequest({ user_id: '42', issued_at: NOW_S - 3600 }, SECRET);
    expect(verifySignedRequest(signed, SECRET, at).userId).toBe('42');
    expect(refusal(signed, { now: NOW, maxAgeSeconds: 1800 } as typeof at)).toMatch(/more than 1800 seconds old/);
  });
});

describe('verifySignedRequest accepts', () => {
  it("a request signed with the app secret, as Facebook makes it, and returns the person's id and issue time", () => {
    const signed = signSignedRequest({ user_id: '10150000000000001', issued_at: NOW_S - 60 }, SECRET);
    expect(signed).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+$/);
    const result = verifySignedRequest(signed, SECRET, at);
    expect(result.userId).toBe('10150000000000001');
    expect(result.issuedAt).toBe(NOW_S - 60);
    expect(result.raw).toEqual({ algorithm: 'HMAC-SHA256', issued_at: NOW_S - 60, user_id: '10150000000000001' });
  });

  it("the data-deletion payload with Facebook's extra expires field", () => {
    const signed = rawSigned(JSON.stringify({ algorithm: 'HMAC-SHA256', expires: NOW_S + 3600, issued_at: NOW_S, user_id: '42' }));
    expect(verifySignedRequest(signed, SECRET, at).raw.expires).toBe(NOW_S + 3600);
  });

  it('the algorithm in another letter case (Facebook SDKs upper-case it before comparing)', () => {
    expect(verifySignedRequest(rawSigned(JSON.stringify({ algorithm: 'hmac-sha256', issued_at: NOW_S, user_id: '42' })), SECRET, at).userId).toBe('42');
  });

  it('parts with base64 padding added, since the signature covers the payload text as sent', () => {
    // Payload lengths that need one and two padding characters.
    for (const userId of ['4', '42', '421']) {
      const encoded = Buffer.from(JSON.stringify({ algorithm: 'HMAC-SHA256', issued_at: NOW_S, user_id: userId })).toString('base64');
      const payload = encoded.replace(/\+/g, '-').replace(/\//g, '_');
      const signature = createHmac('sha256', SECRET).update(payload).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
      expect(signature.endsWith('=')).toBe(true);
      expect(verifySignedRequest(`${signature}.${payload}`, SECRET, at).userId).toBe(userId);
    }
  });

  it('a request issued a few seconds in the future (clock skew) or just under a day ago', () => {
    expect(verifySignedRequest(signSignedRequest({ user_id: '1', issued_at: NOW_S + 120 }, SECRET), SECRET, at).userId).toBe('1');
    expect(verifySignedRequest(signSignedRequest({ user_id: '1', issued_at: NOW_S - 86400 }, SECRET), SECRET, at).userId).toBe('1');
  });
});

describe('verifySignedRequest refuses with 400 invalid_signed_request', () => {
  const valid = () => signSignedRequest({ user_id: '42' }, SECRET, NOW);

  it('a forged signature', () => {
    const [, payload] = valid().split('.');
    const forged = `${Buffer.alloc(32, 7).toString('base64url')}.${payload}`;
    expect(refusal(forged)).toMatch(/signature does not match/);
  });

  it('a request signed with another app secret', () => {
    expect(refusal(signSignedRequest({ user_id: '42' }, 'another-apps-secret', NOW))).toMatch(/signature does not match/);
  });

  it('a tampered payload (another user id under the original signature)', () => {
    const [signature] = valid().split('.');
    const tampered = Buffer.from(JSON.stringify({ algorithm: 'HMAC-SHA256', issued_at: NOW_S, user_id: '43' })).toString('base64url');
    expect(refusal(`${signature}.${tampered}`)).toMatch(/signature does not match/);
  });

  it('a payload re-encoded differently (the signature covers the text as sent)', () => {
    const [signature, payload] = valid().split('.');
    // Same JSON, encoded in the standard alphabet with padding: not the text that was signed.
    const reencoded = Buffer.from(payload!, 'base64url').toString('base64');
    expect(refusal(`${signature}.${reencoded}`)).toMatch(/base64url|signature does not match/);
  });

  it('a signature of the wrong length (truncated), before any comparison', () => {
    const [signature, payload] = valid().split('.');
    expect(refusal(`${signature!.slice(0, 40)}.${payload}`)).toMatch(/32 bytes/);
    expect(refusal(`${signature}AAAA.${payload}`)).toMatch(/32 bytes/);
  });

  it.each([
    ['standard-alphabet characters', (s: string, p: string) => `${s.slice(0, -2)}+/.${p}`],
    ['a space', (s: string, p: string) => `${s} .${p}`],
    ['excess padding', (s: string, p: string) => `${s}===.${p}`],
  ])('parts that are not base64url: %s', (_label, mangle) => {
    const [signature, payload] = valid().split('.') as [string, string];
    const mangled = mangle(signature, payload);
    expect(refusal(mangled)).toMatch(/not base64url|signature does not match|32 bytes/);
  });

  it('a correctly signed payload part that is not base64url', () => {
    for (const payload of ['AAAAA', 'eyJ1c2VyX2lkIjoiNDIifQ+', 'eyJ1c2VyX2lkIjoiNDIifQ===']) {
      const signature = createHmac('sha256', SECRET).update(payload).digest('base64url');
      expect(refusal(`${signature}.${payload}`)).toMatch(/payload is not base64url/);
    }
  });

  it('a forged request as forged, whatever else is wrong with it (a forger learns nothing more)', () => {
    const stale = signSignedRequest({ user_id: '42', issued_at: NOW_S - 90000, algorithm: 'none' }, 'another-apps-secret');
    expect(refusal(stale)).toMatch(/signature does not match/);
  });

  it('the wrong algorithm', () => {
    expect(refusal(rawSigned(JSON.stringify({ algorithm: 'HMAC-SHA1', issued_at: NOW_S, user_id: '42' })))).toMatch(/algorithm must be HMAC-SHA256/);
    expect(refusal(rawSigned(JSON.stringify({ algorithm: 'none', issued_at: NOW_S, user_id: '42' })))).toMatch(/algorithm/);
  });

  it('a missing algorithm', () => {
    expect(refusal(rawSigned(JSON.stringify({ issued_at: NOW_S, user_id: '42' })))).toMatch(/algorithm/);
  });

  it('a request issued more than a day ago (stale, or replayed)', () => {
    expect(refusal(signSignedRequest({ user_id: '42', issued_at: NOW_S - 86401 }, SECRET))).toMatch(/more than a day old/);
  });

  it('a request issued in the future beyond the clock skew', () => {
    expect(refusal(signSignedRequest({ user_id: '42', issued_at: NOW_S + 301 }, SECRET))).toMatch(/in the future/);
  });

  it.each([
    ['missing', { algorithm: 'HMAC-SHA256' }],
    ['not a number', { algorithm: 'HMAC-SHA256', issued_at: String(NOW_S) }],
    ['fractional', { algorithm: 'HMAC-SHA256', issued_at: NOW_S + 0.5 }],
  ])('issued_at %s', (_label, payload) => {
    expect(refusal(rawSigned(JSON.stringify({ user_id: '42', ...payload })))).toMatch(/issued_at/);
  });

  it.each([
    ['missing', {}],
    ['empty', { user_id: '' }],
    ['a number instead of a string', { user_id: 42 }],
    ['null', { user_id: null }],
  ])('user_id %s', (_label, user) => {
    expect(refusal(rawSigned(JSON.stringify({ algorithm: 'HMAC-SHA256', issued_at: NOW_S, ...user })))).toMatch(/user_id/);
  });

  it('a payload that is not JSON, or JSON that is not an object', () => {
    expect(refusal(rawSigned('{"user_id": "42", '))).toMatch(/payload is not JSON/);
    expect(refusal(rawSigned('"42"'))).toMatch(/not a JSON object/);
    expect(refusal(rawSigned('[1,2]'))).toMatch(/not a JSON object/);
    expect(refusal(rawSigned('null'))).toMatch(/not a JSON object/);
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abcdefabcdef'],
    ['two dots', 'a.b.c'],
    ['an empty signature', '.eyJ1c2VyX2lkIjoiNDIifQ'],
    ['an empty payload', `${'A'.repeat(43)}.`],
    ['just a dot', '.'],
  ])('a malformed request: %s', (_label, signedRequest) => {
    expect(refusal(signedRequest)).toMatch(/refused/);
  });

  it('an oversized request, without hashing it', () => {
    expect(refusal(`${'A'.repeat(43)}.${'A'.repeat(5000)}`)).toMatch(/too long/);
  });

  it('never echoes the payload or the secret in its message', () => {
    const message = refusal(signSignedRequest({ user_id: '10150000000000001' }, 'another-apps-secret', NOW));
    expect(message).not.toContain('10150000000000001');
    expect(message).not.toContain(SECRET);
  });
});
