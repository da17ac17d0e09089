import type { RouteDefinition } from './routes.ts';

/**
 * The admin API, declared once: a separate HTTP API with IAM authorization (SigV4) on every route,
 * for operators and their tools, never on the public surface. The CDK stack (`infra/admin-api.ts`)
 * and the local stack (its own port) both build from this table. Adding an admin route is one
 * entry here, one `functions/<entry>.ts`, and its access in `infra/admin-access.ts`.
 *
 * Every handler goes through `adminHandler` (`#commons/admin/admin-http`): the caller's IAM
 * principal is logged and kept as an audit record with each action.
 */
export interface AdminRouteDefinition extends RouteDefinition {
  readonly auth: 'iam';
}

export const adminRoutes: readonly AdminRouteDefinition[] = [
  { method: 'GET', path: '/admin/v1/users/{userId}/sessions', entry: 'admin-user-sessions', auth: 'iam' },
  { method: 'GET', path: '/admin/v1/facebook-users/{facebookUserId}/sessions', entry: 'admin-facebook-user-sessions', auth: 'iam' },
  { method: 'DELETE', path: '/admin/v1/sessions/{id}', entry: 'admin-end-session', auth: 'iam' },
  { method: 'POST', path: '/admin/v1/users/{userId}/offboard', entry: 'admin-offboard-user', auth: 'iam' },
  { method: 'POST', path: '/admin/v1/inventory/credentials', entry: 'admin-inventory-add', auth: 'iam' },
  { method: 'GET', path: '/admin/v1/inventory/credentials', entry: 'admin-inventory-list', auth: 'iam' },
  { method: 'GET', path: '/admin/v1/inventory/credentials/{label}', entry: 'admin-inventory-show', auth: 'iam' },
  { method: 'POST', path: '/admin/v1/inventory/credentials/{label}/revoke', entry: 'admin-inventory-revoke', auth: 'iam' },
  { method: 'POST', path: '/admin/v1/inventory/checks', entry: 'admin-inventory-check', auth: 'iam' },
  { method: 'POST', path: '/admin/v1/inventory/owners/{owner}/offboard', entry: 'admin-inventory-offboard', auth: 'iam' },
];
