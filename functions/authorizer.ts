import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { readConfig, storeEnv, webOriginsEnv } from '#commons/platform/config';
import { cookieNamesFor } from '#commons/sessions/cookies';
import { SessionGuardError } from '#commons/platform/errors';
import { logger } from '#commons/platform/logger';
import { SessionStore } from '#commons/storage/session-store';
import { allowedOriginsOf, sessionCredential } from '#commons/sessions/session-credential';
import { authenticate } from '#commons/sessions/sessions';

const config = readConfig(storeEnv.and(webOriginsEnv));
const store = new SessionStore(createDocumentClient(), config.TABLE_NAME);
const credentialPolicy = {
  cookieName: cookieNamesFor(config.PUBLIC_BASE_URL).session,
  allowedOrigins: allowedOriginsOf(config.PUBLIC_BASE_URL, config.RETURN_TO_ALLOWED_ORIGINS),
};

export interface SessionContext {
  [key: string]: string | number;
  userId: string;
  sessionId: string;
  facebookUserId: string;
  /** Epoch seconds of the last Facebook authentication we know of, for freshness checks. */
  authTime: number;
}

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
    const credential = sessionCredential(
      { method: event.requestContext?.http?.method ?? 'GET', headers: event.headers, cookies: event.cookies },
      credentialPolicy,
    );
    const session = await authenticate(store, credential.token);
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
