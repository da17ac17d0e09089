import type { OffboardStep } from '#commons/admin/offboarding';
import { offboardOwner } from './inventory-admin.ts';
import type { CredentialRepository } from './ports.ts';

/**
 * Offboarding a person (`POST /admin/v1/users/{userId}/offboard`) also offboards them from the
 * credential inventory: entries owned by their user id or their Facebook id become `revoke_pending`.
 * Entries owned by an e-mail address are offboarded with `inventory offboard <owner>`.
 */
export function credentialsOffboardStep(repository: CredentialRepository): OffboardStep {
  return {
    name: 'credentials',
    async run({ user, operator, now }) {
      const result = await offboardOwner(repository, [user.id, user.facebookUserId], operator.principal, now);
      return {
        marked: result.marked.length,
        unchanged: result.unchanged.length,
        revocableFromCli: result.revocableFromCli.join(','),
        revokeInBusinessSettings: result.revokeInBusinessSettings.join(','),
      };
    },
  };
}
