import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { RouteDefinition } from '#functions/routes';
import { budgetFor } from './route-budgets.ts';

export interface LoggedStageProps {
  readonly throttle: apigw.ThrottleSettings;
  /** @default RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** More access-log fields (`$context` variables), for an API that has them. */
  readonly extraLogFields?: Readonly<Record<string, string>>;
}

/**
 * The `$default` stage of one of our HTTP APIs (public or admin): auto-deployed, throttled, with
 * access logs kept in a retained log group. No headers, no query string, no path parameters are
 * logged: nothing that could carry a token.
 */
export function loggedStage(scope: Construct, httpApi: apigw.HttpApi, props: LoggedStageProps): apigw.HttpStage {
  const accessLogs = new logs.LogGroup(scope, 'AccessLogs', {
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return new apigw.HttpStage(scope, 'DefaultStage', {
    httpApi,
    stageName: '$default',
    autoDeploy: true,
    throttle: props.throttle,
    accessLogSettings: {
      destination: new apigw.LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          requestTime: '$context.requestTimeEpoch',
          ip: '$context.identity.sourceIp',
          routeKey: '$context.routeKey',
          status: '$context.status',
          protocol: '$context.protocol',
          responseLength: '$context.responseLength',
          responseLatency: '$context.responseLatency',
          integrationLatency: '$context.integrationLatency',
          integrationStatus: '$context.integrationStatus',
          integrationError: '$context.integrationErrorMessage',
          authorizerError: '$context.authorizer.error',
          ...props.extraLogFields,
        }),
      ),
    },
  });
}

/**
 * Every route its own budget (infra/route-budgets.ts, `overrides` by entry first). Route settings
 * name route keys, so the stage must be updated after the routes exist.
 */
export function applyRouteBudgets(
  stage: apigw.HttpStage,
  routes: ReadonlyMap<RouteDefinition, apigw.HttpRoute>,
  overrides?: Readonly<Record<string, apigw.ThrottleSettings>>,
): void {
  const cfnStage = stage.node.defaultChild as apigw.CfnStage;
  const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
  for (const [route, httpRoute] of routes) {
    const budget = budgetFor(route.entry, overrides);
    routeSettings[`${route.method} ${route.path}`] = { ThrottlingRateLimit: budget.rateLimit ?? 0, ThrottlingBurstLimit: budget.burstLimit ?? 0 };
    cfnStage.addDependency(httpRoute.node.defaultChild as apigw.CfnRoute);
  }
  cfnStage.routeSettings = routeSettings;
}
