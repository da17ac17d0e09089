import * as z from '#commons/platform/zod';

const days = z.coerce.number().check(z.int(), z.positive(), z.lte(3650));

/** The daily check's thresholds (its flags), read once at cold start by the checker. */
export const inventoryCheckEnv = z.object({
  /** A token expiring within this many days is flagged `expiring_soon`. */
  INVENTORY_EXPIRING_WITHIN_DAYS: z._default(days, 14),
  /** A never-expiring token older than this is flagged `never_expiring_too_old`. */
  INVENTORY_ROTATION_MAX_AGE_DAYS: z._default(days, 90),
  /** The app secret older than this since its last rotation is flagged `secret_too_old`. */
  APP_SECRET_MAX_AGE_DAYS: z._default(days, 365),
});

/** The admin functions that start the checker (`check-now`, `revoke`): its function name. */
export const inventoryCheckerEnv = z.object({
  INVENTORY_CHECKER_FUNCTION: z.string().check(z.minLength(1)),
});
