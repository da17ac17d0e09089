import { adminHandler } from '#commons/admin/admin-http';
import type { OwnerOffboardingAnswer } from '#commons/inventory/api-schemas';
import { offboardOwner, ownerPath } from '#commons/inventory/inventory-admin';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';
import { validateRequest } from '#commons/platform/http';

const admin = createInventoryAdmin();

/**
 * `POST /admin/v1/inventory/owners/{owner}/offboard`: every entry the owner (an e-mail address or
 * an id) holds becomes `revoke_pending`, and stays flagged until Facebook says each token is dead.
 */
export const handler = adminHandler('inventory.offboard', admin, async (event, operator) => {
  const { owner } = validateRequest(ownerPath, event.pathParameters ?? {});
  const result = await offboardOwner(admin.credentials, [owner], operator.principal, Date.now());
  return { status: 200, body: result satisfies OwnerOffboardingAnswer, detail: { marked: result.marked.length, unchanged: result.unchanged.length } };
});
