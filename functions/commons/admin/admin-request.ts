import * as z from '#commons/platform/zod';

/**
 * The admin routes' path parameters, as the handlers check them and the admin OpenAPI description
 * (`docs/admin-openapi.json`) shows them: a malformed id is a 400 naming the parameter.
 */

/** Our ids (`usr_…`, `ses_…`) and Facebook's app-scoped ids: short, URL-safe. */
const pathId = z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(128, 'is too long'), z.regex(/^[A-Za-z0-9_-]+$/, 'is not an id'));

export const userIdPath = z.object({ userId: pathId.check(z.meta({ description: 'Our user id (`usr_…`).' })) });
export const facebookUserIdPath = z.object({ facebookUserId: pathId.check(z.meta({ description: "The person's app-scoped Facebook user id." })) });
export const sessionIdPath = z.object({ id: pathId.check(z.meta({ description: 'A session id (`ses_…`).' })) });
