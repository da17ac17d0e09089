import { readConfig } from '#commons/platform/config';
import type { CreateSessionAnswer } from '#commons/sessions/api-schemas';
import { createSessionBody } from '#commons/sessions/requests';
import { header, httpHandler, json, parseJsonBody } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { deviceLabel } from '#commons/sessions/device-label';
import { signInWithSessionInfoToken } from '#commons/sessions/sessions';
import { countedSignIn } from '#commons/sessions/sign-in-metrics';
import { createSignInDependencies, signInEnv } from '#commons/sessions/sign-in-wiring';
import { signInWithUserAccessToken } from '#commons/web-login/web-login';

const { sessions, oauth } = await createSignInDependencies(readConfig(signInEnv));

export const handler = httpHandler(async (event) => {
  const body = parseJsonBody(event, createSessionBody);
  const device = deviceLabel(header(event, 'user-agent'));
  const result =
    body.accessToken !== undefined
      ? await countedSignIn('access_token', () => signInWithUserAccessToken({ oauth, sessions }, body.accessToken as string, device))
      : await countedSignIn('mobile', () => signInWithSessionInfoToken(sessions, body.sessionInfoToken as string, { signInMethod: 'session_info_token', device }));
  logger.info('session created', {
    sessionId: result.session.id,
    userId: result.user.id,
    facebookUserId: result.user.facebookUserId,
    userCreated: result.userCreated,
    via: body.accessToken !== undefined ? 'access_token' : 'session_info_token',
  });
  return json(201, {
    sessionToken: result.sessionToken,
    expiresAt: new Date(result.session.expiresAt).toISOString(),
    user: { id: result.user.id, facebookUserId: result.user.facebookUserId, created: result.userCreated },
  } satisfies CreateSessionAnswer);
});
