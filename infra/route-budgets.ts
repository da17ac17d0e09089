import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';

/**
 * Each route's own request budget (API Gateway route-level throttling, requests per second and
 * burst), by entry in functions/routes.ts and functions/admin-routes.ts. A route without a budget fails the synth, as a function
 * without access wiring does.
 *
 * Why per route: HTTP API throttling is otherwise one stage default, and everything behind it
 * (the account's API Gateway and Lambda concurrency limits) is shared. The sign-in routes are
 * unauthenticated and each call waits on Facebook for up to seconds, so a flood of them could hold
 * every Lambda slot while Facebook's deauthorize and data-deletion callbacks, which must succeed
 * for people who removed the app, are refused. Capping sign-in below the account's limits and
 * giving the callbacks budgets of their own keeps room for them whatever sign-in does. The budgets
 * add up (~420 rps, the admin API included) to well under the default account limits (10,000 rps; 1,000 concurrent Lambda
 * executions at ~1 s each). Raise them deliberately, with those sums in mind.
 */
export const ROUTE_BUDGETS: Readonly<Record<string, ThrottleSettings>> = {
  health: { rateLimit: 10, burstLimit: 20 },
  // Sign-in: unauthenticated, each call goes to Facebook. WAF (optional) adds a per-IP limit.
  'create-session': { rateLimit: 50, burstLimit: 100 },
  'web-login': { rateLimit: 20, burstLimit: 40 },
  'web-login-callback': { rateLimit: 20, burstLimit: 40 },
  // Signed-in traffic: one DynamoDB read or delete each.
  'get-current-session': { rateLimit: 100, burstLimit: 200 },
  'delete-current-session': { rateLimit: 20, burstLimit: 40 },
  // Re-authentication: signed-in, rare (before a sensitive action); completing it waits on Facebook.
  'reauth-start': { rateLimit: 10, burstLimit: 20 },
  'reauth-complete': { rateLimit: 10, burstLimit: 20 },
  'sensitive-action': { rateLimit: 20, burstLimit: 40 },
  // Facebook's callbacks: low volume, but never to be crowded out.
  'facebook-deauthorize': { rateLimit: 20, burstLimit: 40 },
  'facebook-data-deletion': { rateLimit: 10, burstLimit: 20 },
  'data-deletion-status': { rateLimit: 10, burstLimit: 20 },
  // The person's own sessions (behind the authorizer): a Query, or a few revocations each.
  'list-sessions': { rateLimit: 50, burstLimit: 100 },
  'end-session': { rateLimit: 20, burstLimit: 40 },
  'end-all-sessions': { rateLimit: 10, burstLimit: 20 },
  // The admin API (its own HTTP API and stage, IAM authorization): operators and their scripts.
  // Offboarding and the inventory's checks do the most work per call, so they get the least.
  'admin-user-sessions': { rateLimit: 5, burstLimit: 10 },
  'admin-facebook-user-sessions': { rateLimit: 5, burstLimit: 10 },
  'admin-end-session': { rateLimit: 5, burstLimit: 10 },
  'admin-offboard-user': { rateLimit: 2, burstLimit: 5 },
  'admin-inventory-add': { rateLimit: 2, burstLimit: 5 },
  'admin-inventory-list': { rateLimit: 5, burstLimit: 10 },
  'admin-inventory-show': { rateLimit: 5, burstLimit: 10 },
  'admin-inventory-revoke': { rateLimit: 2, burstLimit: 5 },
  'admin-inventory-check': { rateLimit: 1, burstLimit: 2 },
  'admin-inventory-offboard': { rateLimit: 2, burstLimit: 5 },
};

/** The unauthenticated sign-in entries: the WAF rate rule and the sign-in alarms watch these. */
export const SIGN_IN_ENTRIES = ['create-session', 'web-login', 'web-login-callback'] as const;

/** The budget of `entry`, with `overrides` (stack setting) applied; throws for an entry without one. */
export function budgetFor(entry: string, overrides: Readonly<Record<string, ThrottleSettings>> = {}): ThrottleSettings {
  const budget = overrides[entry] ?? ROUTE_BUDGETS[entry];
  if (!budget) throw new Error(`functions/${entry}.ts has a route but no request budget: add it to ROUTE_BUDGETS in infra/route-budgets.ts`);
  return budget;
}
