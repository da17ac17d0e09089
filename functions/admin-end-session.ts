import { adminHandler } from '#commons/admin/admin-http';
import { adminEnv, createAdminAccess } from '#commons/admin/admin-wiring';
import { sessionIdPath } from '#commons/admin/admin-request';
import { endSessionAsOperator } from '#commons/admin/operator-sessions';
import { readConfig } from '#commons/platform/config';
import { validateRequest } from '#commons/platform/http';
import { countRevoked } from '#commons/platform/metrics';

const admin = createAdminAccess(readConfig(adminEnv));

/** `DELETE /admin/v1/sessions/{id}`: ends one live session (reason `ended_by_operator`). */
export const handler = adminHandler('session.end', admin, async (event) => {
  const ended = await endSessionAsOperator(admin.revocations, validateRequest(sessionIdPath, event.pathParameters ?? {}).id);
  countRevoked('ended_by_operator', 1);
  return { status: 204, detail: { userId: ended.userId } };
});
