import * as z from '#commons/platform/zod';
import type { AnswerOf } from '#commons/platform/api-schemas';
import { CREDENTIAL_FLAGS, CREDENTIAL_KINDS, CREDENTIAL_STATUSES } from './model.ts';

/**
 * What the inventory's admin routes answer, as the admin OpenAPI description
 * (`docs/admin-openapi.json`, named in `functions/admin-routes.ts`) shows it; the requests are
 * checked with the schemas in `inventory-admin.ts`. The handlers only import the types, so these
 * schemas stay out of their bundles. Times of ours are epoch milliseconds; Facebook's stay in epoch
 * seconds as Facebook gives them (`model.ts`).
 */
const epochMs = z.number().check(z.int(), z.meta({ description: 'Epoch milliseconds.' }));
const epochSeconds = (description: string) => z.optional(z.number().check(z.int(), z.meta({ description: `Epoch seconds${description}.` })));
const labels = (description: string) => z.array(z.string()).check(z.meta({ description }));

const checkResult = z
  .object({
    checkedAt: epochMs,
    isValid: z.boolean(),
    type: z.optional(z.string()).check(z.meta({ description: "Facebook's token type (`USER`, `PAGE`, `SYSTEM_USER`)." })),
    expiresAt: epochSeconds('; 0: never expires'),
    dataAccessExpiresAt: epochSeconds('; 0: never'),
    issuedAt: epochSeconds(''),
    scopes: z.array(z.string()),
    assets: z.array(z.string()).check(z.meta({ description: 'The `target_ids` of every `granular_scopes` entry: what the token reaches.' })),
    facebookUserId: z.optional(z.string()),
    errorCode: z.optional(z.number().check(z.int())),
    errorSubcode: z.optional(z.number().check(z.int())),
    secretRotatedAt: z.optional(epochMs),
  })
  .check(z.meta({ id: 'CredentialCheck', description: 'What the last check learnt from `debug_token`, or of the app secret its age.' }));

export const credentialAnswer = z
  .object({
    label: z.string(),
    kind: z.enum(CREDENTIAL_KINDS),
    owner: z.optional(z.string()),
    purpose: z.string(),
    expectedScopes: z.array(z.string()),
    expectedAssets: z.array(z.string()),
    secretArn: z.string(),
    maxAgeDays: z.optional(z.number().check(z.int())),
    status: z.enum(CREDENTIAL_STATUSES),
    createdAt: epochMs,
    revokePendingSince: z.optional(epochMs),
    revokedAt: z.optional(epochMs),
    revokedHow: z.optional(z.enum(['facebook_invalid', 'graph_revoked'])),
    lastCheck: z.optional(checkResult),
    flags: z.array(z.enum(CREDENTIAL_FLAGS)),
  })
  .check(z.meta({ id: 'Credential' }));

export const credentialsAnswer = z.object({ credentials: z.array(credentialAnswer) }).check(z.meta({ id: 'Credentials' }));

export const inventoryCheckAnswer = z
  .object({
    startedAt: epochMs,
    entries: z.number().check(z.int(), z.meta({ description: 'Open entries (not `revoked`).' })),
    checked: z.number().check(z.int()),
    uncheckable: z.number().check(z.int(), z.meta({ description: 'Entries this run could not check (secret unreadable, no answer).' })),
    closed: labels('Entries this run closed: `revoke_pending`, and Facebook now calls the token invalid.'),
    flagged: z.record(z.string(), z.array(z.string())).check(z.meta({ description: 'Labels by flag, for the flags raised.' })),
  })
  .check(z.meta({ id: 'InventoryCheckReport' }));

export const credentialRevocationAnswer = z
  .object({
    label: z.string(),
    outcome: z.enum(['revoked', 'refused']),
    message: z.optional(z.string()).check(z.meta({ description: 'With `refused`: why (whose token it is is unknown, or what Facebook answered).' })),
    facebookCode: z.optional(z.number().check(z.int())).check(z.meta({ description: "With `refused`: Facebook's error code, when it gave one." })),
  })
  .check(z.meta({ id: 'CredentialRevocation' }));

export const ownerOffboardingAnswer = z
  .object({
    owner: z.string(),
    marked: labels('Entries this call marked `revoke_pending`.'),
    unchanged: labels('Entries already pending (offboarding run again) or already closed.'),
    revocableFromCli: labels('Pending user tokens: `inventory revoke <label>` revokes them through Graph.'),
    revokeInBusinessSettings: labels('Pending system-user and Page tokens: revoke them in Business settings (docs/runbook.md); the daily check closes them.'),
  })
  .check(z.meta({ id: 'OwnerOffboarding' }));

export type CredentialAnswer = AnswerOf<typeof credentialAnswer>;
export type CredentialsAnswer = AnswerOf<typeof credentialsAnswer>;
export type InventoryCheckAnswer = AnswerOf<typeof inventoryCheckAnswer>;
export type CredentialRevocationAnswer = AnswerOf<typeof credentialRevocationAnswer>;
export type OwnerOffboardingAnswer = AnswerOf<typeof ownerOffboardingAnswer>;
