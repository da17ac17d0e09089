import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from '#commons/platform/zod';
import { loadAppSecret } from '#commons/facebook/app-secret';
import { createDocumentClient, createKmsClient } from '#commons/platform/aws-clients';
import { envOf, facebookEnv, revocationEnv, sessionEnv, storeEnv, vaultEnv } from '#commons/platform/config';
import type { AccessTokenInfoClient } from '#commons/facebook/access-token-info';
import type { FacebookOAuthClient } from '#commons/facebook/facebook-oauth';
import { createGraphClient } from '#commons/facebook/graph-client';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SessionStore } from '#commons/storage/session-store';
import type { SessionServiceDeps } from './sessions.ts';
import { EnvelopeSealer } from '#commons/crypto/vault';

/** What every function that opens sessions needs: the table, the sealing key and Facebook. */
export const signInEnv = envOf(storeEnv, vaultEnv, facebookEnv, sessionEnv, revocationEnv);
export type SignInConfig = z.output<typeof signInEnv>;

export interface SignInDependencies {
  readonly sessions: SessionServiceDeps;
  readonly oauth: FacebookOAuthClient;
  /** `/oauth/access_token_info`: which auth_nonce a login carried (re-authentication). */
  readonly accessTokenInfo: AccessTokenInfoClient;
}

/** Builds them once per cold start; the app secret is fetched here, before the first request. */
export async function createSignInDependencies(config: SignInConfig, doc: DynamoDBDocumentClient = createDocumentClient()): Promise<SignInDependencies> {
  const appSecret = await loadAppSecret(config);
  const graph = createGraphClient(config, appSecret);
  return {
    sessions: {
      store: new SessionStore(doc, config.TABLE_NAME),
      // Seals only (no kms:Decrypt): keeps no data key past its sealing window, none for opening.
      vault: new EnvelopeSealer(createKmsClient(), config.KMS_KEY_ID),
      graph: graph.tokens,
      appId: config.FACEBOOK_APP_ID,
      sessionMaxAgeMs: config.SESSION_MAX_AGE_SECONDS * 1000,
      sessionCap: {
        maxLiveSessions: config.MAX_LIVE_SESSIONS_PER_PERSON,
        revocations: new RevocationStore(doc, config.TABLE_NAME, { retentionMs: config.REVOCATION_RETENTION_DAYS * 86_400_000 }),
      },
    },
    oauth: graph.oauth,
    accessTokenInfo: graph.loginTokens,
  };
}
