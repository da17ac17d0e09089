import { revokeSessionsOfRemovedApp } from '#commons/facebook-callbacks/app-removal';
import { loadAppSecret } from '#commons/facebook/app-secret';
import { readCallbackRequest } from '#commons/facebook-callbacks/callback-request';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { callbackEnv, envOf, readConfig, revocationEnv, storeEnv } from '#commons/platform/config';
import { httpHandler, json } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { countingFailures, countRevoked, MetricName } from '#commons/platform/metrics';
import type { DeauthorizeAnswer } from '#commons/facebook-callbacks/api-schemas';
import { RevocationStore } from '#commons/storage/revocation-store';

const config = readConfig(envOf(storeEnv, callbackEnv, revocationEnv));
const doc = createDocumentClient();
const appSecret = await loadAppSecret(config);
const deps = {
  revocations: new RevocationStore(doc, config.TABLE_NAME, { retentionMs: config.REVOCATION_RETENTION_DAYS * 24 * 3600 * 1000 }),
};

/**
 * Facebook's Deauthorize Callback: the person removed the app, so every session of theirs begun
 * before the removal is revoked (`app_removed`). Answers 200 `{}` whether or not we knew them.
 */
export const handler = httpHandler(async (event) => {
  const request = countingFailures(MetricName.SignedRequestsRefused, () =>
    readCallbackRequest(event, appSecret, { maxAgeSeconds: config.SIGNED_REQUEST_MAX_AGE_SECONDS }),
  );
  const outcome = await revokeSessionsOfRemovedApp(deps, { facebookUserId: request.userId, issuedAt: request.issuedAt });
  // No ids: a data-deletion request often follows, and the logs must not keep the person it erases.
  logger.info('app removed on Facebook', { ...outcome });
  countRevoked('app_removed', outcome.revoked);
  return json(200, {} satisfies DeauthorizeAnswer);
});
