import type { Duration, StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { AdminRouteDefinition } from '#functions/admin-routes';
import type { RouteDefinition } from '#functions/routes';
import type { EventsWebhookSettings } from './events.ts';

/**
 * Every setting of the Session Guard stack. infra/session-guard-app.ts fills them from CDK context;
 * docs/deploy.md documents each context key.
 */
export interface SessionGuardStackProps extends StackProps {
  /** The numeric Facebook app id (context `facebookAppId`). */
  readonly facebookAppId: string;
  /** Graph API version the functions call. @default 'v21.0' */
  readonly graphApiVersion?: string;
  /** Absolute session lifetime in seconds. @default 2592000 (30 days) */
  readonly sessionMaxAgeSeconds?: number;
  /** Alias of the key that seals session-info tokens. @default 'alias/session-guard/tokens' */
  readonly tokenKeyAlias?: string;
  /**
   * The deployment's name (`dev`, `staging`, `prod`, ...; context `stage`): tags every resource
   * and names the stack. @default 'dev'
   */
  readonly stage?: string;
  /**
   * Let `cdk destroy` delete the table and both keys (context `destroyDataOnDelete`), for throwaway
   * stages. Refused for the `prod` stage. Logs and the app secret are always retained.
   * @default false: the table and keys are retained
   */
  readonly destroyDataOnDelete?: boolean;
  /**
   * The IAM role people may assume to open sealed tokens in an emergency; the token key's policy
   * denies kms:Decrypt to everyone else but the revalidation worker (context `breakGlassRoleArn`).
   * @default arn:<partition>:iam::<account>:role/session-guard-break-glass
   */
  readonly breakGlassRoleArn?: string;
  /**
   * Name of an existing Secrets Manager secret holding the Facebook app secret (context
   * `appSecretName`). @default a secret created with a random placeholder, to be replaced
   */
  readonly appSecretName?: string;
  /**
   * A custom domain for the API (contexts `customDomainName`, `customDomainCertificateArn`: an ACM
   * certificate for that name in the stack's region). Point a DNS CNAME at the `CustomDomainTarget`
   * output. It becomes the default `publicBaseUrl`. @default none: the execute-api URL
   */
  readonly customDomain?: CustomDomainSettings;
  /** Where alarms send e-mail (context `alarmEmail`), through an SNS topic. @default no subscription */
  readonly alarmEmail?: string;
  /**
   * A CloudFront-scoped AWS WAF web ACL (from the `SessionGuardEdge` stack, context
   * `wafWebAclArn`): the API is then also served through a CloudFront distribution that it
   * guards. HTTP APIs cannot hold a web ACL themselves. @default no WAF
   */
  readonly wafWebAclArn?: string;
  /** Retention of every log group (functions and API access logs). @default RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Stage-wide API throttling, for routes without a budget of their own. @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttle?: apigw.ThrottleSettings;
  /** Per-route request budgets replacing those of infra/route-budgets.ts, by entry. @default none */
  readonly routeBudgets?: Readonly<Record<string, apigw.ThrottleSettings>>;
  /** The route table. @default `routes` from functions/routes.ts */
  readonly routes?: readonly RouteDefinition[];
  /**
   * Public https base URL of the API (a custom domain, say), used in the data-deletion status
   * links handed to Facebook. @default the API's own execute-api URL
   */
  readonly publicBaseUrl?: string;
  /** The scheduled revalidation. @default every 15 minutes, at most 5 workers at once, code defaults for app usage */
  readonly revalidation?: RevalidationSettings;
  /**
   * Origins (exact, https) of web apps that browser sign-in may return to and that may sign out
   * with the session cookie (context `returnToAllowedOrigins`, comma-separated). @default none:
   * only paths on the API's own origin
   */
  readonly returnToAllowedOrigins?: readonly string[];
  /** Facebook permissions the login dialog asks for (context `facebookScopes`). @default ['public_profile'] */
  readonly facebookScopes?: readonly string[];
  /**
   * Days a revocation record (session, user, reason, time) is kept for audit, the same for every
   * function that revokes (context `revocationRetentionDays`). @default 90
   */
  readonly revocationRetentionDays?: number;
  /**
   * Deliver every event to a webhook too (contexts `eventsWebhookUrl` and
   * `eventsWebhookApiKeySecretArn`). @default none: events go to the bus only
   */
  readonly eventsWebhook?: EventsWebhookSettings;
  /**
   * Live sessions one person may hold; signing in beyond it ends their oldest, recorded as revoked
   * with reason `replaced` (context `maxLiveSessionsPerPerson`). @default 25
   */
  readonly maxLiveSessionsPerPerson?: number;
  /**
   * Oldest `issued_at` Facebook's callbacks accept, in seconds (context `signedRequestMaxAgeSeconds`).
   * Our own choice: no public source states a limit. @default 86400 (a day)
   */
  readonly signedRequestMaxAgeSeconds?: number;
  /** The admin route table. @default `adminRoutes` from functions/admin-routes.ts */
  readonly adminRoutes?: readonly AdminRouteDefinition[];
  /** Days the audit record of an admin action is kept (context `auditRetentionDays`). @default 400 */
  readonly auditRetentionDays?: number;
}

export interface CustomDomainSettings {
  /** e.g. `auth.example.com` */
  readonly domainName: string;
  /** ARN of an ACM certificate for `domainName`, in the stack's region. */
  readonly certificateArn: string;
}

export interface RevalidationSettings {
  /** How often a sweep starts (context `sweepIntervalMinutes`). @default Duration.minutes(15) */
  readonly interval?: Duration;
  /** Worker invocations at once (context `sweepMaxConcurrency`). @default 5 */
  readonly workerMaxConcurrency?: number;
  /** X-App-Usage percent from which the sweep slows down. @default 60 (the worker's default) */
  readonly appUsageSlowdownPercent?: number;
  /** X-App-Usage percent from which the sweep stops for the run. @default 80 (the worker's default) */
  readonly appUsageStopPercent?: number;
  /**
   * The mass-revocation guard: a sweep that would revoke more than this percent of the sessions it
   * checked stops revoking (context `massRevocationMaxPercent`). @default 20
   */
  readonly massRevocationMaxPercent?: number;
  /** …and would revoke at least this many (context `massRevocationMinSessions`). @default 100 */
  readonly massRevocationMinSessions?: number;
}

