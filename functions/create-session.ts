import * as z from 'zod';
import { loadAppSecret } from '#commons/app-secret';
import { createDocumentClient, createKmsClient } from '#commons/aws-clients';
import { facebookEnv, readConfig, sessionEnv, storeEnv, vaultEnv } from '#commons/config';
import { GraphClient } from '#commons/graph-client';
import { httpHandler, json, parseJsonBody } from '#commons/http';
import { logger } from '#commons/logger';
import { SessionStore } from '#commons/repository';
import { signInWithSessionInfoToken } from '#commons/sessions';
import { EnvelopeVault } from '#commons/vault';

const config = readConfig(storeEnv.and(vaultEnv).and(facebookEnv).and(sessionEnv));
const deps = {
  store: new SessionStore(createDocumentClient(), config.TABLE_NAME),
  vault: new EnvelopeVault(createKmsClient(), config.KMS_KEY_ID),
  graph: new GraphClient({
    baseUrl: config.GRAPH_API_URL,
    version: config.GRAPH_API_VERSION,
    appId: config.FACEBOOK_APP_ID,
    appSecret: await loadAppSecret(config),
    timeoutMs: config.GRAPH_TIMEOUT_MS,
  }),
  appId: config.FACEBOOK_APP_ID,
  sessionMaxAgeMs: config.SESSION_MAX_AGE_SECONDS * 1000,
};

/** Facebook tokens are URL-safe ASCII; anything else is refused before it reaches Facebook. */
const facebookToken = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(2048, 'is too long')
  .regex(/^[A-Za-z0-9._|-]+$/, 'has characters a Facebook token never has');

const requestBody = z.strictObject({ sessionInfoToken: facebookToken });

export const handler = httpHandler(async (event) => {
  const body = parseJsonBody(event, requestBody);
  const result = await signInWithSessionInfoToken(deps, body.sessionInfoToken);
  logger.info('session created', { sessionId: result.session.id, userId: result.user.id, userCreated: result.userCreated });
  return json(201, {
    sessionToken: result.sessionToken,
    expiresAt: new Date(result.session.expiresAt).toISOString(),
    user: { id: result.user.id, facebookUserId: result.user.facebookUserId, created: result.userCreated },
  });
});
