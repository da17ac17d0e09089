import { adminHandler } from '#commons/admin/admin-http';
import { adminEnv, createAdminAccess } from '#commons/admin/admin-wiring';
import { adminPathParameter } from '#commons/admin/admin-request';
import { sessionsOfFacebookUser } from '#commons/admin/operator-sessions';
import { readConfig } from '#commons/platform/config';

const admin = createAdminAccess(readConfig(adminEnv));

/** `GET /admin/v1/facebook-users/{facebookUserId}/sessions`: the same, found by app-scoped Facebook id. */
export const handler = adminHandler('sessions.list', admin, async (event) => {
  const result = await sessionsOfFacebookUser(admin, adminPathParameter(event, 'facebookUserId'));
  return { status: 200, body: result, detail: { sessions: result.sessions.length } };
});
