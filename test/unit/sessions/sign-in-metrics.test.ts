import { describe, expect, it } from 'vitest';
import { FacebookUnavailableError, UnauthenticatedError } from '#commons/platform/errors';
import { countedSignIn } from '#commons/sessions/sign-in-metrics';
import { fakeSink } from '#test/support/metrics-sink';

describe('countedSignIn', () => {
  it('counts a session created under its channel', async () => {
    const { sink, single } = fakeSink();
    await expect(countedSignIn('mobile', async () => 'session', sink)).resolves.toBe('session');
    expect(single.addDimension).toHaveBeenCalledWith('channel', 'mobile');
    expect(single.addMetric).toHaveBeenCalledWith('SessionsCreated', 'Count', 1);
    expect(sink.addMetric).not.toHaveBeenCalled();
  });

  it('counts a refusal by the code the client gets, not as an error when it is the client\'s', async () => {
    const { sink, single } = fakeSink();
    const refusal = new UnauthenticatedError('No such session.');
    await expect(countedSignIn('web', async () => { throw refusal; }, sink)).rejects.toBe(refusal);
    expect(sink.addMetric.mock.calls).toEqual([['SignInRefused', 'Count', 1]]);
    expect(single.addDimension).toHaveBeenCalledWith('code', refusal.code);
  });

  it('counts Facebook trouble and unexpected failures as sign-in errors too', async () => {
    const { sink, single } = fakeSink();
    await expect(countedSignIn('mobile', async () => { throw new FacebookUnavailableError('down', 30); }, sink)).rejects.toThrow();
    await expect(countedSignIn('mobile', async () => { throw new TypeError('boom'); }, sink)).rejects.toThrow(TypeError);
    expect(sink.addMetric.mock.calls.filter(([name]) => name === 'SignInErrors')).toHaveLength(2);
    expect(single.addDimension).toHaveBeenCalledWith('code', 'internal_error');
  });
});
