import { adminHandler } from '#commons/admin/admin-http';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';

const admin = createInventoryAdmin();

/** `POST /admin/v1/inventory/checks`: runs the daily check now, in the checker, and answers its report. */
export const handler = adminHandler('inventory.check', admin, async () => {
  const report = (await admin.checker().invoke({ action: 'check' })) as { entries?: number; uncheckable?: number };
  return { status: 200, body: report, detail: { entries: report.entries ?? 0, uncheckable: report.uncheckable ?? 0 } };
});
