import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { corsPolicy, type RouteDefinition } from '#functions/routes';
import { applyRouteBudgets, loggedStage } from './api-stage.ts';

export interface SessionApiProps {
  /** The route table (functions/routes.ts): one API route per entry. */
  readonly routes: readonly RouteDefinition[];
  /** The function behind each route's `entry`. */
  readonly handlerFor: (entry: string) => lambda.IFunction;
  /** The Lambda authorizer that admits `auth: 'session'` routes. */
  readonly authorizerFunction: lambda.IFunction;
  /** Stage-wide throttling, for any route without a budget of its own. @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttle?: apigw.ThrottleSettings;
  /** Per-route budgets replacing those of infra/route-budgets.ts, by entry. @default none */
  readonly routeBudgets?: Readonly<Record<string, apigw.ThrottleSettings>>;
  /** Serve the API on this custom domain too. @default none */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** Access log retention. @default RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Web app origins allowed cross-origin access with credentials (`corsPolicy`). @default none: no CORS */
  readonly corsAllowOrigins?: readonly string[];
}

/**
 * A route's `maxAuthAgeSeconds` is enforced by its handler with the `authTime` the session
 * authorizer hands it: without the authorizer there is no authTime to check, so such a route
 * fails the synth rather than deploy unprotected.
 */
function checkFreshness(route: RouteDefinition): void {
  if (route.maxAuthAgeSeconds === undefined) return;
  if (!Number.isInteger(route.maxAuthAgeSeconds) || route.maxAuthAgeSeconds <= 0) {
    throw new Error(`${route.method} ${route.path}: maxAuthAgeSeconds must be a positive whole number of seconds, got ${route.maxAuthAgeSeconds}`);
  }
  if (route.auth !== 'session') {
    throw new Error(`${route.method} ${route.path}: maxAuthAgeSeconds needs auth 'session' (the authorizer supplies authTime)`);
  }
}

/**
 * The HTTP API, built from the route table so a route cannot exist here and not in the local
 * server. Routes with `auth: 'session'` go through the session authorizer.
 *
 * The authorizer: a Lambda REQUEST authorizer with simple responses and payload 2.0, results
 * caching off (a revoked session must be refused on the very next request) and no identity source
 * (with one, API Gateway answers 401 itself when that header is missing, so a session carried in
 * the cookie instead of the Bearer header would never reach the function). It is created eagerly
 * rather than on first use by a route, so it exists, tested, before any route needs it.
 */
export class SessionApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly authorizer: apigw.HttpAuthorizer;
  readonly routes: ReadonlyMap<RouteDefinition, apigw.HttpRoute>;
  readonly domainName?: apigw.DomainName;

  constructor(scope: Construct, id: string, props: SessionApiProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `${stack.stackName}-api`,
      description: 'Session Guard: sessions that end when the Facebook session ends',
      createDefaultStage: false,
      ...(props.corsAllowOrigins && props.corsAllowOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...props.corsAllowOrigins],
              allowCredentials: corsPolicy.allowCredentials,
              allowHeaders: [...corsPolicy.allowHeaders],
              exposeHeaders: [...corsPolicy.exposeHeaders],
              allowMethods: corsPolicy.allowMethods.map((method) => apigw.CorsHttpMethod[method]),
              maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
            },
          }
        : {}),
    });

    this.stage = loggedStage(this, this.httpApi, {
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
    });

    this.authorizer = new apigw.HttpAuthorizer(this, 'SessionAuthorizer', {
      httpApi: this.httpApi,
      authorizerName: 'session',
      type: apigw.HttpAuthorizerType.LAMBDA,
      authorizerUri: `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${props.authorizerFunction.functionArn}/invocations`,
      payloadFormatVersion: apigw.AuthorizerPayloadVersion.VERSION_2_0,
      enableSimpleResponses: true,
      resultsCacheTtl: Duration.seconds(0),
      identitySource: [],
    });
    // An empty list would still be an identity source property; leave it out altogether.
    (this.authorizer.node.defaultChild as apigw.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
    props.authorizerFunction.addPermission('InvokeFromSessionAuthorizer', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: stack.formatArn({
        service: 'execute-api',
        resource: this.httpApi.apiId,
        resourceName: `authorizers/${this.authorizer.authorizerId}`,
      }),
    });
    const sessionAuthorizer = apigw.HttpAuthorizer.fromHttpAuthorizerAttributes(this, 'SessionRouteAuthorizer', {
      authorizerId: this.authorizer.authorizerId,
      authorizerType: 'CUSTOM',
    });

    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationFor = (entry: string): HttpLambdaIntegration => {
      let integration = integrations.get(entry);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${entry}-integration`, props.handlerFor(entry));
        integrations.set(entry, integration);
      }
      return integration;
    };

    const routes = new Map<RouteDefinition, apigw.HttpRoute>();
    for (const route of props.routes) {
      checkFreshness(route);
      // IAM-authorized routes belong to the admin API (infra/admin-api.ts), never to this public one.
      if (route.auth === 'iam') throw new Error(`${route.method} ${route.path} is an IAM route: it belongs in functions/admin-routes.ts`);
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integrationFor(route.entry),
        authorizer: route.auth === 'session' ? sessionAuthorizer : new apigw.HttpNoneAuthorizer(),
      });
      if (!httpRoute) throw new Error(`no route created for ${route.method} ${route.path}`);
      if (route.auth === 'none') {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is declared auth 'none' in functions/routes.ts: the health check is public, sign-in is authenticated by the Facebook access token it carries, the /sessions/current routes check the session token (Bearer or cookie) themselves so they can answer with an exact error code, browser sign-in is where a session is obtained (its start needs nothing, its callback is authenticated by the single-use state bound to the browser and Facebook's code), the /reauth routes check the session token themselves like /sessions/current, Facebook's callbacks are authenticated by the signed_request (HMAC under the app secret) they carry, and a data-deletion status page is found only by its unguessable confirmation code.`,
        });
      }
      routes.set(route, httpRoute);
    }
    this.routes = routes;

    applyRouteBudgets(this.stage, routes, props.routeBudgets);

    if (props.customDomain) {
      this.domainName = new apigw.DomainName(this, 'CustomDomain', {
        domainName: props.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
      });
      new apigw.ApiMapping(this, 'CustomDomainMapping', { api: this.httpApi, domainName: this.domainName, stage: this.stage });
    }
  }

  /** The API's base URL (the `$default` stage, so no stage segment). */
  get url(): string {
    return this.stage.url;
  }
}
