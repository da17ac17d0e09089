import * as z from '#commons/platform/zod';

/** The sign-in and session routes' request and answer shapes (see `functions/commons/platform/api-schemas.ts`). */

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

export const isoTime = z.iso.datetime();

export const createSessionAnswer = z
  .object({
    sessionToken: z.string().check(z.meta({ description: 'Send as `Authorization: Bearer <sessionToken>`; keep it in the Keychain or encrypted storage.' })),
    expiresAt: isoTime,
    user: z.object({ id: z.string(), facebookUserId: z.string(), created: z.boolean() }),
  })
  .check(z.meta({ id: 'SessionCreated' }));

export const currentSessionAnswer = z
  .object({
    session: z.object({
      id: z.string(),
      createdAt: isoTime,
      expiresAt: isoTime,
      authTime: isoTime.check(z.meta({ description: "The session-info token's issued_at: the latest moment Facebook vouched for the person." })),
      status: z.enum(['active', 'revoked']).check(z.meta({ description: 'Always `active` here: a revoked session is answered with 401 `session_revoked`.' })),
    }),
    user: z.object({ id: z.string(), facebookUserId: z.string() }),
  })
  .check(z.meta({ id: 'CurrentSession' }));

export type CreateSessionAnswer = z.input<typeof createSessionAnswer>;
export type CurrentSessionAnswer = z.input<typeof currentSessionAnswer>;

/** `GET /v1/sessions`: the person's live sessions, newest first. */
export const ownSessionsAnswer = z
  .object({
    sessions: z.array(
      z.object({
        id: z.string(),
        createdAt: isoTime,
        expiresAt: isoTime,
        authTime: isoTime,
        via: z.enum(['mobile', 'web', 'unknown']).check(
          z.meta({
            description:
              "How the session was opened, from its `signInMethod`: `web` (browser sign-in) or `mobile` (`POST /v1/sessions`); `unknown` for sessions opened before it was recorded.",
          }),
        ),
        device: z.string().check(z.meta({ description: 'A short label from the User-Agent at sign-in ("Chrome on macOS"), never the header itself.' })),
        current: z.boolean().check(z.meta({ description: 'The session making this request.' })),
      }),
    ),
  })
  .check(z.meta({ id: 'OwnSessions' }));

export const endAllSessionsQuery = z
  .strictObject({
    keepCurrent: z
      .optional(z.enum(['true', 'false'], { error: 'must be true or false' }))
      .check(z.meta({ description: '`true`: sign out everywhere else, keeping the session making this request.' })),
  })
  .check(z.meta({ id: 'EndAllSessionsQuery' }));

export const endAllSessionsAnswer = z
  .object({ ended: z.number().check(z.int(), z.nonnegative(), z.meta({ description: 'Sessions this request ended.' })), keptCurrent: z.boolean() })
  .check(z.meta({ id: 'SessionsEnded' }));

/** Any id is accepted here: one that is not a live session of the caller's is 404, whatever it looks like. */
export const sessionIdPath = z
  .object({ id: z.string().check(z.meta({ description: 'A session id (`ses_…`) from `GET /v1/sessions`.' })) })
  .check(z.meta({ id: 'SessionIdPath' }));

export type OwnSessionsAnswer = z.input<typeof ownSessionsAnswer>;
export type EndAllSessionsAnswer = z.input<typeof endAllSessionsAnswer>;
