import * as z from 'zod';
import { revokeSessionsOfRemovedApp } from '#commons/app-removal';
import { loadAppSecret } from '#commons/app-secret';
import { createDocumentClient } from '#commons/aws-clients';
import { appSecretEnv, readConfig, revocationEnv, storeEnv } from '#commons/config';
import { parseFormBody } from '#commons/form';
import { httpHandler, json } from '#commons/http';
import { logger } from '#commons/logger';
import { RevocationStore, SessionStore } from '#commons/repository';
import { MAX_SIGNED_REQUEST_LENGTH, verifySignedRequest } from '#commons/signed-request';

const config = readConfig(storeEnv.and(appSecretEnv).and(revocationEnv));
const doc = createDocumentClient();
const appSecret = await loadAppSecret(config);
const deps = {
  sessions: new SessionStore(doc, config.TABLE_NAME),
  revocations: new RevocationStore(doc, config.TABLE_NAME, { retentionMs: config.REVOCATION_RETENTION_DAYS * 24 * 3600 * 1000 }),
};

/** Facebook may add fields; only `signed_request` matters. */
const form = z.object({
  signed_request: z.string({ error: 'is missing' }).min(1, 'must not be empty').max(MAX_SIGNED_REQUEST_LENGTH, 'is too long'),
});

/**
 * Facebook's Deauthorize Callback: the person removed the app, so every session of theirs is
 * revoked (`app_removed`). Answers 200 `{}` whether or not we knew them.
 */
export const handler = httpHandler(async (event) => {
  const body = parseFormBody(event, form);
  const request = verifySignedRequest(body.signed_request, appSecret);
  const outcome = await revokeSessionsOfRemovedApp(deps, request.userId);
  logger.info('app removed on Facebook', { ...outcome });
  return json(200, {});
});
