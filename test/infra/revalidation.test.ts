import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig, sweepQueueEnv, sweepWorkerEnv } from '#commons/platform/config';
import { bundleLimitKb, esbuildOptionsFor } from '#infra/bundling';
import { entryPath } from '#infra/session-guard-function';
import { SessionGuardStack, type SessionGuardStackProps } from '#infra/session-guard-stack';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { actionCovers, actionsOf, buildTestApp, statementsForRole, TEST_FACEBOOK_APP_ID } from '#test/infra/template-helpers';

/**
 * The scheduled revalidation's infrastructure, asserted property by property. The stack is built
 * with a one-route table so these tests do not depend on the API's routes; the whole-app tests in
 * session-guard-stack.test.ts check the same functions' actions and environment in the real app.
 */
const HEALTH_ONLY = [{ method: 'GET', path: '/v1/health', entry: 'health', auth: 'none' }] as const;

function stackWith(props: Partial<SessionGuardStackProps> = {}) {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new SessionGuardStack(app, 'Sweep', { facebookAppId: TEST_FACEBOOK_APP_ID, routes: HEALTH_ONLY, ...props });
  return { app, stack, template: Template.fromStack(stack) };
}

let app: App;
let stack: SessionGuardStack;
let template: Template;
beforeAll(() => {
  ({ app, stack, template } = stackWith());
}, 60_000);

const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnFunction);
const functionId = (entry: string) => id(stack.functionFor(entry).function);
const roleId = (entry: string) => stack.getLogicalId(stack.functionFor(entry).role.node.defaultChild as CfnRole);
const queueId = () => stack.getLogicalId(stack.revalidation.queue.node.defaultChild as CfnQueue);
const dlqId = () => stack.getLogicalId(stack.revalidation.deadLetterQueue.node.defaultChild as CfnQueue);
const functionProps = (entry: string) => template.findResources('AWS::Lambda::Function')[functionId(entry)]!.Properties;
const queueArn = () => ({ 'Fn::GetAtt': [queueId(), 'Arn'] });

describe('schedule', () => {
  it('starts the dispatcher every 15 minutes, retrying a failed start twice', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId('revalidation-dispatcher'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 } })],
    });
    // The other rule is the credential inventory's daily check (test/infra/credential-inventory.test.ts).
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) => !String(rule.Properties.Description ?? '').includes('credential inventory'));
    expect(rules).toHaveLength(1);
    // EventBridge may invoke the dispatcher, for this rule only.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [functionId('revalidation-dispatcher'), 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [stack.getLogicalId(stack.revalidation.schedule.node.defaultChild as never), 'Arn'] },
    });
  });

  it('takes its interval from the props, and from context sweepIntervalMinutes', () => {
    stackWith({ revalidation: { interval: Duration.minutes(5) } }).template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    const fromContext = buildTestApp({ bundle: false, context: { sweepIntervalMinutes: '30', sweepMaxConcurrency: '8' } });
    const contextTemplate = Template.fromStack(fromContext.stack);
    contextTemplate.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    contextTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 8 } });
  });

  it('refuses an interval under a minute, a bad context interval and a concurrency the event source cannot take', () => {
    expect(() => stackWith({ revalidation: { interval: Duration.seconds(30) } })).toThrow(/at least a minute/);
    expect(() => stackWith({ revalidation: { workerMaxConcurrency: 1 } })).toThrow(/workerMaxConcurrency/);
    expect(() => buildTestApp({ bundle: false, context: { sweepIntervalMinutes: 'often' } })).toThrow(/sweepIntervalMinutes/);
  });
});

