import * as z from '#commons/platform/zod';
import { ConflictError, NotFoundError } from '#commons/platform/errors';
import type { CredentialRevocationAnswer } from './api-schemas.ts';
import { CREDENTIAL_KINDS, type Credential, graphCanRevoke, LABEL_PATTERN, type NewCredential, OWNER_PATTERN, SECRET_ARN_PATTERN } from './model.ts';
import { type CredentialRepository, CredentialExistsError } from './ports.ts';

/**
 * What operators do to the inventory through the admin API: register an entry, list and show
 * entries, and offboard an owner. Nothing here reads a secret: checking and revoking happen in the
 * checker (`inventory-check.ts`, `revoke-credential.ts`), the only function allowed to.
 */
const permission = z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/, 'is not a Facebook permission name'));
const assetId = z.string().check(z.regex(/^\d{1,32}$/, 'is not a Facebook id (digits)'));

export const newCredentialSchema = z.strictObject({
  label: z.string().check(z.regex(LABEL_PATTERN, 'must be lower case letters, digits, ".", "_" or "-", at most 64')),
  kind: z.enum(CREDENTIAL_KINDS),
  owner: z.optional(z.string().check(z.regex(OWNER_PATTERN, 'must be an e-mail address or an id'))),
  purpose: z.string().check(z.trim(), z.minLength(1, 'must say what the credential is for'), z.maxLength(500)),
  expectedScopes: z._default(z.array(permission).check(z.maxLength(100)), []),
  expectedAssets: z._default(z.array(assetId).check(z.maxLength(500)), []),
  secretArn: z.string().check(z.regex(SECRET_ARN_PATTERN, 'must be a Secrets Manager secret ARN (the token itself is never sent here)')),
  maxAgeDays: z.optional(z.number().check(z.int(), z.positive(), z.lte(3650))),
}).check(z.meta({ id: 'NewCredential', description: 'An inventory entry: where the credential lives (its secret), never the credential itself.' }));

/** The path parameters of the routes on one entry, and on one owner's entries. */
export const labelPath = z.object({
  label: z.string().check(z.regex(LABEL_PATTERN, 'is not an inventory label'), z.meta({ description: "The entry's label." })),
});
export const ownerPath = z.object({
  owner: z.string().check(z.regex(OWNER_PATTERN, 'must be an e-mail address or an id'), z.meta({ description: "The owner: an e-mail address or an id (ours, `usr_…`, or Facebook's)." })),
});

export async function registerCredential(repository: CredentialRepository, input: NewCredential, at: number): Promise<Credential> {
  try {
    return await repository.register(input, at);
  } catch (error) {
    if (error instanceof CredentialExistsError) throw new ConflictError('conflict', `An entry labelled ${input.label} exists already.`);
    throw error;
  }
}

export async function credentialByLabel(repository: Pick<CredentialRepository, 'get'>, label: string): Promise<Credential> {
  const credential = await repository.get(label);
  if (!credential) throw new NotFoundError('No inventory entry by that label.');
  return credential;
}

export interface OwnerOffboarding {
  readonly owner: string;
  /** Entries this call marked `revoke_pending`. */
  readonly marked: readonly string[];
  /** Entries already pending (offboarding run again) or already closed. */
  readonly unchanged: readonly string[];
  /** Of the pending ones: revocable from the CLI (`inventory revoke <label>`, user tokens)… */
  readonly revocableFromCli: readonly string[];
  /** …and those to revoke in Business settings (docs/runbook.md), closed by the daily check. */
  readonly revokeInBusinessSettings: readonly string[];
}

/**
 * Offboards an owner from the inventory: every open entry they own becomes `revoke_pending`, and
 * the owner is remembered so later checks keep flagging what they own. Idempotent.
 */
export async function offboardOwner(repository: CredentialRepository, owners: readonly string[], by: string, at: number): Promise<OwnerOffboarding> {
  const names = new Set(owners);
  for (const owner of names) await repository.recordOffboardedOwner({ owner, at, by });
  const owned = (await repository.list()).filter((credential) => credential.owner !== undefined && names.has(credential.owner));
  const marked: string[] = [];
  const unchanged: string[] = [];
  for (const credential of owned) {
    if (credential.status === 'active' && (await repository.markRevokePending(credential.label, at))) marked.push(credential.label);
    else unchanged.push(credential.label);
  }
  const pending = owned.filter((credential) => credential.status !== 'revoked');
  return {
    owner: owners[0] ?? '',
    marked,
    unchanged,
    revocableFromCli: pending.filter((credential) => graphCanRevoke(credential.kind)).map((credential) => credential.label),
    revokeInBusinessSettings: pending.filter((credential) => !graphCanRevoke(credential.kind)).map((credential) => credential.label),
  };
}

/** What the checker answers a revocation: `revokeCredential`'s result, or a refusal it reports with its code and status. */
export type CheckerRevocation = CredentialRevocationAnswer & { readonly code?: string; readonly status?: number };

/**
 * The admin API's answer to the checker's: its result as it is, its known refusals as our errors.
 * A refusal it does not know is a failure on our side (logged, 500), never a 200 carrying fields the
 * admin OpenAPI description does not allow.
 */
export function revocationAnswer(result: CheckerRevocation): CredentialRevocationAnswer {
  if (result.status === 404) throw new NotFoundError(result.message ?? 'No inventory entry by that label.');
  if (result.code === 'graph_cannot_revoke' || result.code === 'already_closed') throw new ConflictError(result.code, result.message ?? '');
  if (result.code !== undefined || result.status !== undefined) throw new Error(`the inventory checker refused a revocation with ${result.code ?? 'no code'} (${result.status ?? 'no status'})`);
  const { label, outcome, message, facebookCode } = result;
  return { label, outcome, ...(message !== undefined ? { message } : {}), ...(facebookCode !== undefined ? { facebookCode } : {}) };
}
