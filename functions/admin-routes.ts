import type { ErrorCode } from '#commons/platform/api-schemas';
import { facebookUserIdPath, sessionIdPath, userIdPath } from '#commons/admin/admin-request';
import { offboardReportAnswer, userSessionsAnswer } from '#commons/admin/api-schemas';
import { labelPath, newCredentialSchema, ownerPath } from '#commons/inventory/inventory-admin';
import {
  credentialAnswer,
  credentialRevocationAnswer,
  credentialsAnswer,
  inventoryCheckAnswer,
  ownerOffboardingAnswer,
} from '#commons/inventory/api-schemas';
import type { RouteDefinition, RouteDoc } from './routes.ts';

/**
 * The admin API, declared once: a separate HTTP API with IAM authorization (SigV4) on every route,
 * for operators and their tools, never on the public surface. The CDK stack (`infra/admin-api.ts`)
 * and the local stack (its own port) both build from this table, and so does its OpenAPI
 * description (`docs/admin-openapi.json`, by `local/openapi.ts`). Adding an admin route is one
 * entry here (with its `doc`), one `functions/<entry>.ts`, and its access in `infra/admin-access.ts`.
 *
 * Every handler goes through `adminHandler` (`#commons/admin/admin-http`): the caller's IAM
 * principal is logged and kept as an audit record with each action.
 */

/** The admin API's groups of routes, as its OpenAPI description lists them. */
export type AdminTag = 'people and sessions' | 'credential inventory';

export interface AdminRouteDefinition extends RouteDefinition {
  readonly auth: 'iam';
  readonly doc: RouteDoc<AdminTag>;
}

/**
 * `adminHandler` refuses a request that reaches it without the IAM identity API Gateway adds
 * (a route wired without AWS_IAM): every admin route may answer it.
 */
const OPERATOR_ERRORS = ['forbidden'] as const satisfies readonly ErrorCode[];
/** A malformed path parameter (`invalid_request`), or nothing found by it. */
const LOOKUP_ERRORS = ['invalid_request', 'not_found', ...OPERATOR_ERRORS] as const satisfies readonly ErrorCode[];

export const adminRoutes: readonly AdminRouteDefinition[] = [
  {
    method: 'GET',
    path: '/admin/v1/users/{userId}/sessions',
    entry: 'admin-user-sessions',
    auth: 'iam',
    doc: {
      summary: "A person's sessions, newest first: live ones and the revocation records still kept",
      tag: 'people and sessions',
      request: { path: userIdPath },
      answers: { 200: { description: 'The person and their sessions.', json: userSessionsAnswer } },
      errors: [...LOOKUP_ERRORS],
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/facebook-users/{facebookUserId}/sessions',
    entry: 'admin-facebook-user-sessions',
    auth: 'iam',
    doc: {
      summary: "A person's sessions, found by their app-scoped Facebook id",
      tag: 'people and sessions',
      request: { path: facebookUserIdPath },
      answers: { 200: { description: 'The person and their sessions.', json: userSessionsAnswer } },
      errors: [...LOOKUP_ERRORS],
    },
  },
  {
    method: 'DELETE',
    path: '/admin/v1/sessions/{id}',
    entry: 'admin-end-session',
    auth: 'iam',
    doc: {
      summary: 'End one live session',
      description: 'The session keeps a revocation record with reason `ended_by_operator`. A session that is not live is 404 like one that does not exist.',
      tag: 'people and sessions',
      request: { path: sessionIdPath },
      answers: { 204: { description: 'Ended.' } },
      errors: [...LOOKUP_ERRORS],
    },
  },
  {
    method: 'POST',
    path: '/admin/v1/users/{userId}/offboard',
    entry: 'admin-offboard-user',
    auth: 'iam',
    doc: {
      summary: 'Offboard a person: end every session of theirs (reason `offboarded`), then run the other offboarding steps',
      description: 'Can be run again: sessions already ended are counted as `alreadyEnded`, and every step is idempotent.',
      tag: 'people and sessions',
      request: { path: userIdPath },
      answers: { 200: { description: 'What each step did.', json: offboardReportAnswer } },
      errors: [...LOOKUP_ERRORS],
    },
  },
  {
    method: 'POST',
    path: '/admin/v1/inventory/credentials',
    entry: 'admin-inventory-add',
    auth: 'iam',
    doc: {
      summary: 'Register a long-lived credential by the Secrets Manager secret that holds it',
      description: 'The token itself is never sent here; only the checker reads the secret (tag it `session-guard:inventory=true`).',
      tag: 'credential inventory',
      request: { json: newCredentialSchema },
      answers: { 200: { description: 'The new entry.', json: credentialAnswer } },
      errors: ['invalid_request', 'payload_too_large', 'conflict', ...OPERATOR_ERRORS],
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/inventory/credentials',
    entry: 'admin-inventory-list',
    auth: 'iam',
    doc: {
      summary: 'Every inventory entry, with its status, flags and last check',
      tag: 'credential inventory',
      answers: { 200: { description: 'The entries, by label.', json: credentialsAnswer } },
      errors: [...OPERATOR_ERRORS],
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/inventory/credentials/{label}',
    entry: 'admin-inventory-show',
    auth: 'iam',
    doc: {
      summary: 'One inventory entry',
      tag: 'credential inventory',
      request: { path: labelPath },
      answers: { 200: { description: 'The entry.', json: credentialAnswer } },
      errors: [...LOOKUP_ERRORS],
    },
  },
  {
    method: 'POST',
    path: '/admin/v1/inventory/credentials/{label}/revoke',
    entry: 'admin-inventory-revoke',
    auth: 'iam',
    doc: {
      summary: "Revoke a user token through Graph (`DELETE /{user-id}/permissions`), in the checker",
      description:
        'The entry closes on Facebook\'s success answer only. A system-user or Page token is `409 graph_cannot_revoke`: revoke it in Business settings (docs/runbook.md); a closed entry is `409 already_closed`.',
      tag: 'credential inventory',
      request: { path: labelPath },
      answers: { 200: { description: '`revoked`, or `refused` with why (Facebook refused, or whose token it is is unknown).', json: credentialRevocationAnswer } },
      errors: [...LOOKUP_ERRORS, 'graph_cannot_revoke', 'already_closed'],
    },
  },
  {
    method: 'POST',
    path: '/admin/v1/inventory/checks',
    entry: 'admin-inventory-check',
    auth: 'iam',
    doc: {
      summary: 'Run the daily check now, in the checker, and answer its report',
      tag: 'credential inventory',
      answers: { 200: { description: "The run's report.", json: inventoryCheckAnswer } },
      errors: [...OPERATOR_ERRORS],
    },
  },
  {
    method: 'POST',
    path: '/admin/v1/inventory/owners/{owner}/offboard',
    entry: 'admin-inventory-offboard',
    auth: 'iam',
    doc: {
      summary: "Offboard an owner from the inventory: every open entry of theirs becomes `revoke_pending`",
      description: 'Entries stay flagged `owner_offboarded` until Facebook says each token is dead. Idempotent.',
      tag: 'credential inventory',
      request: { path: ownerPath },
      answers: { 200: { description: 'What the call marked, and where each pending entry is revoked.', json: ownerOffboardingAnswer } },
      errors: ['invalid_request', ...OPERATOR_ERRORS],
    },
  },
];
