import { createAuditLog } from '#commons/admin/admin-wiring';
import type { AuditLog } from '#commons/admin/ports';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { auditEnv, envOf, readConfig, storeEnv } from '#commons/platform/config';
import { CredentialStore } from '#commons/storage/credential-store';
import type { CredentialRepository } from './ports.ts';

export interface InventoryAdmin {
  readonly audit: AuditLog;
  readonly credentials: CredentialRepository;
}

/** The inventory's admin functions touch the table and keep audit records; no session or revocation store. */
const inventoryAdminEnv = envOf(storeEnv, auditEnv);

/**
 * The inventory's admin functions, built once per cold start: the credential store and the audit
 * log, nothing of sessions (so their bundles carry none of it). The two routes that start the
 * checker add `checkerInvoker` (lambda-invoker.ts): the others neither may nor do carry the
 * Lambda client.
 */
export function createInventoryAdmin(env: NodeJS.ProcessEnv = process.env): InventoryAdmin {
  const config = readConfig(inventoryAdminEnv, env);
  const doc = createDocumentClient();
  return { audit: createAuditLog(config, doc), credentials: new CredentialStore(doc, config.TABLE_NAME) };
}
