import type { HealthAnswer } from '#commons/platform/api-schemas';
import { httpHandler, json } from '#commons/platform/http';

/** Liveness for load balancers and the local stack: answers once the function can serve. */
export const handler = httpHandler(async () => json(200, { status: 'ok' } satisfies HealthAnswer));
