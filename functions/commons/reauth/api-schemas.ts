import * as z from '#commons/platform/zod';
import { isoTime } from '#commons/sessions/api-schemas';

/**
 * The re-authentication routes' answer shapes, and their request shapes from requests.ts (see
 * `functions/commons/sessions/api-schemas.ts` for why handlers import answers as types only).
 */
export { reauthCompleteBody, reauthStartBody } from './requests.ts';

export const reauthStartAnswer = z
  .object({
    nonce: z.string().check(z.meta({ description: 'The single-use `auth_nonce` for `FB.login(…, {auth_type: "reauthenticate", auth_nonce})`.' })),
    expiresAt: isoTime,
    dialogUrl: z.string().check(z.meta({ description: 'The login dialog with `auth_type=reauthenticate`, `auth_nonce`, `state` and PKCE, for apps that redirect.' })),
  })
  .check(z.meta({ id: 'ReauthStarted' }));

export const reauthCompleteAnswer = z
  .object({ session: z.object({ id: z.string(), authTime: isoTime }) })
  .check(z.meta({ id: 'ReauthCompleted' }));

export const sensitiveActionAnswer = z
  .object({ done: z.literal(true), authTime: isoTime, maxAgeSeconds: z.number().check(z.int()) })
  .check(z.meta({ id: 'SensitiveActionDone' }));

export type ReauthStartAnswer = z.output<typeof reauthStartAnswer>;
export type ReauthCompleteAnswer = z.output<typeof reauthCompleteAnswer>;
export type SensitiveActionAnswer = z.output<typeof sensitiveActionAnswer>;
