import * as z from '#commons/platform/zod';
import { MAX_RETURN_TO_LENGTH } from './return-to.ts';

/** The browser sign-in routes' query shapes (see `functions/commons/platform/api-schemas.ts`). */

export const loginQuery = z
  .object({
    returnTo: z
      ._default(z.string().check(z.maxLength(MAX_RETURN_TO_LENGTH, `must be at most ${MAX_RETURN_TO_LENGTH} characters`)), '/')
      .check(z.meta({ description: 'Where the browser goes after signing in: a path on this API, or a URL on an origin of RETURN_TO_ALLOWED_ORIGINS.' })),
  })
  .check(z.meta({ id: 'LoginQuery' }));

/** What Facebook sends back; anything else it adds (error_description, `#_=_`) is ignored. */
export const callbackQuery = z
  .object({
    code: z.optional(z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(4096, 'is too long'))),
    state: z.optional(z.string().check(z.maxLength(512, 'is too long'))),
    error: z.optional(z.string().check(z.maxLength(512, 'is too long'))),
    error_code: z.optional(z.string().check(z.maxLength(64, 'is too long'))),
  })
  .check(z.meta({ id: 'LoginCallbackQuery' }));
