import { CfnOutput, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  areFacebookScopes,
  DEFAULT_AUDIT_RETENTION_DAYS,
  DEFAULT_FACEBOOK_SCOPES,
  DEFAULT_REVOCATION_RETENTION_DAYS,
  DEFAULT_SESSION_MAX_AGE_SECONDS,
  DEPLOYED_URLS,
  isExactOrigin,
  isPublicBaseUrl,
} from '#commons/platform/config-rules';
import { adminRoutes as adminRouteTable } from '#functions/admin-routes';
import { authorizerEntry, routes as routeTable } from '#functions/routes';
import { adminAccess } from './admin-access.ts';
import { AdminApi } from './admin-api.ts';
import { CredentialInventory } from './credential-inventory.ts';
import { WafFront } from './edge-protection.ts';
import { SessionEvents } from './events.ts';
import { FacebookApp } from './facebook-app.ts';
import { Operations } from './operations.ts';
import { Revalidation } from './revalidation.ts';
import { SessionApi } from './session-api.ts';
import { SessionGuardFunction, type SessionGuardFunctionProps } from './session-guard-function.ts';
import { SessionTable } from './session-table.ts';
import { TokenKey } from './token-key.ts';
import type { SessionGuardStackProps } from './stack-settings.ts';

export type { CustomDomainSettings, RevalidationSettings, SessionGuardStackProps } from './stack-settings.ts';

/**
 * What each function may touch, declared in one place. Each line is a grant method that also sets
 * the environment variable naming the resource, so environment and permissions cannot drift apart.
 * A function that is not listed here fails the synth: adding a route means deciding its access.
 *
 * Over 300 lines on purpose: the access table below states every function's grants in one
 * place, which is what a least-privilege review reads; the constructs themselves live in their own files.
 */
type AccessWiring = (fn: SessionGuardFunction) => void;

export class SessionGuardStack extends Stack {
  readonly sessionTable: SessionTable;
  readonly tokenKey: TokenKey;
  readonly facebookApp: FacebookApp;
  readonly api: SessionApi;
  readonly adminApi: AdminApi;
  readonly revalidation: Revalidation;
  readonly operations: Operations;
  readonly stage: string;
  readonly events: SessionEvents;
  readonly credentialInventory: CredentialInventory;
  private readonly functionsByEntry = new Map<string, SessionGuardFunction>();

