import { loadAppSecret } from '#commons/facebook/app-secret';
import { readCallbackRequest } from '#commons/facebook-callbacks/callback-request';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { callbackEnv, dataDeletionEnv, envOf, readConfig, storeEnv } from '#commons/platform/config';
import { confirmationCodeFor, dataDeletionStatusUrl, deletePersonData } from '#commons/facebook-callbacks/data-deletion';
import { httpHandler, json } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { countingFailures, MetricName } from '#commons/platform/metrics';
import type { DataDeletionAnswer } from '#commons/facebook-callbacks/api-schemas';
import { PersonDataStore } from '#commons/storage/person-data-store';

const config = readConfig(envOf(storeEnv, callbackEnv, dataDeletionEnv));
const doc = createDocumentClient();
const appSecret = await loadAppSecret(config);
const deps = {
  personData: new PersonDataStore(doc, config.TABLE_NAME),
  recordRetentionMs: config.DATA_DELETION_RECORD_RETENTION_DAYS * 24 * 3600 * 1000,
};

/**
 * Facebook's Data Deletion Request callback: deletes everything held on the person and answers
 * the status page URL and confirmation code Facebook shows them. The log names the code, never
 * the person.
 */
export const handler = httpHandler(async (event) => {
  const request = countingFailures(MetricName.SignedRequestsRefused, () =>
    readCallbackRequest(event, appSecret, { maxAgeSeconds: config.SIGNED_REQUEST_MAX_AGE_SECONDS }),
  );
  const confirmationCode = confirmationCodeFor(request, appSecret);
  const record = await deletePersonData(deps, request.userId, confirmationCode);
  logger.info('person data deleted', { confirmationCode, status: record.status, deleted: record.deleted });
  return json(200, {
    url: dataDeletionStatusUrl(config.PUBLIC_BASE_URL, confirmationCode),
    confirmation_code: confirmationCode,
  } satisfies DataDeletionAnswer);
});
