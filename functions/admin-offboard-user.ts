import { adminHandler } from '#commons/admin/admin-http';
import { adminEnv, createAdminAccess } from '#commons/admin/admin-wiring';
import { adminPathParameter } from '#commons/admin/admin-request';
import { offboardDetail, offboardUser, sessionsEnded } from '#commons/admin/offboarding';
import { readConfig } from '#commons/platform/config';
import { countRevoked } from '#commons/platform/metrics';

const admin = createAdminAccess(readConfig(adminEnv));
const deps = { listing: admin.listing, revocations: admin.revocations, steps: admin.offboardSteps };

/**
 * `POST /admin/v1/users/{userId}/offboard`: ends every session of the person (reason `offboarded`)
 * and runs the other offboarding steps; answers what each step did.
 */
export const handler = adminHandler('user.offboard', admin, async (event, operator) => {
  const report = await offboardUser(deps, adminPathParameter(event, 'userId'), operator);
  countRevoked('offboarded', sessionsEnded(report));
  return { status: 200, body: report, detail: offboardDetail(report) };
});
