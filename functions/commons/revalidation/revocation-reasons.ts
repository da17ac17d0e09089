import type { RevocationReason } from '#commons/platform/errors';
import type { DebugTokenVerdict } from '#commons/facebook/graph-client';

/**
 * Why Facebook ended a session, from the subcode of a dead token's `data.error` (graph-api.md,
 * "Why a token died"). 190 or 102 without a subcode, any other subcode (492 lost Page role, 493 app
 * inactive, ...) and a token that now belongs to another app are all `invalid`.
 */
const REASON_BY_SUBCODE: ReadonlyMap<number, RevocationReason> = new Map([
  [458, 'app_removed'],
  [459, 'checkpointed'],
  [460, 'password_changed'],
  [463, 'expired'],
  [464, 'unconfirmed_user'],
  [466, 'invalidated'],
  [467, 'logged_out'],
]);

/** The reason to revoke for, or undefined when Facebook says the token is still good. */
export function revocationReasonFor(verdict: DebugTokenVerdict): RevocationReason | undefined {
  switch (verdict.status) {
    case 'valid':
      return undefined;
    case 'wrong_app':
      return 'invalid';
    case 'dead':
      return (verdict.subcode !== undefined ? REASON_BY_SUBCODE.get(verdict.subcode) : undefined) ?? 'invalid';
  }
}

export const REVOCATION_REASONS: readonly RevocationReason[] = [
  'password_changed',
  'app_removed',
  'logged_out',
  'expired',
  'checkpointed',
  'invalidated',
  'unconfirmed_user',
  'invalid',
];
