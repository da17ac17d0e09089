import { describe, expect, it } from 'vitest';
import { codeChallengeS256, newCodeVerifier } from '#commons/web-login/pkce';

describe('PKCE S256', () => {
  it('matches the RFC 7636 appendix B example', () => {
    expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character base64url verifiers (256 bits), a new one every time', () => {
    const verifiers = new Set(Array.from({ length: 200 }, newCodeVerifier));
    expect(verifiers.size).toBe(200);
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives unpadded base64url challenges the emulator and Facebook accept', () => {
    expect(codeChallengeS256(newCodeVerifier())).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each(['short', 'x'.repeat(129), `${'a'.repeat(42)} `, `${'a'.repeat(42)}+`])('refuses the verifier %j, which RFC 7636 does not allow', (verifier) => {
    expect(() => codeChallengeS256(verifier)).toThrow(/43-128 characters/);
  });
});
