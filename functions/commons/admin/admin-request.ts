import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from '#commons/platform/zod';
import { validateRequest } from '#commons/platform/http';

/** Our ids (`usr_…`, `ses_…`) and Facebook's app-scoped ids: short, URL-safe. */
const pathId = z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(128, 'is too long'), z.regex(/^[A-Za-z0-9_-]+$/, 'is not an id'));

/** A path parameter of an admin route, checked: a malformed id is a 400 naming the parameter. */
export function adminPathParameter(event: APIGatewayProxyEventV2, name: string): string {
  return validateRequest(z.object({ [name]: pathId }), event.pathParameters ?? {})[name] as string;
}
