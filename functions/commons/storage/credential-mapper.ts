import * as z from '#commons/platform/zod';
import { CREDENTIAL_FLAGS, CREDENTIAL_KINDS, CREDENTIAL_STATUSES, type CheckResult, type Credential, type NewCredential, type OffboardedOwner } from '#commons/inventory/model';
import { CorruptItemError, enumField, numberField, optionalNumberField, optionalStringField, type StoredItem, stringField } from './item-fields.ts';
import { keys } from './keys.ts';

/**
 * The inventory's items (`INVENTORY` / `CREDENTIAL#<label>`, `OFFBOARDED#<owner>`, `RUNS`). An
 * entry names where its token lives (a secret ARN) and what the last check learnt; it never holds
 * a token. Storage keys stay here.
 */
export function credentialItem(credential: NewCredential, at: number): StoredItem {
  return {
    ...keys.credential(credential.label),
    entity: 'credential',
    label: credential.label,
    kind: credential.kind,
    ...(credential.owner !== undefined ? { owner: credential.owner } : {}),
    purpose: credential.purpose,
    expectedScopes: [...credential.expectedScopes],
    expectedAssets: [...credential.expectedAssets],
    secretArn: credential.secretArn,
    ...(credential.maxAgeDays !== undefined ? { maxAgeDays: credential.maxAgeDays } : {}),
    status: 'active',
    createdAt: at,
    flags: [],
  };
}

const checkSchema = z.object({
  checkedAt: z.number(),
  isValid: z.boolean(),
  type: z.optional(z.string()),
  expiresAt: z.optional(z.number()),
  dataAccessExpiresAt: z.optional(z.number()),
  issuedAt: z.optional(z.number()),
  scopes: z.array(z.string()),
  assets: z.array(z.string()),
  facebookUserId: z.optional(z.string()),
  errorCode: z.optional(z.number()),
  errorSubcode: z.optional(z.number()),
  secretRotatedAt: z.optional(z.number()),
});

/** The stored form of a check: the same fields, absent ones left out (DynamoDB keeps no undefined). */
export function checkAttribute(check: CheckResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(check).filter(([, value]) => value !== undefined));
}

export function credentialFromItem(item: StoredItem): Credential {
  const owner = optionalStringField(item, 'owner');
  const maxAgeDays = optionalNumberField(item, 'maxAgeDays');
  const revokePendingSince = optionalNumberField(item, 'revokePendingSince');
  const revokedAt = optionalNumberField(item, 'revokedAt');
  const revokedHow = item.revokedHow === undefined ? undefined : enumField(item, 'revokedHow', ['facebook_invalid', 'graph_revoked'] as const);
  const lastCheck = item.lastCheck === undefined ? undefined : checkSchema.safeParse(item.lastCheck);
  if (lastCheck && !lastCheck.success) throw new CorruptItemError('stored item has a malformed lastCheck');
  return {
    label: stringField(item, 'label'),
    kind: enumField(item, 'kind', CREDENTIAL_KINDS),
    ...(owner !== undefined ? { owner } : {}),
    purpose: stringField(item, 'purpose'),
    expectedScopes: stringList(item, 'expectedScopes'),
    expectedAssets: stringList(item, 'expectedAssets'),
    secretArn: stringField(item, 'secretArn'),
    ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
    status: enumField(item, 'status', CREDENTIAL_STATUSES),
    createdAt: numberField(item, 'createdAt'),
    ...(revokePendingSince !== undefined ? { revokePendingSince } : {}),
    ...(revokedAt !== undefined ? { revokedAt } : {}),
    ...(revokedHow !== undefined ? { revokedHow } : {}),
    ...(lastCheck?.success ? { lastCheck: checkAttribute(lastCheck.data) as unknown as CheckResult } : {}),
    flags: stringList(item, 'flags').map((flag) => {
      if (!(CREDENTIAL_FLAGS as readonly string[]).includes(flag)) throw new CorruptItemError('stored item has an unknown flag');
      return flag as Credential['flags'][number];
    }),
  };
}

function stringList(item: StoredItem, name: string): string[] {
  const value = item[name];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) throw new CorruptItemError(`stored item has no string list ${name}`);
  return [...value];
}

export function offboardedOwnerItem(owner: OffboardedOwner): StoredItem {
  return { ...keys.offboardedOwner(owner.owner), entity: 'offboardedOwner', owner: owner.owner, at: owner.at, by: owner.by };
}

export function ownerFromItem(item: StoredItem): string {
  return stringField(item, 'owner');
}

/** How many run starts the `RUNS` item keeps: the flag needs the previous one; three help the operator. */
export const KEPT_RUNS = 3;

export function runsFromItem(item: StoredItem | undefined): number[] {
  if (!item) return [];
  const runs = item.runs;
  if (!Array.isArray(runs) || !runs.every((run) => typeof run === 'number')) throw new CorruptItemError('stored item has no number list runs');
  return [...runs];
}
