import { adminHandler } from '#commons/admin/admin-http';
import type { InventoryCheckAnswer } from '#commons/inventory/api-schemas';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';
import { createCheckerInvoker } from '#commons/inventory/lambda-invoker';

const admin = createInventoryAdmin();
const checker = createCheckerInvoker();

/** `POST /admin/v1/inventory/checks`: runs the daily check now, in the checker, and answers its report. */
export const handler = adminHandler('inventory.check', admin, async () => {
  // The checker answers runInventoryCheck's report (its type satisfies InventoryCheckAnswer).
  const report = (await checker.invoke({ action: 'check' })) as InventoryCheckAnswer;
  return { status: 200, body: report, detail: { entries: report.entries, uncheckable: report.uncheckable } };
});
