import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { readConfig } from '#commons/platform/config';
import { SessionGuardError } from '#commons/platform/errors';
import { logger } from '#commons/platform/logger';
import { createSessionAccess, sessionAccessEnv } from '#commons/sessions/session-access-wiring';
import type { SessionContext } from '#commons/sessions/authorizer-context';
import { authenticate } from '#commons/sessions/sessions';

const { store, credentialOf } = createSessionAccess(readConfig(sessionAccessEnv));

export type { SessionContext };

type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<SessionContext | Record<string, never>>;

/**
 * HTTP API Lambda authorizer (simple responses, caching off so a revocation bites at once).
 * Admits a live session and hands its identity to the route as context. The session comes from
 * `Authorization: Bearer` or, for browsers on this API's own host, the session cookie; with the
 * cookie, a method other than GET/HEAD/OPTIONS must come from an allowed Origin (CSRF), exactly as
 * on `/v1/sessions/current`.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> => {
  try {
    const session = await authenticate(store, credentialOf(event).token);
    return {
      isAuthorized: true,
      context: { userId: session.userId, sessionId: session.id, facebookUserId: session.facebookUserId, authTime: Math.floor(session.authTime / 1000) },
    };
  } catch (error) {
    if (error instanceof SessionGuardError) {
      logger.info('authorizer refused', { errorCode: error.code, requestId: event.requestContext?.requestId });
      return { isAuthorized: false, context: {} };
    }
    // Storage trouble: let API Gateway answer 500 rather than mislabel it as a refusal.
    throw error;
  }
};
