import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { MetricName } from '#commons/platform/metrics';
import { PERSON_PLACEHOLDER, QUERIES } from '#infra/log-queries';
import { ALARMS, GRAPH_USAGE_ALARM_PERCENT } from '#infra/operations';
import { DASHBOARD_ROWS } from '#infra/operations-dashboard';
import type { SessionGuardStack } from '#infra/session-guard-stack';
import { buildTestApp } from '#test/infra/template-helpers';

/** What the person on call gets: alarms, their topic, the dashboard, the saved queries. */
let stack: SessionGuardStack;
let template: Template;
beforeAll(() => {
  ({ stack } = buildTestApp({ bundle: false, context: { alarmEmail: 'oncall@example.com' } }));
  template = Template.fromStack(stack);
}, 60_000);

const alarmNamed = (id: string) => {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.AlarmName === `SessionGuard-dev-${id}`);
  expect(found).toHaveLength(1);
  return found[0]!.Properties as Record<string, any>;
};
const serviceDimension = [{ Name: 'service', Value: 'session-guard' }];

describe('alarms', () => {
  it('are at least 8, each named <stack>-<id>, each with a runbook entry', () => {
    expect(ALARMS.length).toBeGreaterThanOrEqual(8);
    const runbook = readFileSync('docs/runbook.md', 'utf8');
    for (const id of ALARMS) {
      expect(alarmNamed(id).AlarmDescription).toContain(`docs/runbook.md#${id.toLowerCase()}`);
      expect({ id, entry: runbook.includes(`### ${id}`) }).toEqual({ id, entry: true });
    }
  });

  it.each([
    ['MassRevocationGuardTripped', MetricName.MassRevocationGuardTripped],
    ['Misconfigured', MetricName.Misconfigured],
    ['NonceReplay', MetricName.NonceReplay],
  ])('%s fires on the first %s', (id, metric) => {
    expect(alarmNamed(id)).toMatchObject({
      Namespace: 'SessionGuard',
      MetricName: metric,
      Dimensions: serviceDimension,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['InventoryInvalid', MetricName.InventoryInvalid],
    ['InventoryExpiringSoon', MetricName.InventoryExpiringSoon],
    ['InventoryNotChecked', MetricName.InventoryNotChecked],
  ])('%s fires on one entry flagged by the daily check (%s, a day)', (id, metric) => {
    expect(alarmNamed(id)).toMatchObject({
      Namespace: 'SessionGuard',
      MetricName: metric,
      Dimensions: serviceDimension,
      Statistic: 'Maximum',
      Period: 86_400,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['InventoryBeyondExpected', [MetricName.InventoryScopesBeyondExpected, MetricName.InventoryAssetsBeyondExpected]],
    ['InventoryRotationDue', [MetricName.InventoryNeverExpiringTooOld, MetricName.InventorySecretTooOld]],
    ['InventoryOwnerless', [MetricName.InventoryNoOwner, MetricName.InventoryOwnerOffboarded]],
  ])('%s fires on one entry carrying any of its flags (%s)', (id, metrics) => {
    const alarm = alarmNamed(id);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    const queries = alarm.Metrics as { Expression?: string; MetricStat?: { Metric: { MetricName: string }; Period: number; Stat: string } }[];
    expect(queries.find((q) => q.Expression)!.Expression).toBe('FILL(m0, 0) + FILL(m1, 0)');
    expect(queries.filter((q) => q.MetricStat).map((q) => [q.MetricStat!.Metric.MetricName, q.MetricStat!.Period, q.MetricStat!.Stat])).toEqual(metrics.map((name) => [name, 86_400, 'Maximum']));
  });

  it('InventoryCheckerErrors: any Lambda error of the inventory checker in a day', () => {
    const checker = stack.getLogicalId(stack.functionFor('inventory-checker').function.node.defaultChild as CfnFunction);
    expect(alarmNamed('InventoryCheckerErrors')).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: { Ref: checker } }], Period: 86_400, Threshold: 1 });
  });

  it('SignInErrorRate: 5xx sign-ins over sign-ins tried, at 10% in 2 of 3 five-minute periods', () => {
    const alarm = alarmNamed('SignInErrorRate');
    expect(alarm).toMatchObject({ Threshold: 10, EvaluationPeriods: 3, DatapointsToAlarm: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const queries = alarm.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] } } }[];
    const expression = queries.find((q) => q.Expression)!.Expression!;
    expect(expression).toMatch(/^IF\(.*> 0, 100 \* FILL\(errors, 0\) \/ /);
    const byId = Object.fromEntries(queries.filter((q) => q.MetricStat).map((q) => [q.Id, q.MetricStat!.Metric.MetricName]));
    expect(byId).toEqual({ errors: 'SignInErrors', refused: 'SignInRefused', created0: 'SessionsCreated', created1: 'SessionsCreated', created2: 'SessionsCreated' });
  });

  it('Api5xx: five 5xx in five minutes from this API', () => {
    expect(alarmNamed('Api5xx')).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: expect.any(String) } }], Threshold: 5, Statistic: 'Sum' });
  });

  it('WorkerErrors: any Lambda error of the sweep worker', () => {
    const alarm = alarmNamed('WorkerErrors');
    expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 1 });
    const workerId = stack.getLogicalId(stack.functionFor('revalidation-worker').function.node.defaultChild as never);
    expect(alarm.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: workerId } }]);
  });

  it('DeadLetterQueue: a share waiting in the dead-letter queue', () => {
    expect(alarmNamed('DeadLetterQueue')).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  });

  it('NoCompletedSweep: no shard pass completed over two sweep intervals, and silence counts as breaching', () => {
    expect(alarmNamed('NoCompletedSweep')).toMatchObject({
      MetricName: 'SweepPassesCompleted',
      Statistic: 'Sum',
      Dimensions: serviceDimension,
      Period: 2 * 15 * 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('SweepFallingBehind: the oldest shard pass two intervals old, in any sweep of the last two', () => {
    expect(alarmNamed('SweepFallingBehind')).toMatchObject({
      MetricName: 'SweepLagSeconds',
      Dimensions: serviceDimension,
      Statistic: 'Maximum',
      Period: 15 * 60,
      Threshold: 2 * 15 * 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('GraphThrottling: X-App-Usage at the point where the sweep stops', () => {
    expect(alarmNamed('GraphThrottling')).toMatchObject({ MetricName: 'GraphAppUsagePercent', Statistic: 'Maximum', Threshold: GRAPH_USAGE_ALARM_PERCENT });
  });

  it('the sweep alarms follow the sweep interval', () => {
    const { stack: slow } = buildTestApp({ bundle: false, context: { sweepIntervalMinutes: '60' } });
    const alarms = Object.values(Template.fromStack(slow).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.find((a) => a.AlarmName.endsWith('-NoCompletedSweep'))!.Period).toBe(7200);
    expect(alarms.find((a) => a.AlarmName.endsWith('-SweepFallingBehind'))).toMatchObject({ Threshold: 7200, Period: 3600 });
  });

  it('every alarm notifies the alarm topic, on alarm and on recovery', () => {
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
  });
});

describe('alarm topic', () => {
  it('subscribes alarmEmail when set, and nobody otherwise', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    const plain = Template.fromStack(buildTestApp({ bundle: false }).stack);
    expect(Object.keys(plain.findResources('AWS::SNS::Subscription'))).toEqual([]);
    expect(() => buildTestApp({ bundle: false, context: { alarmEmail: 'not-an-address' } })).toThrow(/alarmEmail/);
  });

  it('refuses publishing without TLS, and is output', () => {
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0]!;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('aws:SecureTransport');
    template.hasOutput('AlarmTopicArn', {});
  });
});

describe('dashboard', () => {
  const body = () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    // The body is a Fn::Join of literal text and references; the text is enough to check the layout.
    return JSON.stringify(dashboards[0]!.Properties.DashboardBody);
  };

  it('asks the on-call questions top to bottom, under a strip of every alarm', () => {
    const text = body();
    const positions = DASHBOARD_ROWS.map((row) => text.indexOf(`## ${row}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const alarmStrip = text.indexOf('\\"type\\":\\"alarm\\"');
    expect(alarmStrip).toBeGreaterThan(0);
    expect(alarmStrip).toBeLessThan(positions[0]!);
  });

  it.each([
    ['Is sign-in working?', ['Sessions created, by channel', 'Sign-in refusals, by code', 'Sign-in error rate (%)', 'API answers: 4xx and 5xx', 'API latency (p50, p99)']],
    ['Are sweeps keeping up?', ['Sweep checks: valid, revoked, deferred, errors', 'Sweep lag: oldest shard pass (s)', 'Sweep progress: shard passes completed; shares completed, failed, stopped for app usage', 'Dead-letter queue: shares waiting', 'Mass-revocation guard tripped']],
    ['Why are people being logged out?', ['Sessions revoked, by reason']],
    ['Is Facebook throttling us?', ["Facebook X-App-Usage (% of the app's limit)", 'Graph errors, by code', 'Graph latency (p50, p99, ms)']],
    ['Is anything misconfigured?', ['Misconfiguration detected', 'Refused signed_requests and nonce replays', 'Lambda errors, by function']],
  ])('row "%s" has its widgets', (row, titles) => {
    const text = body();
    const start = text.indexOf(`## ${row}`);
    const next = DASHBOARD_ROWS.map((r) => text.indexOf(`## ${r}`)).filter((p) => p > start).sort((a, b) => a - b)[0] ?? text.length;
    for (const title of titles) {
      const at = text.indexOf(JSON.stringify(title).slice(1, -1).replace(/"/g, '\\"'));
      expect({ title, inRow: at > start && at < next }).toEqual({ title, inRow: true });
    }
  });

  it('graphs reasons and codes by SEARCH, so a new reason or code shows without a deploy', () => {
    const text = body();
    for (const name of ['SessionsRevokedByReason', 'SignInRefusedByCode', 'GraphErrorsByCode']) expect(text).toContain(`MetricName=\\\\\\"${name}\\\\\\"`);
  });

  it('is output as a console URL', () => {
    template.hasOutput('DashboardUrl', {});
  });
});

describe('saved Logs Insights queries', () => {
  const definitions = () => Object.values(template.findResources('AWS::Logs::QueryDefinition')).map((q) => q.Properties as { Name: string; QueryString: string; LogGroupNames: unknown[] });

  it.each(Object.values(QUERIES).map((q) => [q.name, q] as const))('"%s" is saved under the stack name, over its functions\' log groups', (name, spec) => {
    const found = definitions().find((d) => d.Name === `SessionGuard-dev/${name}`);
    expect(found).toBeDefined();
    expect(found!.QueryString).toBe(spec.query.join('\n'));
    expect(found!.LogGroupNames).toHaveLength(spec.entries.length);
    const logGroupRefs = spec.entries.map((entry) => ({ Ref: stack.getLogicalId(stack.functionFor(entry).logGroup.node.defaultChild as never) }));
    expect(found!.LogGroupNames).toEqual(logGroupRefs);
  });

  it('"why was this person logged out" takes a user id or a Facebook id, and reads revocations from the sweep and the deauthorize callback', () => {
    const query = QUERIES.whyLoggedOut.query.join('\n');
    expect(query).toContain(`userId = "${PERSON_PLACEHOLDER}" or facebookUserId = "${PERSON_PLACEHOLDER}"`);
    expect(QUERIES.whyLoggedOut.entries).toEqual(expect.arrayContaining(['revalidation-worker', 'facebook-deauthorize']));
  });

  it('read only log lines the functions write', () => {
    const sources = ['functions/commons/revalidation/revalidation.ts', 'functions/facebook-deauthorize.ts', 'functions/create-session.ts', 'functions/commons/facebook/graph-telemetry.ts', 'functions/commons/revalidation/sweep-worker.ts', 'functions/revalidation-dispatcher.ts', 'functions/commons/platform/http.ts']
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    for (const message of ['session created', 'session revoked', 'app removed on Facebook', 'request refused', 'unexpected failure', 'graph call', 'sweep dispatched', 'share checked', 'share failed']) {
      expect({ message, logged: sources.includes(`'${message}'`) }).toEqual({ message, logged: true });
    }
  });
});
