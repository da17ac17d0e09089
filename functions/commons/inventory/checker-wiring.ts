import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from '#commons/platform/zod';
import { loadAppSecret } from '#commons/facebook/app-secret';
import { createGraphClient } from '#commons/facebook/graph-client';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { envOf, facebookEnv, storeEnv } from '#commons/platform/config';
import { SessionGuardError } from '#commons/platform/errors';
import { traced } from '#commons/platform/tracer';
import { logger } from '#commons/platform/logger';
import { flushMetrics, metrics } from '#commons/platform/metrics';
import { CredentialStore } from '#commons/storage/credential-store';
import { type InventoryCheckDeps, runInventoryCheck } from './inventory-check.ts';
import { inventoryCheckEnv } from './inventory-config.ts';
import type { CheckerRequest } from './ports.ts';
import { revokeCredential, type RevokeDeps } from './revoke-credential.ts';
import { SecretsManagerVault } from './secrets-vault.ts';

/** What the checker needs: the table, Facebook as our app, the secrets, and the flag thresholds. */
export const inventoryCheckerEnv = envOf(storeEnv, facebookEnv, inventoryCheckEnv);
export type InventoryCheckerConfig = z.output<typeof inventoryCheckerEnv>;

/** A batch of 50 checks takes longer than the single check GRAPH_TIMEOUT_MS is sized for. */
const BATCH_TIMEOUT_MS = 10_000;

/**
 * The checker, built once per cold start: the only function whose role may read the inventory's
 * secrets. It runs the daily check (EventBridge), and on an operator's request (through the admin
 * API) a check now or the Graph revocation of one user token.
 */
export async function createInventoryChecker(config: InventoryCheckerConfig, doc: DynamoDBDocumentClient = createDocumentClient()) {
  const appSecret = await loadAppSecret(config);
  const graph = createGraphClient(config, appSecret, BATCH_TIMEOUT_MS);
  const repository = new CredentialStore(doc, config.TABLE_NAME);
  const vault = new SecretsManagerVault(traced(new SecretsManagerClient({})));
  const check: InventoryCheckDeps = {
    repository,
    vault,
    checker: graph.batchChecker(),
    appId: config.FACEBOOK_APP_ID,
    settings: {
      expiringWithinDays: config.INVENTORY_EXPIRING_WITHIN_DAYS,
      rotationMaxAgeDays: config.INVENTORY_ROTATION_MAX_AGE_DAYS,
      appSecretMaxAgeDays: config.APP_SECRET_MAX_AGE_DAYS,
    },
    metrics,
    log: (message, detail) => logger.info(message, detail),
  };
  const revoke: RevokeDeps = { repository, vault, graph: graph.transport, tokens: graph.tokens };
  return {
    async handle(request: CheckerRequest) {
      if (request.action === 'revoke') {
        const result = await revokeCredential(revoke, request.label).catch((error: unknown) => {
          // A refusal (no such entry, closed, not revocable through Graph) is an answer, not a failure.
          if (error instanceof SessionGuardError && error.status < 500) return { label: request.label, outcome: 'refused' as const, code: error.code, status: error.status, message: error.message };
          throw error;
        });
        logger.info('inventory revocation', { label: result.label, outcome: result.outcome });
        return result;
      }
      try {
        return await runInventoryCheck(check);
      } finally {
        flushMetrics(metrics);
      }
    },
  };
}
