import { REVOCATION_REASONS } from '#commons/sessions/model';
import { REAUTH_FAILURE_REASONS } from './errors.ts';
import * as z from './zod.ts';

/**
 * The parts of the public HTTP contract every route shares: the error body and its codes. The
 * OpenAPI description (`local/openapi.ts`, `docs/openapi.json`) is built from these schemas and
 * those beside each capability (`<capability>/api-schemas.ts`), named in `functions/routes.ts`.
 */

/**
 * Every `code` a client may see, with its HTTP status. Adding one is a minor change; changing or
 * removing one is breaking (docs/versioning.md).
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_signed_request: 400,
  login_state_invalid: 400,
  login_state_expired: 400,
  login_browser_mismatch: 400,
  authorization_code_used: 400,
  authorization_code_rejected: 400,
  invalid_token: 401,
  token_expired: 401,
  unauthenticated: 401,
  session_revoked: 401,
  reauth_failed: 401,
  reauthentication_required: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  reauth_unsupported: 409,
  conflict: 409,
  graph_cannot_revoke: 409,
  already_closed: 409,
  payload_too_large: 413,
  internal_error: 500,
  facebook_unavailable: 503,
  sign_in_contention: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const errorAnswer = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().check(z.meta({ description: 'For humans; may change without notice. Programs read `code`.' })),
      issues: z
        .optional(z.array(z.object({ field: z.string(), message: z.string() })))
        .check(z.meta({ description: 'With `invalid_request`: which fields are wrong.' })),
      reason: z
        .optional(z.enum([...REVOCATION_REASONS, ...REAUTH_FAILURE_REASONS]))
        .check(z.meta({ description: 'With `session_revoked`: why the session was revoked; with `reauth_failed`: why the re-authentication was refused.' })),
      maxAgeSeconds: z
        .optional(z.number().check(z.int()))
        .check(z.meta({ description: 'With `reauthentication_required`: how recent the sign-in must be.' })),
    }),
  })
  .check(z.meta({ id: 'Error' }));

export const healthAnswer = z.object({ status: z.literal('ok') }).check(z.meta({ id: 'Health' }));
export type HealthAnswer = z.input<typeof healthAnswer>;

/**
 * What a handler may answer for an answer schema: its input type, read-only all the way down, so a
 * domain object with readonly fields and arrays (`Credential`, `SessionView`) `satisfies` it.
 */
export type AnswerOf<S extends z.core.$ZodType> = DeepReadonly<z.input<S>>;
type DeepReadonly<T> = T extends readonly (infer E)[] ? readonly DeepReadonly<E>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
