import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from '#commons/platform/zod';
import { createDocumentClient } from '#commons/platform/aws-clients';
import { envOf, revocationEnv, storeEnv, webOriginsEnv } from '#commons/platform/config';
import { RevocationStore } from '#commons/storage/revocation-store';
import { SessionStore } from '#commons/storage/session-store';
import { BrowserCookies } from './cookies.ts';
import type { OwnSessionsDeps } from './own-sessions.ts';
import type { SessionRepository } from './ports.ts';
import { type CredentialEvent, credentialPolicyFor, credentialRequestOf, type SessionCredential, sessionCredential } from './session-credential.ts';

/** What every function that admits an existing session needs: the table and the web origins. */
export const sessionAccessEnv = envOf(storeEnv, webOriginsEnv);
export type SessionAccessConfig = z.output<typeof sessionAccessEnv>;

/**
 * The authorizer and the session routes, wired alike: one Bearer-or-cookie policy
 * (`session-credential.ts`) built from the configuration, and the cookies of this deployment.
 */
export interface SessionAccess {
  readonly store: Pick<SessionRepository, 'getSession' | 'deleteSession'>;
  readonly cookies: BrowserCookies;
  /** The session token the request carries, under the deployment's credential policy. */
  credentialOf(event: CredentialEvent): SessionCredential;
}

/** Built once per cold start. */
export function createSessionAccess(config: SessionAccessConfig, doc: DynamoDBDocumentClient = createDocumentClient()): SessionAccess {
  const policy = credentialPolicyFor(config);
  return {
    store: new SessionStore(doc, config.TABLE_NAME),
    cookies: new BrowserCookies(config.PUBLIC_BASE_URL),
    credentialOf: (event) => sessionCredential(credentialRequestOf(event), policy),
  };
}

/** The person's own session routes (list, end one, end all): session access plus revoking. */
export const ownSessionsEnv = envOf(sessionAccessEnv, revocationEnv);

export interface OwnSessionsAccess extends Omit<SessionAccess, 'store'> {
  readonly deps: OwnSessionsDeps;
}

export function createOwnSessionsAccess(config: z.output<typeof ownSessionsEnv>, doc: DynamoDBDocumentClient = createDocumentClient()): OwnSessionsAccess {
  const { store: _store, ...access } = createSessionAccess(config, doc);
  const sessions = new SessionStore(doc, config.TABLE_NAME);
  return {
    ...access,
    deps: {
      listing: sessions,
      sessions,
      revocations: new RevocationStore(doc, config.TABLE_NAME, { retentionMs: config.REVOCATION_RETENTION_DAYS * 24 * 3600 * 1000 }),
    },
  };
}
