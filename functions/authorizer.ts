import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { createDocumentClient } from '#commons/aws-clients';
import { readConfig, storeEnv } from '#commons/config';
import { SessionGuardError } from '#commons/errors';
import { logger } from '#commons/logger';
import { SessionStore } from '#commons/repository';
import { authenticate } from '#commons/sessions';

const config = readConfig(storeEnv);
const store = new SessionStore(createDocumentClient(), config.TABLE_NAME);

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
 * Admits a live session and hands its identity to the route as context.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> => {
  const credential = bearerCredential(event.headers?.authorization ?? event.headers?.Authorization);
  try {
    const session = await authenticate(store, credential);
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

function bearerCredential(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return /^Bearer[ ]+(\S+)\s*$/i.exec(value)?.[1];
}
