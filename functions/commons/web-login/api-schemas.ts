import * as z from 'zod';
import { MAX_RETURN_TO_LENGTH } from './return-to.ts';

/** The browser sign-in routes' query shapes (see `functions/commons/platform/api-schemas.ts`). */

export const loginQuery = z
  .object({
    returnTo: z
      .string()
      .max(MAX_RETURN_TO_LENGTH, `must be at most ${MAX_RETURN_TO_LENGTH} characters`)
      .default('/')
      .meta({ description: 'Where the browser goes after signing in: a path on this API, or a URL on an origin of RETURN_TO_ALLOWED_ORIGINS.' }),
  })
  .meta({ id: 'LoginQuery' });

/** What Facebook sends back; anything else it adds (error_description, `#_=_`) is ignored. */
export const callbackQuery = z
  .object({
    code: z.string().min(1, 'must not be empty').max(4096, 'is too long').optional(),
    state: z.string().max(512, 'is too long').optional(),
    error: z.string().max(512, 'is too long').optional(),
    error_code: z.string().max(64, 'is too long').optional(),
  })
  .meta({ id: 'LoginCallbackQuery' });
