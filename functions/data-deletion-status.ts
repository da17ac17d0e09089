import { createDocumentClient } from '#commons/platform/aws-clients';
import { readConfig, storeEnv } from '#commons/platform/config';
import { confirmationCodePath, type DataDeletionStatusAnswer } from '#commons/facebook-callbacks/api-schemas';
import { statusPage, statusView } from '#commons/facebook-callbacks/data-deletion-page';
import { prefersHtml } from '#commons/platform/html';
import { InvalidRequestError, NotFoundError } from '#commons/platform/errors';
import { header, httpHandler, json } from '#commons/platform/http';
import { PersonDataStore } from '#commons/storage/person-data-store';

const config = readConfig(storeEnv);
const store = new PersonDataStore(createDocumentClient(), config.TABLE_NAME);

/**
 * The status page of a data deletion request (the `url` the data-deletion callback answered).
 * JSON by default, a small HTML page for a browser.
 */
export const handler = httpHandler(async (event) => {
  const code = confirmationCodePath.shape.code.safeParse(event.pathParameters?.code);
  if (!code.success) {
    throw new InvalidRequestError('A confirmation code is 24 letters A-Z and digits 2-7.', [
      { field: 'code', message: 'is not a confirmation code' },
    ]);
  }
  const record = await store.getDataDeletion(code.data);
  if (!record) throw new NotFoundError('No data deletion request has this confirmation code, or its record has expired.');
  const view = statusView(record);
  if (prefersHtml(header(event, 'accept'))) return statusPage(view);
  return json(200, view satisfies DataDeletionStatusAnswer, { vary: 'accept' });
});
