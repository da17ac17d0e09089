import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DEFAULT_SERVICE_NAME, METRICS_NAMESPACE, MetricName, SIGN_IN_CHANNELS } from '#commons/platform/metrics';
import type { AlarmId } from './operations.ts';
import type { SessionGuardFunction } from './session-guard-function.ts';

export interface OperationsDashboardProps {
  readonly dashboardName: string;
  readonly functions: ReadonlyMap<string, SessionGuardFunction>;
  readonly httpApi: apigw.HttpApi;
  readonly alarms: ReadonlyMap<AlarmId, cloudwatch.Alarm>;
  readonly signInErrorRate: cloudwatch.IMetric;
  readonly sweepLagThresholdSeconds: number;
  /** The lag comes once a sweep: graphed per sweep interval, so its points join up. */
  readonly sweepLagPeriod: Duration;
  readonly graphUsageThresholdPercent: number;
}

/** The dashboard's rows, top to bottom, as the person on call asks the questions (docs/runbook.md). */
export const DASHBOARD_ROWS = [
  'Is sign-in working?',
  'Are sweeps keeping up?',
  'Why are people being logged out?',
  'Is Facebook throttling us?',
  'Is anything misconfigured?',
] as const;

const FIVE_MINUTES = Duration.minutes(5);
const WIDTH = 8;
const HEIGHT = 6;

/** A Session Guard metric with the dimensions Powertools gives it (`service`, plus `extra`). */
export function sessionGuardMetric(name: MetricName, statistic: string, period: Duration, extra: Record<string, string> = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: DEFAULT_SERVICE_NAME, ...extra }, statistic, period });
}

/** A graph of every value of a `By<X>` metric's dimension, whatever values appear. */
function searchBy(name: MetricName, dimension: string, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},service} MetricName="${name}"', 'Sum', 300)`,
    label,
    usingMetrics: {},
    period: FIVE_MINUTES,
  });
}

/**
 * The on-call dashboard: one row per question in `DASHBOARD_ROWS`, under a strip of every alarm's
 * state. Widget titles are what the runbook points at.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const metric = (name: MetricName, statistic = 'Sum', extra: Record<string, string> = {}) => sessionGuardMetric(name, statistic, FIVE_MINUTES, extra);
    const fn = (entry: string) => props.functions.get(entry)?.function;
    const graph = (title: string, left: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: WIDTH, height: HEIGHT, ...options });
    const heading = (text: string) => new cloudwatch.TextWidget({ markdown: `## ${text}`, width: 24, height: 1 });
    const lambdaErrors = [...props.functions.entries()].map(([entry, f]) => f.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: entry }));
    const worker = fn('revalidation-worker');

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(6),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms.values()], width: 24, height: 3 })],
        [heading(DASHBOARD_ROWS[0])],
        [
          graph('Sessions created, by channel', SIGN_IN_CHANNELS.map((channel) => metric(MetricName.SessionsCreated, 'Sum', { channel }).with({ label: channel })), { stacked: true }),
          graph('Sign-in refusals, by code', [searchBy(MetricName.SignInRefusedByCode, 'code', 'refused')], { stacked: true }),
          graph('Sign-in error rate (%)', [props.signInErrorRate], {
            leftAnnotations: [{ value: 10, label: 'alarm', color: cloudwatch.Color.RED }],
            leftYAxis: { min: 0, max: 100 },
          }),
        ],
        [
          graph('API answers: 4xx and 5xx', [props.httpApi.metricClientError({ period: FIVE_MINUTES }), props.httpApi.metricServerError({ period: FIVE_MINUTES })]),
          graph('API latency (p50, p99)', [props.httpApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }), props.httpApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' })]),
          graph('API requests', [props.httpApi.metricCount({ period: FIVE_MINUTES })]),
        ],
        [heading(DASHBOARD_ROWS[1])],
        [
          graph('Sweep checks: valid, revoked, deferred, errors', [
            metric(MetricName.SessionsValid),
            metric(MetricName.SessionsRevoked),
            metric(MetricName.SessionsDeferred),
            metric(MetricName.SessionCheckErrors),
          ], { stacked: true }),
          graph('Sweep lag: oldest shard pass (s)', [sessionGuardMetric(MetricName.SweepLagSeconds, 'Maximum', props.sweepLagPeriod)], {
            leftAnnotations: [{ value: props.sweepLagThresholdSeconds, label: 'alarm', color: cloudwatch.Color.RED }],
          }),
          graph('Sweep progress: shard passes completed; shares completed, failed, stopped for app usage', [
            metric(MetricName.SweepPassesCompleted),
            metric(MetricName.SweepSharesCompleted),
            metric(MetricName.SweepSharesFailed),
            metric(MetricName.SweepSharesStoppedForAppUsage),
          ]),
        ],
        [
          graph('Sweep worker: errors and duration', worker ? [worker.metricErrors({ period: FIVE_MINUTES })] : [], {
            right: worker ? [worker.metricDuration({ period: FIVE_MINUTES, statistic: 'Maximum' })] : [],
          }),
          graph('Dead-letter queue: shares waiting', props.alarms.get('DeadLetterQueue') ? [props.alarms.get('DeadLetterQueue')!.metric] : []),
          graph('Mass-revocation guard tripped', [metric(MetricName.MassRevocationGuardTripped)]),
        ],
        [heading(DASHBOARD_ROWS[2])],
        [
          graph('Sessions revoked, by reason', [searchBy(MetricName.SessionsRevokedByReason, 'reason', 'revoked')], { stacked: true, width: 16 }),
          graph('Sessions revoked, total', [metric(MetricName.SessionsRevoked)]),
        ],
        [heading(DASHBOARD_ROWS[3])],
        [
          graph("Facebook X-App-Usage (% of the app's limit)", [metric(MetricName.GraphAppUsagePercent, 'Maximum')], {
            leftAnnotations: [{ value: props.graphUsageThresholdPercent, label: 'alarm: the sweep stops', color: cloudwatch.Color.RED }],
            leftYAxis: { min: 0, max: 100 },
          }),
          graph('Graph errors, by code', [searchBy(MetricName.GraphErrorsByCode, 'code', 'errors')], { stacked: true }),
          graph('Graph latency (p50, p99, ms)', [metric(MetricName.GraphLatency, 'p50'), metric(MetricName.GraphLatency, 'p99')]),
        ],
        [heading(DASHBOARD_ROWS[4])],
        [
          graph('Misconfiguration detected', [metric(MetricName.Misconfigured)]),
          graph('Refused signed_requests and nonce replays', [metric(MetricName.SignedRequestsRefused), metric(MetricName.NonceReplay)]),
          graph('Lambda errors, by function', lambdaErrors, { stacked: true }),
        ],
      ],
    });
  }

  /** The console URL of the dashboard. */
  get url(): string {
    const region = Stack.of(this).region;
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
