import { revokeSessionsOfRemovedApp } from '#commons/facebook-callbacks/app-removal';
import { loadAppSecret } from '#commons/facebook/app-secret';
import { readCallbackRequest } from '#commons/facebook-callbacks/callback-request';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { appSecretEnv, readConfig, revocationEnv, storeEnv } from '#commons/platform/config';
import { httpHandler, json } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { count, countBy, countingFailures, MetricName } from '#commons/platform/metrics';
import type { DeauthorizeAnswer } from '#commons/facebook-callbacks/api-schemas';
import { AppRemovalStore } from '#commons/storage/app-removal-store';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SessionStore } from '#commons/storage/session-store';

const config = readConfig(storeEnv.and(appSecretEnv).and(revocationEnv));
const doc = createDocumentClient();
const appSecret = await loadAppSecret(config);
const deps = {
  sessions: new SessionStore(doc, config.TABLE_NAME),
  revocations: new RevocationStore(doc, config.TABLE_NAME, { retentionMs: config.REVOCATION_RETENTION_DAYS * 24 * 3600 * 1000 }),
  removals: new AppRemovalStore(doc, config.TABLE_NAME),
};

/**
 * Facebook's Deauthorize Callback: the person removed the app, so every session of theirs is
 * revoked (`app_removed`). Answers 200 `{}` whether or not we knew them.
 */
export const handler = httpHandler(async (event) => {
  const { payload } = countingFailures(MetricName.SignedRequestsRefused, () => readCallbackRequest(event, appSecret));
  const outcome = await revokeSessionsOfRemovedApp(deps, payload.userId, payload.issuedAt * 1000);
  // No ids: a data-deletion request often follows, and the logs must not keep the person it erases.
  logger.info('app removed on Facebook', { ...outcome });
  if (outcome.revoked > 0) {
    count(MetricName.SessionsRevoked, outcome.revoked);
    countBy(MetricName.SessionsRevokedByReason, 'reason', 'app_removed', outcome.revoked);
  }
  return json(200, {} satisfies DeauthorizeAnswer);
});
