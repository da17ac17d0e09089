import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AdminRouteDefinition } from '#functions/admin-routes';
import { applyRouteBudgets, loggedStage } from './api-stage.ts';

export interface AdminApiProps {
  /** The admin route table (functions/admin-routes.ts). */
  readonly routes: readonly AdminRouteDefinition[];
  readonly handlerFor: (entry: string) => lambda.IFunction;
  /** Stage-wide throttling, for any route without a budget of its own. @default { rateLimit: 10, burstLimit: 20 }: operators, not the public */
  readonly throttle?: apigw.ThrottleSettings;
  /** Per-route budgets replacing those of infra/route-budgets.ts, by entry. @default none */
  readonly routeBudgets?: Readonly<Record<string, apigw.ThrottleSettings>>;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The admin API: an HTTP API of its own (not routes on the public one), every route with IAM
 * authorization (AWS_IAM, SigV4). API Gateway refuses anything not signed by AWS credentials whose
 * IAM policy allows `execute-api:Invoke` on the route, before a function runs; a session token is
 * not a signature, so no session reaches it. No CORS: browsers are not its clients. The access log
 * names the calling principal.
 */
export class AdminApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Session Guard admin API (IAM authorization): operators list and end sessions and offboard people',
      createDefaultStage: false,
    });
    this.stage = loggedStage(this, this.httpApi, {
      throttle: props.throttle ?? { rateLimit: 10, burstLimit: 20 },
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      extraLogFields: { caller: '$context.identity.userArn' },
    });
    const authorizer = new HttpIamAuthorizer();
    const routes = new Map<AdminRouteDefinition, apigw.HttpRoute>();
    for (const route of props.routes) {
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.entry}-integration`, props.handlerFor(route.entry)),
        authorizer,
      });
      if (!httpRoute) throw new Error(`no route created for ${route.method} ${route.path}`);
      routes.set(route, httpRoute);
    }
    // Operators' routes have budgets too: a runaway script cannot starve the offboarding of someone.
    applyRouteBudgets(this.stage, routes, props.routeBudgets);
  }

  get url(): string {
    return this.stage.url;
  }

  /** Lets an operator role or group call every admin route (`execute-api:Invoke` on this API only). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.httpApi.arnForExecuteApi('*', '/admin/*', this.stage.stageName)],
    });
  }
}
