import { adminHandler } from '#commons/admin/admin-http';
import type { UserSessionsAnswer } from '#commons/admin/api-schemas';
import { adminEnv, createAdminAccess } from '#commons/admin/admin-wiring';
import { userIdPath } from '#commons/admin/admin-request';
import { sessionsOfUser } from '#commons/admin/operator-sessions';
import { readConfig } from '#commons/platform/config';
import { validateRequest } from '#commons/platform/http';

const admin = createAdminAccess(readConfig(adminEnv));

/** `GET /admin/v1/users/{userId}/sessions`: a person's sessions and revocation records, newest first. */
export const handler = adminHandler('sessions.list', admin, async (event) => {
  const result = await sessionsOfUser(admin.listing, validateRequest(userIdPath, event.pathParameters ?? {}).userId);
  return { status: 200, body: result satisfies UserSessionsAnswer, detail: { sessions: result.sessions.length } };
});