describe('sweep queue', () => {
  it('is SQS-encrypted, sends failing shares to the dead-letter queue after 5 receives, and hides a share for 6x the worker timeout', () => {
    const queue = template.findResources('AWS::SQS::Queue')[queueId()]!.Properties;
    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 180,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(queue.KmsMasterKeyId).toBeUndefined();
    expect(functionProps('revalidation-worker').Timeout).toBe(180);
  });

  it('has a dead-letter queue kept 14 days, SQS-encrypted, with an alarm as soon as it holds a share', () => {
    expect(template.findResources('AWS::SQS::Queue')[dlqId()]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId(), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each(['queue', 'dead-letter queue'])('the %s refuses requests without TLS', (which) => {
    const queueRef = { Ref: which === 'queue' ? queueId() : dlqId() };
    const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy')).find((p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([queueRef]));
    expect(policy).toBeDefined();
    expect(policy!.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('worker', () => {
  it('consumes the queue with partial batch responses, a small batch and capped concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: queueArn(),
      FunctionName: { Ref: functionId('revalidation-worker') },
      BatchSize: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    const workerMappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter((m) => m.Properties.FunctionName?.Ref === functionId('revalidation-worker'));
    expect(workerMappings).toHaveLength(1);
    stackWith({ revalidation: { workerMaxConcurrency: 20 } }).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 20 } });
  });

  it('is the only function that may kms:Decrypt', () => {
    const decrypters = [...stack.functions.keys()].filter((entry) =>
      statementsForRole(template, roleId(entry)).some((s) => actionsOf(s).some((a) => actionCovers(a, 'kms:Decrypt'))),
    );
    expect(decrypters).toEqual(['revalidation-worker']);
  });

  it('may use the queue for exactly consuming and sending continuations, on this queue only', () => {
    const sqsStatements = statementsForRole(template, roleId('revalidation-worker')).filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqsStatements.every((s) => JSON.stringify(s.Resource) === JSON.stringify(queueArn()))).toBe(true);
    expect(sqsStatements.flatMap(actionsOf).sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
  });

  it('reads the sweep index only, and writes the table only to revoke', () => {
    const dynamo = statementsForRole(template, roleId('revalidation-worker')).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const tableArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.sessionTable.table.node.defaultChild as never), 'Arn'] };
    expect(dynamo).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'], Resource: tableArn },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [tableArn, '/index/sweep']] } },
    ]);
  });

  it('gets the environment its config schemas accept, with the app-usage thresholds when they are set', () => {
    const variables = functionProps('revalidation-worker').Environment.Variables as Record<string, unknown>;
    expect(variables.SWEEP_QUEUE_URL).toEqual({ Ref: queueId() });
    expect(variables).not.toHaveProperty('APP_USAGE_STOP_PERCENT');
    const tuned = stackWith({ revalidation: { appUsageSlowdownPercent: 50, appUsageStopPercent: 70 } });
    const tunedVars = Object.values(tuned.template.findResources('AWS::Lambda::Function')).find((f) => 'APP_USAGE_STOP_PERCENT' in (f.Properties.Environment?.Variables ?? {}))!
      .Properties.Environment.Variables as Record<string, string>;
    // Values the deploy resolves (the override parameter's name) are tokens here: leave them out.
    const literal = Object.fromEntries(Object.entries(tunedVars).filter(([, value]) => typeof value === 'string'));
    expect(readConfig(sweepWorkerEnv, literal)).toMatchObject({ APP_USAGE_SLOWDOWN_PERCENT: 50, APP_USAGE_STOP_PERCENT: 70 });
    expect(readConfig(sweepQueueEnv, { SWEEP_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q' })).toBeDefined();
    expect(() => stackWith({ revalidation: { appUsageStopPercent: 120 } })).toThrow(/percentage/);
  });

  it('sets the mass-revocation guard (20% and 100 by default, stack settings), reads its override parameter only', () => {
    const variables = functionProps('revalidation-worker').Environment.Variables as Record<string, unknown>;
    expect(variables).toMatchObject({ MASS_REVOCATION_MAX_PERCENT: '20', MASS_REVOCATION_MIN_SESSIONS: '100' });
    const parameterId = stack.getLogicalId(stack.revalidation.guardOverride.node.defaultChild as never);
    expect(variables.MASS_REVOCATION_OVERRIDE_PARAMETER).toEqual({ Ref: parameterId });
    template.hasResourceProperties('AWS::SSM::Parameter', { Type: 'String', Value: 'off' });
    // The operator finds it among the stack's outputs.
    template.hasOutput('MassRevocationOverrideParameter', { Value: { Ref: parameterId } });
    const ssmStatements = statementsForRole(template, roleId('revalidation-worker')).filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')));
    expect(ssmStatements.map(actionsOf)).toEqual([['ssm:GetParameter']]);
    const tuned = stackWith({ revalidation: { massRevocationMaxPercent: 5, massRevocationMinSessions: 1000 } });
    const tunedVars = Object.values(tuned.template.findResources('AWS::Lambda::Function')).find((f) => 'MASS_REVOCATION_MAX_PERCENT' in (f.Properties.Environment?.Variables ?? {}))!
      .Properties.Environment.Variables as Record<string, string>;
    expect(tunedVars).toMatchObject({ MASS_REVOCATION_MAX_PERCENT: '5', MASS_REVOCATION_MIN_SESSIONS: '1000' });
    expect(() => stackWith({ revalidation: { massRevocationMaxPercent: 150 } })).toThrow(/percentage/);
    expect(() => stackWith({ revalidation: { massRevocationMinSessions: 0 } })).toThrow(/massRevocationMinSessions/);
  });

  it('has a 3 minute timeout and 1 GB of memory (CPU for the crypto and JSON of many batches)', () => {
    expect(functionProps('revalidation-worker')).toMatchObject({ Timeout: 180, MemorySize: 1024 });
  });
});

describe('dispatcher', () => {
  it('may only read the shard cursors and send messages to the sweep queue (besides logs and traces)', () => {
    const statements = statementsForRole(template, roleId('revalidation-dispatcher'));
    const actions = statements.flatMap(actionsOf).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'));
    expect(actions.sort()).toEqual(['dynamodb:Query', 'sqs:SendMessage']);
    expect(statements.find((s) => actionsOf(s).includes('sqs:SendMessage'))!.Resource).toEqual(queueArn());
    const tableArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.sessionTable.table.node.defaultChild as never), 'Arn'] };
    expect(statements.find((s) => actionsOf(s).includes('dynamodb:Query'))).toMatchObject({
      Resource: tableArn,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SWEEPCURSOR#*'] } },
    });
  });

  it('knows only the queue URL and the table', () => {
    expect(Object.keys(functionProps('revalidation-dispatcher').Environment.Variables).sort()).toEqual(['POWERTOOLS_SERVICE_NAME', 'SWEEP_QUEUE_URL', 'TABLE_NAME']);
    expect(functionProps('revalidation-dispatcher')).toMatchObject({ Timeout: 30, MemorySize: 256 });
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the revalidation resources', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('bundles', () => {
  it.each(['revalidation-dispatcher', 'revalidation-worker'])('%s stays under its bundle limit (infra/bundling.ts)', async (entry) => {
    const result = await build({ ...esbuildOptionsFor(entryPath(entry)), write: false, outfile: 'index.mjs' });
    expect(result.outputFiles[0]!.contents.length / 1024).toBeLessThan(bundleLimitKb(entry));
  });
});
