import { adminHandler } from '#commons/admin/admin-http';
import type { CredentialAnswer } from '#commons/inventory/api-schemas';
import { newCredentialSchema, registerCredential } from '#commons/inventory/inventory-admin';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';
import { parseJsonBody } from '#commons/platform/http';

const admin = createInventoryAdmin();

/** `POST /admin/v1/inventory/credentials`: registers a long-lived credential by the secret that holds it. */
export const handler = adminHandler('inventory.add', admin, async (event) => {
  const credential = await registerCredential(admin.credentials, parseJsonBody(event, newCredentialSchema), Date.now());
  return { status: 200, body: credential satisfies CredentialAnswer, detail: { label: credential.label, kind: credential.kind } };
});
