import { describe, expect, it } from 'vitest';
import {
  FacebookTokenRejectedError,
  FacebookUnavailableError,
  ForbiddenError,
  InvalidRequestError,
  InvalidSignedRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  SessionGuardError,
  SessionRevokedError,
  UnauthenticatedError,
  WebLoginError,
} from '#commons/platform/errors';

describe('the error hierarchy', () => {
  it.each([
    [new InvalidRequestError('m'), 'InvalidRequestError', 400, 'invalid_request'],
    [new InvalidSignedRequestError('m'), 'InvalidSignedRequestError', 400, 'invalid_signed_request'],
    [new PayloadTooLargeError('m'), 'PayloadTooLargeError', 413, 'payload_too_large'],
    [new UnauthenticatedError('m'), 'UnauthenticatedError', 401, 'unauthenticated'],
    [new SessionRevokedError('password_changed'), 'SessionRevokedError', 401, 'session_revoked'],
    [new FacebookTokenRejectedError('token_expired', 'm'), 'FacebookTokenRejectedError', 401, 'token_expired'],
    [new FacebookUnavailableError('m'), 'FacebookUnavailableError', 503, 'facebook_unavailable'],
    [new WebLoginError('login_state_expired', 'm'), 'WebLoginError', 400, 'login_state_expired'],
    [new ForbiddenError('m'), 'ForbiddenError', 403, 'forbidden'],
    [new NotFoundError('m'), 'NotFoundError', 404, 'not_found'],
    [new MethodNotAllowedError('m'), 'MethodNotAllowedError', 405, 'method_not_allowed'],
  ])('%o is named %s and maps to %i %s', (error, name, status, code) => {
    expect(error).toBeInstanceOf(SessionGuardError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.constructor.name).toBe(name);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
  });

  it('keeps what each error carries beyond its code', () => {
    expect(new InvalidRequestError('m', [{ field: 'f', message: 'x' }]).issues).toEqual([{ field: 'f', message: 'x' }]);
    expect(new SessionRevokedError('app_removed')).toMatchObject({ reason: 'app_removed', message: expect.stringContaining('app_removed') });
    const cause = new Error('socket');
    expect(new FacebookUnavailableError('m', 12, { cause })).toMatchObject({ headers: { 'retry-after': '12' }, cause });
    expect(new WebLoginError('authorization_code_used', 'm', { cause }).cause).toBe(cause);
    expect(new ForbiddenError('m').headers).toEqual({});
  });
});
