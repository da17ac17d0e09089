import * as z from 'zod';
import { readConfig } from '#commons/platform/config';
import { httpHandler, json, parseJsonBody } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { signInWithSessionInfoToken } from '#commons/sessions/sessions';
import { countedSignIn } from '#commons/sessions/sign-in-metrics';
import { createSignInDependencies, signInEnv } from '#commons/sessions/sign-in-wiring';
import { signInWithUserAccessToken } from '#commons/web-login/web-login';

const { sessions, oauth } = await createSignInDependencies(readConfig(signInEnv));

/** Facebook tokens are URL-safe ASCII; anything else is refused before it reaches Facebook. */
const facebookToken = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(2048, 'is too long')
  .regex(/^[A-Za-z0-9._|-]+$/, 'has characters a Facebook token never has');

/**
 * Exactly one of: the session-info token the app made on the device, or a user access token, which
 * the server exchanges (long-lived, then attenuated) and drops, keeping only the session-info token.
 */
const requestBody = z
  .strictObject({ sessionInfoToken: facebookToken.optional(), accessToken: facebookToken.optional() })
  .superRefine((body, ctx) => {
    if (body.sessionInfoToken !== undefined && body.accessToken !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['accessToken'], message: 'send either sessionInfoToken or accessToken, not both' });
    } else if (body.sessionInfoToken === undefined && body.accessToken === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sessionInfoToken'], message: 'required (or send accessToken instead)' });
    }
  });

export const handler = httpHandler(async (event) => {
  const body = parseJsonBody(event, requestBody);
  const result =
    body.accessToken !== undefined
      ? await countedSignIn('access_token', () => signInWithUserAccessToken({ oauth, sessions }, body.accessToken as string))
      : await countedSignIn('mobile', () => signInWithSessionInfoToken(sessions, body.sessionInfoToken as string));
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
  });
});
