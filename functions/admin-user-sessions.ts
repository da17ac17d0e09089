import { adminHandler } from '#commons/admin/admin-http';
import { adminEnv, createAdminAccess } from '#commons/admin/admin-wiring';
import { adminPathParameter } from '#commons/admin/admin-request';
import { sessionsOfUser } from '#commons/admin/operator-sessions';
import { readConfig } from '#commons/platform/config';

const admin = createAdminAccess(readConfig(adminEnv));

/** `GET /admin/v1/users/{userId}/sessions`: a person's sessions and revocation records, newest first. */
export const handler = adminHandler('sessions.list', admin, async (event) => {
  const result = await sessionsOfUser(admin.listing, adminPathParameter(event, 'userId'));
  return { status: 200, body: result, detail: { sessions: result.sessions.length } };
});
