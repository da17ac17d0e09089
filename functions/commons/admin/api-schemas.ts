import * as z from '#commons/platform/zod';
import type { AnswerOf } from '#commons/platform/api-schemas';
import { SIGN_IN_METHODS } from '#commons/sessions/model';
import { isoTime } from '#commons/sessions/api-schemas';

/**
 * What the admin routes on people and their sessions answer, as the admin OpenAPI description
 * (`docs/admin-openapi.json`, named in `functions/admin-routes.ts`) shows it. The handlers only
 * import the types (`satisfies`), so these schemas stay out of their bundles.
 */

/** A session as an operator sees it (`SessionView`): revocation records too, with their reason. */
const operatorSessionView = z.object({
  id: z.string(),
  createdAt: isoTime,
  expiresAt: isoTime,
  authTime: isoTime,
  via: z.enum(['mobile', 'web', 'unknown']).check(z.meta({ description: 'From `signInMethod`; `unknown` for sessions opened before it was recorded.' })),
  signInMethod: z.optional(z.enum(SIGN_IN_METHODS)),
  device: z.string().check(z.meta({ description: 'A short label from the User-Agent at sign-in ("Unknown device" when none was recorded).' })),
  status: z.enum(['active', 'revoked']),
  revokedReason: z.optional(z.string()).check(z.meta({ description: 'With `revoked`: the revocation reason (`password_changed`, `ended_by_operator`, `offboarded`, …).' })),
  revokedAt: z.optional(isoTime),
});

export const userSessionsAnswer = z
  .object({
    user: z.object({ id: z.string(), facebookUserId: z.string() }),
    sessions: z.array(operatorSessionView).check(z.meta({ description: 'Live sessions and the revocation records still kept, newest first.' })),
  })
  .check(z.meta({ id: 'UserSessions' }));

export const offboardReportAnswer = z
  .object({
    userId: z.string(),
    facebookUserId: z.string(),
    steps: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).check(
      z.meta({
        description:
          'What each offboarding step did, by step name: `sessions` (`ended`, `alreadyEnded`), then the steps in `functions/commons/admin/offboard-steps.ts` (`credentials`: `marked`, `unchanged`, `revocableFromCli`, `revokeInBusinessSettings`).',
      }),
    ),
  })
  .check(z.meta({ id: 'OffboardReport' }));

export type UserSessionsAnswer = AnswerOf<typeof userSessionsAnswer>;
export type OffboardReportAnswer = AnswerOf<typeof offboardReportAnswer>;