  constructor(scope: Construct, id: string, props: SessionGuardStackProps) {
    super(scope, id, props);
    const routes = props.routes ?? routeTable;
    const adminRoutes = props.adminRoutes ?? adminRouteTable;
    const sessionMaxAgeSeconds = props.sessionMaxAgeSeconds ?? DEFAULT_SESSION_MAX_AGE_SECONDS;
    if (!Number.isInteger(sessionMaxAgeSeconds) || sessionMaxAgeSeconds <= 0) {
      throw new Error(`sessionMaxAgeSeconds must be a positive whole number of seconds, got ${sessionMaxAgeSeconds}`);
    }

    this.stage = checkStageName(props.stage ?? 'dev');
    if (props.destroyDataOnDelete === true && this.stage === 'prod') {
      throw new Error('destroyDataOnDelete is refused for the prod stage: a production table or key is never deleted with its stack');
    }
    Tags.of(this).add('session-guard:stage', this.stage);
    const removalPolicy = props.destroyDataOnDelete === true ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.sessionTable = new SessionTable(this, 'Sessions', { removalPolicy });
    this.tokenKey = new TokenKey(this, 'TokenKey', {
      alias: props.tokenKeyAlias,
      removalPolicy,
      breakGlassRoleArn: props.breakGlassRoleArn ?? this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'session-guard-break-glass' }),
    });
    this.facebookApp = new FacebookApp(this, 'FacebookApp', {
      appId: props.facebookAppId,
      graphApiVersion: props.graphApiVersion,
      ...(props.appSecretName !== undefined ? { appSecretName: props.appSecretName } : {}),
    });

    // The functions' own rules (functions/commons/platform/config-rules.ts), checked at synth.
    const facebookScopes = props.facebookScopes ?? DEFAULT_FACEBOOK_SCOPES;
    if (!areFacebookScopes(facebookScopes)) {
      throw new Error(`facebookScopes must be Facebook permission names, got "${facebookScopes.join(',')}"`);
    }
    const returnToAllowedOrigins = props.returnToAllowedOrigins ?? [];
    for (const origin of returnToAllowedOrigins) {
      if (!isExactOrigin(origin, DEPLOYED_URLS)) throw new Error(`returnToAllowedOrigins must be exact https origins like https://app.example.com, got "${origin}"`);
    }

    const revocationRetentionDays = props.revocationRetentionDays ?? DEFAULT_REVOCATION_RETENTION_DAYS;
    if (!Number.isInteger(revocationRetentionDays) || revocationRetentionDays <= 0) {
      throw new Error(`revocationRetentionDays must be a positive whole number of days, got ${revocationRetentionDays}`);
    }
    const auditRetentionDays = wholeNumberIn(props.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS, 1, 3650, 'auditRetentionDays');
    /** Every revoker (callback, sweep worker, the sign-ins' session cap, sign-out and operator routes) keeps records equally long. */
    const keepRevocations = (fn: SessionGuardFunction) => fn.addEnvironment('REVOCATION_RETENTION_DAYS', String(revocationRetentionDays));
    const maxLiveSessions = wholeNumberIn(props.maxLiveSessionsPerPerson ?? 25, 1, 1000, 'maxLiveSessionsPerPerson');
    const signedRequestMaxAge = wholeNumberIn(props.signedRequestMaxAgeSeconds ?? 86_400, 1, 30 * 86_400, 'signedRequestMaxAgeSeconds');
    /** Both sign-in functions open sessions the same way, the cap on live sessions included. */
    const openSessions = (fn: SessionGuardFunction) => {
      this.tokenKey.grantSeal(fn);
      this.facebookApp.grantGraphAccess(fn);
      fn.addEnvironment('SESSION_MAX_AGE_SECONDS', String(sessionMaxAgeSeconds));
      fn.addEnvironment('MAX_LIVE_SESSIONS_PER_PERSON', String(maxLiveSessions));
      keepRevocations(fn);
    };
    const verifyCallbacks = (fn: SessionGuardFunction) => {
      this.facebookApp.grantSecretRead(fn);
      fn.addEnvironment('SIGNED_REQUEST_MAX_AGE_SECONDS', String(signedRequestMaxAge));
    };

    const sessions = this.sessionTable;
    const access: Record<string, AccessWiring> = {
      // Answers from memory: no environment, no access.
      health: () => {},
      [authorizerEntry]: (fn) => sessions.grantSessionLookup(fn),
      'get-current-session': (fn) => sessions.grantSessionLookup(fn),
      'delete-current-session': (fn) => sessions.grantSessionEnd(fn),
      // The person's own sessions (behind the authorizer): list them, end one, end all.
      'list-sessions': (fn) => sessions.grantUserSessionsQuery(fn),
      'end-session': (fn) => {
        sessions.grantSessionLookup(fn);
        sessions.grantRevocation(fn);
        keepRevocations(fn);
      },
      'end-all-sessions': (fn) => {
        sessions.grantUserSessionsQuery(fn);
        sessions.grantRevocation(fn);
        keepRevocations(fn);
      },
      ...adminAccess({
        sessions,
        revocationRetentionDays,
        auditRetentionDays,
        grantCheckerInvoke: (fn) => this.credentialInventory.grantCheckerInvoke(fn),
      }),
      // Facebook's callbacks: verify signed requests with the app secret; no Graph, no KMS.
      'facebook-deauthorize': (fn) => {
        sessions.grantAppRemoval(fn);
        verifyCallbacks(fn);
        keepRevocations(fn);
      },
      'facebook-data-deletion': (fn) => {
        sessions.grantDataDeletion(fn);
        verifyCallbacks(fn);
        // PUBLIC_BASE_URL is set below, once the API (and so its URL) exists.
      },
      'data-deletion-status': (fn) => sessions.grantDataDeletionStatus(fn),
      'create-session': (fn) => {
        sessions.grantSessionCreate(fn);
        openSessions(fn);
      },
      // Browser sign-in. The start only writes the state and names the dialog: no secret, no KMS.
      // The callback exchanges the code (app secret), seals the session-info token (GenerateDataKey
      // only) and opens the session. Both get PUBLIC_BASE_URL below, once the API exists.
      'web-login': (fn) => {
        sessions.grantLoginStart(fn);
        this.facebookApp.configureDialog(fn);
        fn.addEnvironment('FACEBOOK_SCOPES', facebookScopes.join(','));
      },
      // Re-authentication. The start issues the nonce and names the dialog (no secret, no KMS, no
      // Graph); the completion checks the login with Facebook (app secret), seals the new
      // session-info token (GenerateDataKey only) and refreshes the session. The web-login-callback
      // completes it too for dialogs that redirect. Both get PUBLIC_BASE_URL below.
      'reauth-start': (fn) => {
        sessions.grantReauthStart(fn);
        this.facebookApp.configureDialog(fn);
        fn.addEnvironment('FACEBOOK_SCOPES', facebookScopes.join(','));
      },
      'reauth-complete': (fn) => {
        sessions.grantReauthComplete(fn);
        this.tokenKey.grantSeal(fn);
        this.facebookApp.grantGraphAccess(fn);
        fn.addEnvironment('SESSION_MAX_AGE_SECONDS', String(sessionMaxAgeSeconds));
      },
      // The example sensitive action: the authorizer hands it authTime; it touches nothing.
      'sensitive-action': () => {},
      'web-login-callback': (fn) => {
        sessions.grantWebSignIn(fn);
        openSessions(fn);
      },
    };

    // The credential inventory's checker: the only function that may read the registered secrets;
    // made before the admin functions, which may invoke it.
    const checker = this.addFunction(
      'inventory-checker',
      (fn) => {
        sessions.grantInventory(fn);
        this.facebookApp.grantGraphAccess(fn);
      },
      props.logRetention,
      { timeout: Duration.minutes(2), memorySize: 512 },
    );
    this.credentialInventory = new CredentialInventory(this, 'CredentialInventory', { checker });

    for (const entry of new Set([authorizerEntry, ...[...routes, ...adminRoutes].map((route) => route.entry)])) {
      const wire = access[entry];
      if (!wire) {
        throw new Error(`functions/${entry}.ts has no access wiring: add it to \`access\` in infra/session-guard-stack.ts`);
      }
      this.addFunction(entry, wire, props.logRetention);
    }
    const authorizer = this.functionFor(authorizerEntry);

    // The scheduled revalidation: background functions no route reaches. The worker is the only
    // function that may open sealed tokens (kms:Decrypt); the dispatcher reads the shard cursors and sends to the queue.
    const sweep = props.revalidation ?? {};
    const dispatcher = this.addFunction('revalidation-dispatcher', (fn) => sessions.grantSweepPlan(fn), props.logRetention, { timeout: Duration.seconds(30), memorySize: 256 });
    const worker = this.addFunction(
      'revalidation-worker',
      (fn) => {
        sessions.grantSweep(fn);
        this.tokenKey.grantOpen(fn);
        this.facebookApp.grantGraphAccess(fn);
        keepRevocations(fn);
        for (const [name, value] of [
          ['APP_USAGE_SLOWDOWN_PERCENT', sweep.appUsageSlowdownPercent],
          ['APP_USAGE_STOP_PERCENT', sweep.appUsageStopPercent],
          ['MASS_REVOCATION_MAX_PERCENT', sweep.massRevocationMaxPercent ?? 20],
        ] as const) {
          if (value === undefined) continue;
          if (!(value >= 0 && value <= 100)) throw new Error(`${name.toLowerCase()} must be a percentage, got ${value}`);
          fn.addEnvironment(name, String(value));
        }
        fn.addEnvironment('MASS_REVOCATION_MIN_SESSIONS', String(wholeNumberIn(sweep.massRevocationMinSessions ?? 100, 1, 1_000_000, 'massRevocationMinSessions')));
      },
      props.logRetention,
      // Long enough for many pages per run; the worker hands the rest of a share on well before it.
      { timeout: Duration.minutes(3), memorySize: 1024 },
    );
    this.revalidation = new Revalidation(this, 'Revalidation', {
      dispatcher,
      worker,
      interval: sweep.interval,
      workerMaxConcurrency: sweep.workerMaxConcurrency,
    });

    // Events: the table's stream, read by a small consumer that puts them on the bus (docs/events.md).
    const eventsConsumer = this.addFunction('events-stream', () => {}, props.logRetention, { timeout: Duration.seconds(60), memorySize: 256 });
    this.events = new SessionEvents(this, 'Events', { table: sessions.table, consumer: eventsConsumer, webhook: props.eventsWebhook });

    this.api = new SessionApi(this, 'Api', {
      routes,
      handlerFor: (entry) => this.functionFor(entry).function,
      authorizerFunction: authorizer.function,
      throttle: props.throttle,
      routeBudgets: props.routeBudgets,
      logRetention: props.logRetention,
      corsAllowOrigins: returnToAllowedOrigins,
      customDomain: props.customDomain,
    });

    this.adminApi = new AdminApi(this, 'AdminApi', {
      routes: adminRoutes,
      handlerFor: (entry) => this.functionFor(entry).function,
      routeBudgets: props.routeBudgets,
      logRetention: props.logRetention,
    });

    const publicBaseUrl = props.publicBaseUrl ?? (props.customDomain ? `https://${props.customDomain.domainName}` : this.api.url);
    if (props.publicBaseUrl !== undefined && !isPublicBaseUrl(props.publicBaseUrl, DEPLOYED_URLS)) {
      throw new Error(`publicBaseUrl must be an https URL without query, fragment or credentials, got "${props.publicBaseUrl}"`);
    }
    if (this.functionsByEntry.has('facebook-data-deletion')) {
      this.functionFor('facebook-data-deletion').addEnvironment('PUBLIC_BASE_URL', publicBaseUrl);
    }
    // Browser sessions: PUBLIC_BASE_URL is the sign-in callback's base and, being https, makes the
    // cookies Secure and __Host- named; the allowed origins decide returnTo and, with the API's own
    // origin, who may change state with the cookie (sign-out, and the authorizer on writes).
    const cookieWriters = ['delete-current-session', 'end-session', 'end-all-sessions', 'reauth-start', 'reauth-complete'];
    for (const entry of ['web-login', 'web-login-callback', authorizerEntry, 'get-current-session', ...cookieWriters]) {
      if (this.functionsByEntry.has(entry)) this.functionFor(entry).addEnvironment('PUBLIC_BASE_URL', publicBaseUrl);
    }
    if (returnToAllowedOrigins.length > 0) {
      for (const entry of ['web-login', authorizerEntry, ...cookieWriters]) {
        if (this.functionsByEntry.has(entry)) this.functionFor(entry).addEnvironment('RETURN_TO_ALLOWED_ORIGINS', returnToAllowedOrigins.join(','));
      }
    }

    this.operations = new Operations(this, 'Operations', {
      functions: this.functionsByEntry,
      httpApi: this.api.httpApi,
      sweepInterval: sweep.interval ?? Duration.minutes(15),
      otherAlarms: [this.revalidation.deadLetterAlarm],
      alarmEmail: props.alarmEmail,
    });
    this.events.notify(this.operations.topic);
    new CfnOutput(this, 'DashboardUrl', { description: 'The on-call dashboard (docs/runbook.md)', value: this.operations.dashboard.url });
    new CfnOutput(this, 'AlarmTopicArn', { description: 'Every alarm notifies this SNS topic: subscribe a pager or chat here', value: this.operations.topic.topicArn });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the Session Guard HTTP API',
      value: this.api.url,
    });
    if (props.wafWebAclArn !== undefined) {
      if (!/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\//.test(props.wafWebAclArn)) {
        throw new Error(`wafWebAclArn must be a CloudFront-scoped (global, us-east-1) web ACL ARN, got "${props.wafWebAclArn}"`);
      }
      const front = new WafFront(this, 'WafFront', { apiDomainName: `${this.api.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`, webAclArn: props.wafWebAclArn });
      new CfnOutput(this, 'CloudFrontUrl', {
        description: 'The API behind AWS WAF: use this (or a domain on the distribution) as the public address and publicBaseUrl',
        value: `https://${front.distribution.distributionDomainName}`,
      });
    }
    if (this.api.domainName) {
      new CfnOutput(this, 'CustomDomainTarget', {
        description: `Point a CNAME (or alias record) for ${this.api.domainName.name} at this`,
        value: this.api.domainName.regionalDomainName,
      });
    }
    new CfnOutput(this, 'AdminApiUrl', {
      description: 'Base URL of the admin API (IAM authorization): SESSION_GUARD_ADMIN_URL for `npm run admin`',
      value: this.adminApi.url,
    });
    new CfnOutput(this, 'AuthorizerFunctionArn', {
      description:
        'Lambda REQUEST authorizer (payload 2.0, simple responses, no caching, no identity source) for your own HTTP APIs; grant apigateway.amazonaws.com lambda:InvokeFunction on it from your stack',
      value: authorizer.function.functionArn,
      exportName: `${this.stackName}-AuthorizerFunctionArn`,
    });
    new CfnOutput(this, 'MassRevocationOverrideParameter', {
      description: 'Set to an ISO time to let the sweep revoke beyond the mass-revocation guard until then (docs/runbook.md#massrevocationguardtripped)',
      value: this.revalidation.guardOverride.parameterName,
    });
    new CfnOutput(this, 'FacebookAppSecretArn', {
      description: 'Put the Facebook app secret here after the first deploy (it starts as a random placeholder)',
      value: this.facebookApp.appSecret.secretArn,
    });
  }

  /** Every function by its entry name (functions/<entry>.ts): API handlers, the authorizer, and later background work. */
  get functions(): ReadonlyMap<string, SessionGuardFunction> {
    return this.functionsByEntry;
  }

  /** The function built from functions/<entry>.ts. */
  functionFor(entry: string): SessionGuardFunction {
    const fn = this.functionsByEntry.get(entry);
    if (!fn) throw new Error(`no function for entry ${entry}`);
    return fn;
  }

  /**
   * Creates the function for functions/<entry>.ts and gives it its access. Background functions
   * (a dispatcher or worker that no route invokes) are added the same way, with their own wiring.
   */
  private addFunction(
    entry: string,
    wire: AccessWiring,
    logRetention?: logs.RetentionDays,
    sizing: Pick<SessionGuardFunctionProps, 'timeout' | 'memorySize'> = {},
  ): SessionGuardFunction {
    if (this.functionsByEntry.has(entry)) throw new Error(`function ${entry} is already defined`);
    const fn = new SessionGuardFunction(this, constructIdFor(entry), { entry, logRetention, ...sizing });
    wire(fn);
    this.functionsByEntry.set(entry, fn);
    return fn;
  }
}

/** A stage names stacks and tags: short, lower-case, starting with a letter. */
export function checkStageName(stage: string): string {
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) throw new Error(`stage must be a short lower-case name like dev or prod, got "${stage}"`);
  return stage;
}

/** `create-session` → `CreateSession`: stable construct ids, hence stable logical ids. */
function wholeNumberIn(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  return value;
}

function constructIdFor(entry: string): string {
  return entry
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
