import * as z from '#commons/platform/zod';
import { facebookToken } from '#commons/sessions/requests';
import { MAX_RETURN_TO_LENGTH } from '#commons/web-login/return-to';

/** The re-authentication routes' request shapes: what handlers validate at run time. */

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

export const reauthCompleteBody = z
  .strictObject({ accessToken: facebookToken.check(z.meta({ description: 'The user access token the JavaScript SDK returned from the re-authentication.' })) })
  .check(z.meta({ id: 'ReauthComplete' }));
