import { adminHandler } from '#commons/admin/admin-http';
import type { UserSessionsAnswer } from '#commons/admin/api-schemas';
import { adminEnv, createAdminAccess } from '#commons/admin/admin-wiring';
import { facebookUserIdPath } from '#commons/admin/admin-request';
import { sessionsOfFacebookUser } from '#commons/admin/operator-sessions';
import { readConfig } from '#commons/platform/config';
import { validateRequest } from '#commons/platform/http';

const admin = createAdminAccess(readConfig(adminEnv));

/** `GET /admin/v1/facebook-users/{facebookUserId}/sessions`: the same, found by app-scoped Facebook id. */
export const handler = adminHandler('sessions.list', admin, async (event) => {
  const result = await sessionsOfFacebookUser(admin, validateRequest(facebookUserIdPath, event.pathParameters ?? {}).facebookUserId);
  return { status: 200, body: result satisfies UserSessionsAnswer, detail: { sessions: result.sessions.length } };
});
