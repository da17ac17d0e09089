import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { MetricName, SIGN_IN_CHANNELS } from '#commons/platform/metrics';
import { OperationsDashboard, sessionGuardMetric } from './operations-dashboard.ts';
import { LogQueries } from './log-queries.ts';
import type { SessionGuardFunction } from './session-guard-function.ts';

/**
 * What the person on call gets, in CloudWatch only: the alarms (each with a runbook entry in
 * docs/runbook.md, named by its `AlarmName`), an SNS topic they notify (with an optional e-mail
 * subscription), the dashboard and the saved Logs Insights queries.
 */
export interface OperationsProps {
  readonly functions: ReadonlyMap<string, SessionGuardFunction>;
  readonly httpApi: apigw.HttpApi;
  /** How often a sweep starts: the sweep alarms are sized on it. */
  readonly sweepInterval: Duration;
  /** Alarms that exist already (the dead-letter queue's): they notify the topic too. */
  readonly otherAlarms: readonly cloudwatch.Alarm[];
  /** @default no e-mail subscription */
  readonly alarmEmail?: string;
}

/** The alarms, by the name that follows `<stack name>-` in their AlarmName and titles their runbook entry. */
export const ALARMS = [
  'SignInErrorRate',
  'Api5xx',
  'WorkerErrors',
  'DeadLetterQueue',
  'NoCompletedSweep',
  'SweepFallingBehind',
  'GraphThrottling',
  'MassRevocationGuardTripped',
  'Misconfigured',
  'NonceReplay',
  // Made by infra/events.ts (the webhook's EventsWebhookDeadLetterQueue only exists with a webhook).
  'EventsDeadLetterQueue',
  'EventsBehind',
  // The long-lived credential inventory's daily check: a flag that needs a person, or no check.
  'InventoryInvalid',
  'InventoryExpiringSoon',
  'InventoryBeyondExpected',
  'InventoryRotationDue',
  'InventoryOwnerless',
  'InventoryNotChecked',
  'InventoryCheckerErrors',
] as const;
export type AlarmId = (typeof ALARMS)[number];

/** `X-App-Usage` percent at which the sweep stops for the run (the worker's default): throttling is near. */
export const GRAPH_USAGE_ALARM_PERCENT = 80;

