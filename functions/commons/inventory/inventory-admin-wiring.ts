import { type AdminAccess, adminEnv, createAdminAccess } from '#commons/admin/admin-wiring';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { readConfig } from '#commons/platform/config';
import { CredentialStore } from '#commons/storage/credential-store';
import type { CredentialRepository } from './ports.ts';

export interface InventoryAdmin extends AdminAccess {
  readonly credentials: CredentialRepository;
}

/**
 * The inventory's admin functions, built once per cold start on the admin API's own wiring. The
 * two routes that start the checker add `checkerInvoker` (lambda-invoker.ts): the others neither
 * may nor do carry the Lambda client.
 */
export function createInventoryAdmin(env: NodeJS.ProcessEnv = process.env): InventoryAdmin {
  const config = readConfig(adminEnv, env);
  const doc = createDocumentClient();
  return { ...createAdminAccess(config, doc), credentials: new CredentialStore(doc, config.TABLE_NAME) };
}
