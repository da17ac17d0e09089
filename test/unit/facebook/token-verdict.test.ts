import { describe, expect, it } from 'vitest';
import { type DebugTokenAnswer, readDebugTokenAnswer } from '#commons/facebook/debug-token';
import { judgeDebugToken } from '#commons/facebook/token-verdict';
import { facebookFixture } from '#test/support/facebook-fixtures';

/** The captured answers are about app 257422819769992 and user "123". */
const OURS = { appId: '257422819769992', facebookUserId: '123' };

function captured(name: string): DebugTokenAnswer {
  const fixture = facebookFixture(name);
  return readDebugTokenAnswer({ status: fixture.status, body: fixture.body });
}

const described = (data: Record<string, unknown>): DebugTokenAnswer => readDebugTokenAnswer({ status: 200, body: { data } });
const aboutOurs = { app_id: OURS.appId, user_id: OURS.facebookUserId, type: 'USER' };

describe('verdicts on captured answers', () => {
  it.each([
    ['debug-token-user-public-profile'],
    ['debug-token-session-info-or-long-lived'],
  ])('%s: valid', (name) => {
    expect(judgeDebugToken(captured(name), OURS)).toMatchObject({ verdict: 'valid', token: { appId: OURS.appId, userId: '123', type: 'USER' } });
  });

  it.each([
    ['debug-token-expired-463', 463],
    ['debug-token-password-changed-460', 460],
  ])('%s: the session ended, subcode %i', (name, subcode) => {
    expect(judgeDebugToken(captured(name), OURS)).toEqual({ verdict: 'ended', code: 190, subcode });
  });

  it('a garbage or undecryptable token: no app_id or user_id, so no verdict about this session', () => {
    expect(judgeDebugToken(captured('debug-token-garbage'), OURS)).toEqual({ verdict: 'unrecognised', why: 'incomplete' });
    expect(judgeDebugToken(captured('debug-token-not-decrypted'), OURS)).toEqual({ verdict: 'unrecognised', why: 'incomplete' });
  });

  it('an app token has no user: no verdict', () => {
    expect(judgeDebugToken(captured('debug-token-app-token'), OURS)).toEqual({ verdict: 'unrecognised', why: 'incomplete' });
  });

  it('a dead token of another app (captured 466 for app 202493264460000) is no verdict about ours', () => {
    expect(judgeDebugToken(captured('debug-token-invalidated-466'), { appId: OURS.appId })).toEqual({ verdict: 'unrecognised', why: 'other_app' });
    expect(judgeDebugToken(captured('debug-token-invalidated-466'), { appId: '202493264460000', facebookUserId: '1882252945270000' })).toEqual({ verdict: 'ended', code: 190, subcode: 466 });
  });

  it('Facebook refusing to describe another app\'s token is wrong_app', () => {
    expect(judgeDebugToken(captured('debug-token-wrong-app'), OURS)).toEqual({ verdict: 'wrong_app' });
  });

  it('an answer about another Facebook user is no verdict about this session', () => {
    expect(judgeDebugToken(captured('debug-token-expired-463'), { appId: OURS.appId, facebookUserId: '456' })).toEqual({ verdict: 'unrecognised', why: 'other_user' });
    expect(judgeDebugToken(captured('debug-token-user-public-profile'), { appId: OURS.appId, facebookUserId: '456' })).toEqual({ verdict: 'unrecognised', why: 'other_user' });
  });

  it('granular_scopes changes nothing: a captured user token with them is valid like one without', () => {
    const verdict = judgeDebugToken(captured('debug-token-valid-granular-scopes'), { appId: '202493264460000' });
    expect(verdict).toMatchObject({ verdict: 'valid', token: { userId: '780170842500000', expiresAt: 0 } });
  });
});

describe('the answer shapes that must never revoke', () => {
  it.each([
    ['is_valid false without an error object', { ...aboutOurs, is_valid: false }, 'no_error'],
    ['is_valid false with a transient error (code 2, is_transient)', { ...aboutOurs, is_valid: false, error: { code: 2, message: 'retry', is_transient: true } }, 'transient_error'],
    ['is_valid false with is_transient on code 190', { ...aboutOurs, is_valid: false, error: { code: 190, message: 'temporary', is_transient: true } }, 'transient_error'],
    ['is_valid false with throttling code 4', { ...aboutOurs, is_valid: false, error: { code: 4, message: 'limit' } }, 'transient_error'],
    ['is_valid false with a code that is not 190/102', { ...aboutOurs, is_valid: false, error: { code: 100, message: 'odd' } }, 'unknown_code'],
    ['is_valid false with an error without a code', { ...aboutOurs, is_valid: false, error: { message: 'odd' } }, 'unknown_code'],
    ['190 with a subcode we do not know', { ...aboutOurs, is_valid: false, error: { code: 190, subcode: 999, message: 'odd' } }, 'unknown_subcode'],
    ['is_valid true without app_id', { user_id: '123', type: 'USER', is_valid: true }, 'incomplete'],
    ['is_valid true without user_id', { app_id: OURS.appId, type: 'USER', is_valid: true }, 'incomplete'],
    ['is_valid true without type', { app_id: OURS.appId, user_id: '123', is_valid: true }, 'incomplete'],
    ['is_valid false, 190, without user_id', { app_id: OURS.appId, type: 'USER', is_valid: false, error: { code: 190, subcode: 460, message: 'x' } }, 'incomplete'],
    ['another app_id', { ...aboutOurs, app_id: '999', is_valid: false, error: { code: 190, subcode: 460, message: 'x' } }, 'other_app'],
    ['another user_id', { ...aboutOurs, user_id: '456', is_valid: false, error: { code: 190, subcode: 460, message: 'x' } }, 'other_user'],
  ])('%s: unrecognised (%s)', (_name, data, why) => {
    expect(judgeDebugToken(described(data), OURS)).toEqual({ verdict: 'unrecognised', why });
  });

  it.each([
    ['190 without a subcode', { code: 190, message: 'Invalid OAuth access token.' }, { code: 190 }],
    ['102 without a subcode', { code: 102, message: 'Session key invalid' }, { code: 102 }],
    ['102 with 467 (logged out)', { code: 102, subcode: 467, message: 'logged out' }, { code: 102, subcode: 467 }],
    ['190 with 458 (app removed)', { code: 190, subcode: 458, message: 'removed' }, { code: 190, subcode: 458 }],
    ['190 with 493 (app inactive)', { code: 190, subcode: 493, message: 'inactive' }, { code: 190, subcode: 493 }],
  ])('%s: the session ended', (_name, error, expected) => {
    expect(judgeDebugToken(described({ ...aboutOurs, is_valid: false, error }), OURS)).toEqual({ verdict: 'ended', ...expected });
  });

  it('without the expected user (sign-in), a complete valid answer is valid', () => {
    expect(judgeDebugToken(described({ ...aboutOurs, is_valid: true, expires_at: 0 }), { appId: OURS.appId })).toMatchObject({ verdict: 'valid', token: { userId: '123', expiresAt: 0 } });
  });
});
