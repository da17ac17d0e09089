import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SessionRevokedError, UnauthenticatedError } from '#commons/platform/errors';
import { logger } from '#commons/platform/logger';
import { count, MetricName, type MetricsSink, metrics as functionMetrics } from '#commons/platform/metrics';
import type { Session } from '#commons/sessions/model';
import type { SessionRepository } from '#commons/sessions/ports';
import type { SignInDependencies } from '#commons/sessions/sign-in-wiring';
import { ReauthStore } from '#commons/storage/reauth-store';
import type { ReauthMonitor } from './ports.ts';
import type { CompleteReauthDeps } from './reauthentication.ts';

/**
 * Builds re-authentication's dependencies from sign-in's (same table, vault and Graph clients),
 * once per cold start.
 */
export function createReauthMonitor(metrics: MetricsSink = functionMetrics): ReauthMonitor {
  return {
    nonceReplayed(event) {
      // A security event: someone presented a re-authentication that was already used. Ids only.
      logger.warn('security event: re-authentication nonce replayed', { securityEvent: 'reauth_nonce_replayed', ...event });
      count(MetricName.NonceReplay, 1, metrics);
    },
    authTypeMissing(event) {
      logger.info('re-authentication accepted without auth_type from Facebook', event);
      count(MetricName.ReauthWithoutAuthType, 1, metrics);
    },
  };
}

export function createReauthCompletion(signIn: SignInDependencies, doc: DynamoDBDocumentClient, tableName: string): CompleteReauthDeps {
  return {
    sessions: signIn.sessions,
    oauth: signIn.oauth,
    inspector: {
      debugToken: (token) => signIn.sessions.graph.debugToken(token),
      accessTokenInfo: (token) => signIn.accessTokenInfo.accessTokenInfo(token),
    },
    challenges: new ReauthStore(doc, tableName),
    monitor: createReauthMonitor(),
  };
}

/** The live session a re-authentication's state names (the callback carries no session token). */
export async function liveSession(store: Pick<SessionRepository, 'getSession'>, sessionId: string): Promise<Session> {
  const session = await store.getSession(sessionId);
  if (!session) throw new UnauthenticatedError('The session this re-authentication was for has ended. Sign in again.');
  if (session.status === 'revoked') throw new SessionRevokedError(session.revokedReason ?? 'invalid');
  return session;
}
