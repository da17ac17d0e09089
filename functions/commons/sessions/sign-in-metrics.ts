import { SessionGuardError } from '#commons/platform/errors';
import { count, countBy, MetricName, type MetricsSink, metrics, type SignInChannel } from '#commons/platform/metrics';

/**
 * Runs one sign-in and counts its outcome: `SessionsCreated` by channel, or `SignInRefused` (with
 * the code the client gets) and, for failures on our or Facebook's side (5xx), `SignInErrors`.
 * An error that is not a SessionGuardError becomes a 500 `internal_error` at the edge, so it is
 * counted as one.
 */
export async function countedSignIn<T>(
  channel: SignInChannel,
  signIn: () => Promise<T>,
  sink: MetricsSink = metrics,
  // The browser callback also ends cancelled logins and re-authentications: no session opens.
  openedSession: (result: T) => boolean = () => true,
): Promise<T> {
  try {
    const result = await signIn();
    if (openedSession(result)) countBy(MetricName.SessionsCreated, 'channel', channel, 1, sink);
    return result;
  } catch (error) {
    const code = error instanceof SessionGuardError ? error.code : 'internal_error';
    const status = error instanceof SessionGuardError ? error.status : 500;
    count(MetricName.SignInRefused, 1, sink);
    countBy(MetricName.SignInRefusedByCode, 'code', code, 1, sink);
    if (status >= 500) count(MetricName.SignInErrors, 1, sink);
    throw error;
  }
}
