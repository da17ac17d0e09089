import * as z from '#commons/platform/zod';

/**
 * The sign-in and session routes' request shapes: what handlers validate at run time. Answers are in
 * api-schemas.ts, which handlers import as types only.
 */

/** Facebook tokens are URL-safe ASCII; anything else is refused before it reaches Facebook. */
export const facebookToken = z
  .string({ error: 'must be a string' })
  .check(z.minLength(1, 'must not be empty'), z.maxLength(2048, 'is too long'), z.regex(/^[A-Za-z0-9._|-]+$/, 'has characters a Facebook token never has'));

/**
 * Exactly one of: the session-info token the app made on the device, or a user access token, which
 * the server exchanges (long-lived, then attenuated) and drops, keeping only the session-info token.
 */
export const createSessionBody = z
  .strictObject({
    sessionInfoToken: z.optional(facebookToken).check(z.meta({ description: 'The session-info token the Facebook SDK made on the device (`fb_attenuate_token`).' })),
    accessToken: z.optional(facebookToken).check(z.meta({ description: 'A user access token instead; the server attenuates it and keeps only the session-info token.' })),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.sessionInfoToken !== undefined && body.accessToken !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['accessToken'], message: 'send either sessionInfoToken or accessToken, not both' });
      } else if (body.sessionInfoToken === undefined && body.accessToken === undefined) {
        ctx.addIssue({ code: 'custom', path: ['sessionInfoToken'], message: 'required (or send accessToken instead)' });
      }
    }),
    z.meta({ id: 'CreateSession', description: 'Exactly one of `sessionInfoToken` and `accessToken`.' }),
  );

export const endAllSessionsQuery = z
  .strictObject({
    keepCurrent: z
      .optional(z.enum(['true', 'false'], { error: 'must be true or false' }))
      .check(z.meta({ description: '`true`: sign out everywhere else, keeping the session making this request.' })),
  })
  .check(z.meta({ id: 'EndAllSessionsQuery' }));
