import { adminHandler } from '#commons/admin/admin-http';
import { credentialByLabel, labelSchema } from '#commons/inventory/inventory-admin';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';
import { validateRequest } from '#commons/platform/http';
import * as z from '#commons/platform/zod';

const admin = createInventoryAdmin();
const path = z.object({ label: labelSchema });

/** `GET /admin/v1/inventory/credentials/{label}`: one entry. */
export const handler = adminHandler('inventory.show', admin, async (event) => {
  const { label } = validateRequest(path, event.pathParameters ?? {});
  return { status: 200, body: await credentialByLabel(admin.credentials, label) };
});
