import * as z from '#commons/platform/zod';

/**
 * The sign-in and session routes' answer shapes, and their request shapes from requests.ts, for
 * the route table and the OpenAPI description (see `functions/commons/platform/api-schemas.ts`).
 * Handlers import answers as types only and requests from requests.ts, so no handler bundles the
 * answer schemas (zod schemas are not shaken out of a module a handler imports).
 */
export { createSessionBody, endAllSessionsQuery, facebookToken } from './requests.ts';

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

export const endAllSessionsAnswer = z
  .object({ ended: z.number().check(z.int(), z.nonnegative(), z.meta({ description: 'Sessions this request ended.' })), keptCurrent: z.boolean() })
  .check(z.meta({ id: 'SessionsEnded' }));

/** Any id is accepted here: one that is not a live session of the caller's is 404, whatever it looks like. */
export const sessionIdPath = z
  .object({ id: z.string().check(z.meta({ description: 'A session id (`ses_…`) from `GET /v1/sessions`.' })) })
  .check(z.meta({ id: 'SessionIdPath' }));

export type OwnSessionsAnswer = z.input<typeof ownSessionsAnswer>;
export type EndAllSessionsAnswer = z.input<typeof endAllSessionsAnswer>;
