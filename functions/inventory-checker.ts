import * as z from '#commons/platform/zod';
import { createInventoryChecker, inventoryCheckerEnv } from '#commons/inventory/checker-wiring';
import { readConfig } from '#commons/platform/config';

const checker = await createInventoryChecker(readConfig(inventoryCheckerEnv));

/** The daily schedule sends EventBridge's event; the admin API sends `{action: 'check'}` or `{action: 'revoke', label}`. */
const request = z.union([
  z.object({ action: z.literal('revoke'), label: z.string().check(z.minLength(1)) }),
  z.object({ action: z.literal('check') }),
  z.pipe(
    z.object({ source: z.literal('aws.events') }),
    z.transform(() => ({ action: 'check' as const })),
  ),
]);

/**
 * The credential inventory's checker: the daily check (EventBridge) and, for operators, a check
 * now or a Graph revocation. The only function that may read the registered secrets.
 */
export const handler = async (event: unknown) => checker.handle(request.parse(event));
