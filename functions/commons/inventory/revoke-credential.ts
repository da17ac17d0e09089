import type { DebugTokenChecks } from '#commons/facebook/debug-token';
import { classifyFailure, type GraphTransport } from '#commons/facebook/graph-transport';
import { ConflictError } from '#commons/platform/errors';
import { credentialByLabel } from './inventory-admin.ts';
import { graphCanRevoke } from './model.ts';
import type { CredentialRepository, SecretVault } from './ports.ts';

/**
 * Revokes a user token from the inventory the way Graph allows: `DELETE /{user-id}/permissions`
 * with that token (and its appsecret_proof), which takes back every permission the person gave
 * the app (docs/facebook-graph.md, "Long-lived credentials"). The entry closes on Facebook's
 * success answer only. A system-user or Page token cannot be revoked through Graph: that is a step
 * in Business settings (docs/runbook.md), and the daily check closes the entry when Facebook
 * answers that the token is invalid.
 */
export interface RevokeDeps {
  readonly repository: CredentialRepository;
  readonly vault: Pick<SecretVault, 'readToken'>;
  readonly graph: Pick<GraphTransport, 'delete'>;
  readonly tokens: Pick<DebugTokenChecks, 'debugToken'>;
  readonly now?: () => number;
}

export type RevokeResult =
  | { readonly label: string; readonly outcome: 'revoked' }
  | { readonly label: string; readonly outcome: 'refused'; readonly facebookCode?: number; readonly message: string };

export async function revokeCredential(deps: RevokeDeps, label: string): Promise<RevokeResult> {
  const credential = await credentialByLabel(deps.repository, label);
  if (credential.status === 'revoked') throw new ConflictError('already_closed', 'This entry is closed already.');
  if (!graphCanRevoke(credential.kind)) {
    throw new ConflictError('graph_cannot_revoke', `A ${credential.kind} token cannot be revoked through Graph: revoke it in Business settings (docs/runbook.md); the daily check closes the entry once Facebook calls it invalid.`);
  }
  const token = await deps.vault.readToken(credential.secretArn);
  const userId = credential.lastCheck?.facebookUserId ?? (await userIdOf(deps.tokens, token));
  if (userId === undefined) return { label, outcome: 'refused', message: 'Facebook did not say whose token this is; run a check first.' };
  const answer = await deps.graph.delete(`${userId}/permissions`, {}, { accessToken: token });
  if (answer.status === 200 && isSuccess(answer.body)) {
    await deps.repository.close(label, 'graph_revoked', (deps.now ?? Date.now)());
    return { label, outcome: 'revoked' };
  }
  const failure = classifyFailure(answer);
  return {
    label,
    outcome: 'refused',
    message: failure.message,
    ...('code' in failure && failure.code !== undefined ? { facebookCode: failure.code } : {}),
  };
}

async function userIdOf(tokens: Pick<DebugTokenChecks, 'debugToken'>, token: string): Promise<string | undefined> {
  const answer = await tokens.debugToken(token);
  return answer.kind === 'described' ? answer.token.userId : undefined;
}

/** The reference page documents `true`; Facebook Login's page `{"success": true}`: both count. */
function isSuccess(body: unknown): boolean {
  return body === true || (typeof body === 'object' && body !== null && (body as { success?: unknown }).success === true);
}
