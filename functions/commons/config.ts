import * as z from 'zod';

/**
 * Environment, checked once at cold start. Each Lambda entry reads only the sections it needs, so a
 * function is never handed a setting (or a permission) it has no use for.
 */
const positiveInt = z.coerce.number().int().positive();

export const storeEnv = z.object({
  TABLE_NAME: z.string().min(1),
});

export const vaultEnv = z.object({
  /** Key id, ARN or alias of the customer-managed key that wraps the data keys. */
  KMS_KEY_ID: z.string().min(1),
});

export const facebookEnv = z
  .object({
    FACEBOOK_APP_ID: z.string().regex(/^\d{1,32}$/, 'must be the numeric Facebook app id'),
    /** Locally the secret itself; in AWS only the ARN of the Secrets Manager secret that holds it. */
    FACEBOOK_APP_SECRET: z.string().min(1).optional(),
    FACEBOOK_APP_SECRET_ARN: z.string().startsWith('arn:').optional(),
    GRAPH_API_URL: z.url().default('https://graph.facebook.com'),
    GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/).default('v21.0'),
    GRAPH_TIMEOUT_MS: positiveInt.default(3000),
  })
  .refine((env) => Boolean(env.FACEBOOK_APP_SECRET) !== Boolean(env.FACEBOOK_APP_SECRET_ARN), {
    message: 'set exactly one of FACEBOOK_APP_SECRET (local) and FACEBOOK_APP_SECRET_ARN (AWS)',
    path: ['FACEBOOK_APP_SECRET'],
  });

export const sessionEnv = z.object({
  /** Absolute session lifetime; a session never outlives its Facebook session-info token either. */
  SESSION_MAX_AGE_SECONDS: positiveInt.default(30 * 24 * 3600),
});

export const revocationEnv = z.object({
  /** How long a revocation record is kept for audit. */
  REVOCATION_RETENTION_DAYS: positiveInt.default(90),
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` against `schema`; a missing or bad variable fails with its name. */
export function readConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}
