import { adminHandler } from '#commons/admin/admin-http';
import { type CheckerRevocation, labelPath, revocationAnswer } from '#commons/inventory/inventory-admin';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';
import { createCheckerInvoker } from '#commons/inventory/lambda-invoker';
import { validateRequest } from '#commons/platform/http';

const admin = createInventoryAdmin();
const checker = createCheckerInvoker();

/**
 * `POST /admin/v1/inventory/credentials/{label}/revoke`: the checker revokes a user token through
 * Graph (`DELETE /{user-id}/permissions`). A system-user or Page token answers 409
 * `graph_cannot_revoke`: that is a step in Business settings (docs/runbook.md).
 */
export const handler = adminHandler('inventory.revoke', admin, async (event) => {
  const { label } = validateRequest(labelPath, event.pathParameters ?? {});
  const answer = revocationAnswer((await checker.invoke({ action: 'revoke', label })) as CheckerRevocation);
  return { status: 200, body: answer, detail: { label, outcome: answer.outcome } };
});
