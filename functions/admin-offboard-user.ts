import { adminHandler } from '#commons/admin/admin-http';
import type { OffboardReportAnswer } from '#commons/admin/api-schemas';
import { adminEnv, createAdminAccess } from '#commons/admin/admin-wiring';
import { userIdPath } from '#commons/admin/admin-request';
import { offboardSteps } from '#commons/admin/offboard-steps';
import { offboardDetail, offboardUser, sessionsEnded } from '#commons/admin/offboarding';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { readConfig } from '#commons/platform/config';
import { validateRequest } from '#commons/platform/http';
import { countRevoked } from '#commons/platform/metrics';

const config = readConfig(adminEnv);
const doc = createDocumentClient();
const admin = createAdminAccess(config, doc);
// Only offboarding runs the other steps (the inventory's among them): the other admin functions do not carry them.
const deps = { listing: admin.listing, revocations: admin.revocations, steps: offboardSteps({ doc, tableName: config.TABLE_NAME }) };

/**
 * `POST /admin/v1/users/{userId}/offboard`: ends every session of the person (reason `offboarded`)
 * and runs the other offboarding steps; answers what each step did.
 */
export const handler = adminHandler('user.offboard', admin, async (event, operator) => {
  const report = await offboardUser(deps, validateRequest(userIdPath, event.pathParameters ?? {}).userId, operator);
  countRevoked('offboarded', sessionsEnded(report));
  return { status: 200, body: report satisfies OffboardReportAnswer, detail: offboardDetail(report) };
});
