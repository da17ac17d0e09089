import { LambdaClient } from '@aws-sdk/client-lambda';
import { type AdminAccess, adminEnv, createAdminAccess } from '#commons/admin/admin-wiring';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { readConfig } from '#commons/platform/config';
import { traced } from '#commons/platform/tracer';
import { CredentialStore } from '#commons/storage/credential-store';
import { inventoryCheckerEnv } from './inventory-config.ts';
import { LambdaCheckerInvoker } from './lambda-invoker.ts';
import type { CheckerInvoker, CredentialRepository } from './ports.ts';

export interface InventoryAdmin extends AdminAccess {
  readonly credentials: CredentialRepository;
  /** Only for the routes that start the checker (`check-now`, `revoke`). */
  readonly checker: () => CheckerInvoker;
}

/** The inventory's admin functions, built once per cold start on the admin API's own wiring. */
export function createInventoryAdmin(env: NodeJS.ProcessEnv = process.env): InventoryAdmin {
  const config = readConfig(adminEnv, env);
  const doc = createDocumentClient();
  const access = createAdminAccess(config, doc);
  let invoker: CheckerInvoker | undefined;
  return {
    ...access,
    credentials: new CredentialStore(doc, config.TABLE_NAME),
    checker: () => (invoker ??= new LambdaCheckerInvoker(traced(new LambdaClient({})), readConfig(inventoryCheckerEnv, env).INVENTORY_CHECKER_FUNCTION)),
  };
}
