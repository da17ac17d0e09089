import { adminHandler } from '#commons/admin/admin-http';
import type { CredentialsAnswer } from '#commons/inventory/api-schemas';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';

const admin = createInventoryAdmin();

/** `GET /admin/v1/inventory/credentials`: every entry, with its status, flags and last check. */
export const handler = adminHandler('inventory.list', admin, async () => {
  const credentials = await admin.credentials.list();
  return { status: 200, body: { credentials } satisfies CredentialsAnswer, detail: { entries: credentials.length } };
});
