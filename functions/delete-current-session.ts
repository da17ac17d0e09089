import { createDocumentClient } from '#commons/aws-clients';
import { readConfig, storeEnv } from '#commons/config';
import { bearerToken, httpHandler, noContent } from '#commons/http';
import { logger } from '#commons/logger';
import { SessionStore } from '#commons/repository';
import { signOut } from '#commons/sessions';

const config = readConfig(storeEnv);
const store = new SessionStore(createDocumentClient(), config.TABLE_NAME);

export const handler = httpHandler(async (event) => {
  await signOut(store, bearerToken(event));
  logger.info('session ended by its holder');
  return noContent();
});
