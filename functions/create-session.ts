import * as z from 'zod';
import { loadAppSecret } from '#commons/app-secret';
import { createDocumentClient, createKmsClient } from '#commons/aws-clients';
import { facebookEnv, readConfig, sessionEnv, storeEnv, vaultEnv } from '#commons/config';
import { FacebookOAuthClient } from '#commons/facebook-oauth';
import { GraphClient } from '#commons/graph-client';
import { httpHandler, json, parseJsonBody } from '#commons/http';
import { logger } from '#commons/logger';
import { SessionStore } from '#commons/repository';
import { signInWithSessionInfoToken } from '#commons/sessions';
import { EnvelopeVault } from '#commons/vault';
import { signInWithUserAccessToken } from '#commons/web-login';

const config = readConfig(storeEnv.and(vaultEnv).and(facebookEnv).and(sessionEnv));
const appSecret = await loadAppSecret(config);
const graph = new GraphClient({
  baseUrl: config.GRAPH_API_URL,
  version: config.GRAPH_API_VERSION,
  appId: config.FACEBOOK_APP_ID,
  appSecret,
  timeoutMs: config.GRAPH_TIMEOUT_MS,
});
const deps = {
  store: new SessionStore(createDocumentClient(), config.TABLE_NAME),
  vault: new EnvelopeVault(createKmsClient(), config.KMS_KEY_ID),
  graph,
  appId: config.FACEBOOK_APP_ID,
  sessionMaxAgeMs: config.SESSION_MAX_AGE_SECONDS * 1000,
};
const oauth = new FacebookOAuthClient(graph, { baseUrl: config.GRAPH_API_URL, version: config.GRAPH_API_VERSION, appId: config.FACEBOOK_APP_ID, appSecret });

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
      ? await signInWithUserAccessToken({ oauth, sessions: deps }, body.accessToken)
      : await signInWithSessionInfoToken(deps, body.sessionInfoToken as string);
  logger.info('session created', {
    sessionId: result.session.id,
    userId: result.user.id,
    userCreated: result.userCreated,
    via: body.accessToken !== undefined ? 'access_token' : 'session_info_token',
  });
  return json(201, {
    sessionToken: result.sessionToken,
    expiresAt: new Date(result.session.expiresAt).toISOString(),
    user: { id: result.user.id, facebookUserId: result.user.facebookUserId, created: result.userCreated },
  });
});
