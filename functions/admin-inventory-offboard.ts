import * as z from '#commons/platform/zod';
import { adminHandler } from '#commons/admin/admin-http';
import { offboardOwner, ownerSchema } from '#commons/inventory/inventory-admin';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';
import { validateRequest } from '#commons/platform/http';

const admin = createInventoryAdmin();
const path = z.object({ owner: ownerSchema });

/**
 * `POST /admin/v1/inventory/owners/{owner}/offboard`: every entry the owner (an e-mail address or
 * an id) holds becomes `revoke_pending`, and stays flagged until Facebook says each token is dead.
 */
export const handler = adminHandler('inventory.offboard', admin, async (event, operator) => {
  const { owner } = validateRequest(path, event.pathParameters ?? {});
  const result = await offboardOwner(admin.credentials, [owner], operator.principal, Date.now());
  return { status: 200, body: result, detail: { marked: result.marked.length, unchanged: result.unchanged.length } };
});
