import { describe, expect, it } from 'vitest';
import { offboardOwner } from '#commons/inventory/inventory-admin';
import type { Credential, OffboardedOwner } from '#commons/inventory/model';
import { credentialsOffboardStep } from '#commons/inventory/offboard-step';
import type { CredentialRepository } from '#commons/inventory/ports';

function repository(entries: Credential[]) {
  const owners: OffboardedOwner[] = [];
  const repo: Pick<CredentialRepository, 'list' | 'markRevokePending' | 'recordOffboardedOwner'> = {
    list: async () => entries.map((entry) => ({ ...entry })),
    async markRevokePending(label) {
      const entry = entries.find((e) => e.label === label)!;
      if (entry.status !== 'active') return false;
      entries[entries.indexOf(entry)] = { ...entry, status: 'revoke_pending' };
      return true;
    },
    recordOffboardedOwner: async (owner) => void owners.push(owner),
  };
  return { repo: repo as CredentialRepository, owners, entries };
}

const entry = (label: string, owner: string | undefined, kind: Credential['kind'] = 'system_user', status: Credential['status'] = 'active'): Credential => ({
  label,
  kind,
  ...(owner ? { owner } : {}),
  purpose: 'p',
  expectedScopes: [],
  expectedAssets: [],
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
  status,
  createdAt: 1,
  flags: [],
});

describe('offboarding from the inventory', () => {
  it("marks only the owner's open entries revoke_pending and says which Graph can revoke", async () => {
    const { repo, owners, entries } = repository([entry('a', 'bob@example.com'), entry('b', 'bob@example.com', 'user'), entry('c', 'eve@example.com'), entry('d', 'bob@example.com', 'page', 'revoked')]);
    const result = await offboardOwner(repo, ['bob@example.com'], 'arn:aws:iam::1:user/op', 5);
    expect(result).toEqual({ owner: 'bob@example.com', marked: ['a', 'b'], unchanged: ['d'], revocableFromCli: ['b'], revokeInBusinessSettings: ['a'] });
    expect(entries.map((e) => e.status)).toEqual(['revoke_pending', 'revoke_pending', 'active', 'revoked']);
    expect(owners).toEqual([{ owner: 'bob@example.com', at: 5, by: 'arn:aws:iam::1:user/op' }]);
    // Again: nothing more is marked.
    expect((await offboardOwner(repo, ['bob@example.com'], 'op', 6)).marked).toEqual([]);
  });

  it("runs as the 'credentials' step of offboarding a user, by their user id and Facebook id", async () => {
    const { repo } = repository([entry('by-id', 'usr_1'), entry('by-facebook', '10150000000000001', 'user'), entry('other', 'usr_2')]);
    const step = credentialsOffboardStep(repo);
    const report = await step.run({ user: { id: 'usr_1', facebookUserId: '10150000000000001', createdAt: 0 }, operator: { principal: 'arn:aws:iam::1:user/op', accountId: '1' }, now: 9 });
    expect(step.name).toBe('credentials');
    expect(report).toEqual({ marked: 2, unchanged: 0, revocableFromCli: 'by-facebook', revokeInBusinessSettings: 'by-id' });
  });
});
