import { describe, expect, it } from 'vitest';
import { revocationAnswer } from '#commons/inventory/inventory-admin';
import { ConflictError, NotFoundError } from '#commons/platform/errors';

describe('the admin answer to the checker’s revocation result', () => {
  it('passes a result on with only the fields the admin API documents', () => {
    expect(revocationAnswer({ label: 'ads-bot', outcome: 'revoked' })).toEqual({ label: 'ads-bot', outcome: 'revoked' });
    const refused = { label: 'ads-bot', outcome: 'refused', message: 'Facebook said no', facebookCode: 200, extra: 'x' } as const;
    expect(revocationAnswer(refused)).toEqual({ label: 'ads-bot', outcome: 'refused', message: 'Facebook said no', facebookCode: 200 });
  });

  it('turns the checker’s known refusals into our 404 and 409s', () => {
    expect(() => revocationAnswer({ label: 'x', outcome: 'refused', status: 404, code: 'not_found' })).toThrow(NotFoundError);
    for (const code of ['graph_cannot_revoke', 'already_closed']) {
      let thrown: unknown;
      try {
        revocationAnswer({ label: 'x', outcome: 'refused', status: 409, code, message: 'no' });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConflictError);
      expect((thrown as ConflictError).code).toBe(code);
    }
  });

  it('treats a refusal it does not know as our failure, never as a 200', () => {
    expect(() => revocationAnswer({ label: 'x', outcome: 'refused', status: 400, code: 'invalid_request' })).toThrow(/refused a revocation with invalid_request \(400\)/);
    expect(() => revocationAnswer({ label: 'x', outcome: 'refused', status: 500 })).toThrow(Error);
  });
});
