import { TOKEN_DEATH_SUBCODE } from '#commons/facebook/graph-codes';
import type { RevocationReason } from '#commons/sessions/model';

/**
 * Why Facebook ended a session, from the subcode of a dead token's `data.error`
 * (docs/facebook-graph.md, "Why a token died"). 190 or 102 without a subcode, and the known
 * subcodes that name no reason of ours (492 lost Page role, 493 app inactive), are `invalid`.
 */
const REASON_BY_SUBCODE: ReadonlyMap<number, RevocationReason> = new Map([
  [TOKEN_DEATH_SUBCODE.appRemoved, 'app_removed'],
  [TOKEN_DEATH_SUBCODE.checkpointed, 'checkpointed'],
  [TOKEN_DEATH_SUBCODE.passwordChanged, 'password_changed'],
  [TOKEN_DEATH_SUBCODE.expired, 'expired'],
  [TOKEN_DEATH_SUBCODE.unconfirmedUser, 'unconfirmed_user'],
  [TOKEN_DEATH_SUBCODE.invalidated, 'invalidated'],
  [TOKEN_DEATH_SUBCODE.loggedOut, 'logged_out'],
]);

/** The reason to revoke for, given Facebook's verdict that the session ended. */
export function revocationReasonFor(ended: { readonly subcode?: number }): RevocationReason {
  return (ended.subcode !== undefined ? REASON_BY_SUBCODE.get(ended.subcode) : undefined) ?? 'invalid';
}
