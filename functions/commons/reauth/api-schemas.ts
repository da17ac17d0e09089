import * as z from '#commons/platform/zod';
import { facebookToken, isoTime } from '#commons/sessions/api-schemas';
import { MAX_RETURN_TO_LENGTH } from '#commons/web-login/return-to';

/** The re-authentication routes' request and answer shapes (see `functions/commons/platform/api-schemas.ts`). */

export const reauthStartBody = z
  .strictObject({
    returnTo: z
      ._default(z.string().check(z.maxLength(MAX_RETURN_TO_LENGTH, `must be at most ${MAX_RETURN_TO_LENGTH} characters`)), '/')
      .check(z.meta({ description: 'Where the browser goes after the dialog (redirecting apps): the same rules as the sign-in `returnTo`.' })),
    via: z
      .optional(z.literal('web', { error: 'must be "web" (the app opens the login dialog in a web view)' }))
      .check(z.meta({ description: 'Required for sessions opened from a mobile session-info token: the app promises to open the dialog in a web view.' })),
  })
  .check(z.meta({ id: 'ReauthStart' }));

export const reauthStartAnswer = z
  .object({
    nonce: z.string().check(z.meta({ description: 'The single-use `auth_nonce` for `FB.login(…, {auth_type: "reauthenticate", auth_nonce})`.' })),
    expiresAt: isoTime,
    dialogUrl: z.string().check(z.meta({ description: 'The login dialog with `auth_type=reauthenticate`, `auth_nonce`, `state` and PKCE, for apps that redirect.' })),
  })
  .check(z.meta({ id: 'ReauthStarted' }));

export const reauthCompleteBody = z
  .strictObject({ accessToken: facebookToken.check(z.meta({ description: 'The user access token the JavaScript SDK returned from the re-authentication.' })) })
  .check(z.meta({ id: 'ReauthComplete' }));

export const reauthCompleteAnswer = z
  .object({ session: z.object({ id: z.string(), authTime: isoTime }) })
  .check(z.meta({ id: 'ReauthCompleted' }));

export const sensitiveActionAnswer = z
  .object({ done: z.literal(true), authTime: isoTime, maxAgeSeconds: z.number().check(z.int()) })
  .check(z.meta({ id: 'SensitiveActionDone' }));

export type ReauthStartAnswer = z.output<typeof reauthStartAnswer>;
export type ReauthCompleteAnswer = z.output<typeof reauthCompleteAnswer>;
export type SensitiveActionAnswer = z.output<typeof sensitiveActionAnswer>;
