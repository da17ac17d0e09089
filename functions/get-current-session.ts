import { createDocumentClient } from '#commons/aws-clients';
import { readConfig, storeEnv } from '#commons/config';
import { bearerToken, httpHandler, json } from '#commons/http';
import { SessionStore } from '#commons/repository';
import { authenticate } from '#commons/sessions';

const config = readConfig(storeEnv);
const store = new SessionStore(createDocumentClient(), config.TABLE_NAME);

export const handler = httpHandler(async (event) => {
  const session = await authenticate(store, bearerToken(event));
  const iso = (ms: number) => new Date(ms).toISOString();
  return json(200, {
    session: {
      id: session.id,
      createdAt: iso(session.createdAt),
      expiresAt: iso(session.expiresAt),
      authTime: iso(session.authTime),
      status: session.status,
    },
    user: { id: session.userId, facebookUserId: session.facebookUserId },
  });
});
