import { adminHandler } from '#commons/admin/admin-http';
import type { CredentialAnswer } from '#commons/inventory/api-schemas';
import { credentialByLabel, labelPath } from '#commons/inventory/inventory-admin';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';
import { validateRequest } from '#commons/platform/http';

const admin = createInventoryAdmin();

/** `GET /admin/v1/inventory/credentials/{label}`: one entry. */
export const handler = adminHandler('inventory.show', admin, async (event) => {
  const { label } = validateRequest(labelPath, event.pathParameters ?? {});
  return { status: 200, body: (await credentialByLabel(admin.credentials, label)) satisfies CredentialAnswer };
});
