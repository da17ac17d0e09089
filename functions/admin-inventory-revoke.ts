import { adminHandler } from '#commons/admin/admin-http';
import type { CredentialRevocationAnswer } from '#commons/inventory/api-schemas';
import { labelPath } from '#commons/inventory/inventory-admin';
import { createInventoryAdmin } from '#commons/inventory/inventory-admin-wiring';
import { createCheckerInvoker } from '#commons/inventory/lambda-invoker';
import { ConflictError, NotFoundError } from '#commons/platform/errors';
import { validateRequest } from '#commons/platform/http';

const admin = createInventoryAdmin();
const checker = createCheckerInvoker();

/** The checker's answer: `revokeCredential`'s result, or a refusal it reported with its code and status. */
type CheckerRevocation = CredentialRevocationAnswer & { readonly code?: string; readonly status?: number };

/**
 * `POST /admin/v1/inventory/credentials/{label}/revoke`: the checker revokes a user token through
 * Graph (`DELETE /{user-id}/permissions`). A system-user or Page token answers 409
 * `graph_cannot_revoke`: that is a step in Business settings (docs/runbook.md).
 */
export const handler = adminHandler('inventory.revoke', admin, async (event) => {
  const { label } = validateRequest(labelPath, event.pathParameters ?? {});
  const result = (await checker.invoke({ action: 'revoke', label })) as CheckerRevocation;
  if (result.status === 404) throw new NotFoundError(result.message ?? 'No inventory entry by that label.');
  if (result.code === 'graph_cannot_revoke' || result.code === 'already_closed') throw new ConflictError(result.code, result.message ?? '');
  return { status: 200, body: result, detail: { label, outcome: result.outcome } };
});
