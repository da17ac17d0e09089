import { readConfig } from '#commons/platform/config';
import { httpHandler, json } from '#commons/platform/http';
import { createSessionAccess, sessionAccessEnv } from '#commons/sessions/session-access-wiring';
import { authenticate } from '#commons/sessions/sessions';
import type { CurrentSessionAnswer } from '#commons/sessions/api-schemas';

const { store, credentialOf } = createSessionAccess(readConfig(sessionAccessEnv));

/** The live session of the Bearer token or, from a browser, of the session cookie. */
export const handler = httpHandler(async (event) => {
  const session = await authenticate(store, credentialOf(event).token);
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
  } satisfies CurrentSessionAnswer);
});