export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly alarms = new Map<AlarmId, cloudwatch.Alarm>();
  readonly dashboard: OperationsDashboard;
  readonly queries: LogQueries;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const fiveMinutes = Duration.minutes(5);
    const fn = (entry: string) => {
      const found = props.functions.get(entry);
      if (!found) throw new Error(`${this.node.path}: no function ${entry}`);
      return found.function;
    };

    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: `Session Guard alarms (${stackName})`, enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'Alarm notifications carry alarm names, states and metric values, nothing secret; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key for this would add cost and a key policy for no protection.',
    });
    if (props.alarmEmail !== undefined) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.alarmEmail)) throw new Error(`alarmEmail must be an e-mail address, got "${props.alarmEmail}"`);
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const sweepSeconds = props.sweepInterval.toSeconds();
    const twoSweeps = Duration.seconds(Math.min(2 * sweepSeconds, 86_400));
    // The dispatcher publishes the lag once a sweep: one interval holds about one datapoint.
    const oneSweep = Duration.seconds(Math.min(sweepSeconds, 43_200));
    // Sign-ins tried = sessions created on every channel + refusals (5xx included); a quiet period is 0%.
    const tried = `(${SIGN_IN_CHANNELS.map((_, i) => `FILL(created${i}, 0)`).join(' + ')} + FILL(refused, 0))`;
    const signInErrorRate = new cloudwatch.MathExpression({
      label: 'sign-in error rate (%)',
      expression: `IF(${tried} > 0, 100 * FILL(errors, 0) / ${tried}, 0)`,
      usingMetrics: {
        errors: sessionGuardMetric(MetricName.SignInErrors, 'Sum', fiveMinutes),
        refused: sessionGuardMetric(MetricName.SignInRefused, 'Sum', fiveMinutes),
        ...Object.fromEntries(SIGN_IN_CHANNELS.map((channel, i) => [`created${i}`, sessionGuardMetric(MetricName.SessionsCreated, 'Sum', fiveMinutes, { channel })])),
      },
      period: fiveMinutes,
    });

    const add = (id: AlarmId, metric: cloudwatch.Metric | cloudwatch.MathExpression, threshold: number, description: string, options: Partial<cloudwatch.CreateAlarmOptions> = {}) => {
      const alarm = metric.createAlarm(this, id, {
        alarmName: `${stackName}-${id}`,
        alarmDescription: `${description} Runbook: docs/runbook.md#${id.toLowerCase()}`,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      this.alarms.set(id, alarm);
      return alarm;
    };

    add('SignInErrorRate', signInErrorRate, 10, 'Session Guard: 10% or more of sign-ins failed on our or Facebook\'s side (5xx) in 2 of the last 3 five-minute periods.', {
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    add('Api5xx', props.httpApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' }), 5, 'Session Guard: the API answered 5 or more 5xx in five minutes.');
    add('WorkerErrors', fn('revalidation-worker').metricErrors({ period: fiveMinutes, statistic: 'Sum' }), 1, 'Session Guard: the sweep worker failed (Lambda errors).');
    const deadLetter = props.otherAlarms[0];
    if (deadLetter) this.alarms.set('DeadLetterQueue', deadLetter);
    add('NoCompletedSweep', sessionGuardMetric(MetricName.SweepPassesCompleted, 'Sum', twoSweeps), 1, 'Session Guard: no shard of the sweep index was checked to its end for two sweep intervals.', {
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // Healthy, the lag stays under one interval (every pass ends within its sweep); two intervals
    // mean some pass has outlived two sweeps. Any datapoint in the last two intervals counts, so
    // a period the dispatcher's datapoint happened to miss does not clear the alarm.
    add('SweepFallingBehind', sessionGuardMetric(MetricName.SweepLagSeconds, 'Maximum', oneSweep), 2 * sweepSeconds, 'Session Guard: a shard pass of the sweep has been in progress for two sweep intervals or more.', {
      evaluationPeriods: 2,
      datapointsToAlarm: 1,
    });
    add('GraphThrottling', sessionGuardMetric(MetricName.GraphAppUsagePercent, 'Maximum', fiveMinutes), GRAPH_USAGE_ALARM_PERCENT, `Session Guard: Facebook's X-App-Usage reached ${GRAPH_USAGE_ALARM_PERCENT}% of the app's rate limit.`);
    add('MassRevocationGuardTripped', sessionGuardMetric(MetricName.MassRevocationGuardTripped, 'Sum', fiveMinutes), 1, 'Session Guard: the sweep stopped revoking because too many sessions looked dead at once.');
    add('Misconfigured', sessionGuardMetric(MetricName.Misconfigured, 'Sum', fiveMinutes), 1, 'Session Guard: Facebook refused our app credentials (app id, app secret or redirect URI).');
    add('NonceReplay', sessionGuardMetric(MetricName.NonceReplay, 'Sum', fiveMinutes), 1, 'Session Guard: a re-authentication nonce was presented twice.');

    // The inventory is checked once a day and each run reports every flag's count (zero included):
    // one data point a day, so a day is the period and any flagged entry is the threshold.
    const day = Duration.days(1);
    const flagged = (...names: MetricName[]) =>
      new cloudwatch.MathExpression({
        expression: names.map((_, i) => `FILL(m${i}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(names.map((name, i) => [`m${i}`, sessionGuardMetric(name, 'Maximum', day)])),
        period: day,
      });
    add('InventoryInvalid', sessionGuardMetric(MetricName.InventoryInvalid, 'Maximum', day), 1, 'Session Guard inventory: Facebook says a registered long-lived credential is not valid.');
    add('InventoryExpiringSoon', sessionGuardMetric(MetricName.InventoryExpiringSoon, 'Maximum', day), 1, 'Session Guard inventory: a registered token expires soon.');
    add('InventoryBeyondExpected', flagged(MetricName.InventoryScopesBeyondExpected, MetricName.InventoryAssetsBeyondExpected), 1, 'Session Guard inventory: a token reaches scopes or assets its entry does not expect.');
    add('InventoryRotationDue', flagged(MetricName.InventoryNeverExpiringTooOld, MetricName.InventorySecretTooOld), 1, 'Session Guard inventory: a never-expiring token or the app secret is older than its rotation age.');
    add('InventoryOwnerless', flagged(MetricName.InventoryNoOwner, MetricName.InventoryOwnerOffboarded), 1, 'Session Guard inventory: a credential has no owner, or an offboarded one.');
    add('InventoryNotChecked', sessionGuardMetric(MetricName.InventoryNotChecked, 'Maximum', day), 1, 'Session Guard inventory: a credential missed two daily checks.');
    add('InventoryCheckerErrors', fn('inventory-checker').metricErrors({ period: day, statistic: 'Sum' }), 1, 'Session Guard inventory: the daily check failed (Lambda errors).');

    const action = new SnsAction(this.topic);
    for (const alarm of this.alarms.values()) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      dashboardName: `${stackName}-on-call`,
      functions: props.functions,
      httpApi: props.httpApi,
      alarms: this.alarms,
      signInErrorRate,
      sweepLagThresholdSeconds: 2 * sweepSeconds,
      sweepLagPeriod: oneSweep,
      graphUsageThresholdPercent: GRAPH_USAGE_ALARM_PERCENT,
    });
    this.queries = new LogQueries(this, 'Queries', { functions: props.functions, prefix: stackName });
  }
}
