import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventBusEnv, readConfig } from '#commons/platform/config';
import { EVENT_ENTITIES } from '#commons/events/stream-mapping';
import { SessionGuardStack, type SessionGuardStackProps } from '#infra/session-guard-stack';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { actionsOf, buildTestApp, statementsForRole, TEST_FACEBOOK_APP_ID } from '#test/infra/template-helpers';

/**
 * The events' infrastructure, property by property: the bus and its outputs, the table's stream,
 * the stream consumer with its filter, batching, dead-letter queue and alarms, and the optional
 * webhook (connection with x-api-key, API destination, rule with retries and dead-letter queue).
 */
const HEALTH_ONLY = [{ method: 'GET', path: '/v1/health', entry: 'health', auth: 'none' }] as const;
const WEBHOOK = { url: 'https://hooks.example.com/session-guard', apiKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:events-api-key-AbCdEf' };

function stackWith(props: Partial<SessionGuardStackProps> = {}) {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new SessionGuardStack(app, 'Events', { facebookAppId: TEST_FACEBOOK_APP_ID, routes: HEALTH_ONLY, ...props });
  return { app, stack, template: Template.fromStack(stack) };
}

let stack: SessionGuardStack;
let template: Template;
let withWebhook: ReturnType<typeof stackWith>;
beforeAll(() => {
  ({ stack, template } = stackWith());
  withWebhook = stackWith({ eventsWebhook: WEBHOOK });
}, 60_000);

const logicalId = (s: SessionGuardStack, construct: { node: { defaultChild?: unknown } }) => s.getLogicalId(construct.node.defaultChild as CfnFunction);
const consumerId = () => logicalId(stack, stack.functionFor('events-stream').function);

describe('event bus', () => {
  it('is a custom bus whose name and ARN are stack outputs', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const busId = logicalId(stack, stack.events.bus);
    template.hasOutput('EventBusName', { Value: { Ref: busId } });
    template.hasOutput('EventBusArn', { Value: { 'Fn::GetAtt': [busId, 'Arn'] }, Export: { Name: 'Events-EventBusArn' } });
  });
});

describe('table stream and its consumer', () => {
  it('the table streams new and old images', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
  });

  it('reads the stream in batches of 100 gathered for 2 s, one batch per shard, with partial batch responses, splitting, retries for 6 hours and a dead-letter queue', () => {
    const dlqId = logicalId(stack, stack.events.streamDeadLetterQueue);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: consumerId() },
      EventSourceArn: { 'Fn::GetAtt': [Match.anyValue(), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10_000,
      MaximumRecordAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  });

  it('filters out REMOVEs and items that are never events before any invocation', () => {
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find((m) => m.Properties.FunctionName?.Ref === consumerId())!;
    const pattern = JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern);
    expect(pattern).toEqual({ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: [...EVENT_ENTITIES] } } } });
  });

  it('may put events on this bus only, read the stream, and send to its dead-letter queue; nothing else', () => {
    const role = stack.getLogicalId(stack.functionFor('events-stream').role.node.defaultChild as CfnRole);
    const statements = statementsForRole(template, role);
    const actions = new Set(statements.flatMap(actionsOf));
    expect([...actions].filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'events:PutEvents',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    const putEvents = statements.find((s) => actionsOf(s).includes('events:PutEvents'))!;
    expect(putEvents.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.events.bus), 'Arn'] });
    expect(statements.some((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a)))).toBe(false);
  });

  it('is configured with the bus name its config schema wants', () => {
    const env = template.findResources('AWS::Lambda::Function')[consumerId()]!.Properties.Environment.Variables;
    expect(Object.keys(env).sort()).toEqual(['EVENT_BUS_NAME', 'POWERTOOLS_SERVICE_NAME']);
    expect(env.EVENT_BUS_NAME).toEqual({ Ref: logicalId(stack, stack.events.bus) });
    expect(() => readConfig(eventBusEnv, { EVENT_BUS_NAME: 'session-guard-bus' })).not.toThrow();
  });

  it('alarms when the dead-letter queue holds anything and when the consumer falls 5 minutes behind', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, stack.events.streamDeadLetterQueue), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: consumerId() } }],
      Threshold: 300_000,
    });
    const dlq = template.findResources('AWS::SQS::Queue')[stack.getLogicalId(stack.events.streamDeadLetterQueue.node.defaultChild as CfnQueue)]!.Properties;
    expect(dlq).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
  });

  it('has no webhook unless asked for one', () => {
    template.resourceCountIs('AWS::Events::Connection', 0);
    template.resourceCountIs('AWS::Events::ApiDestination', 0);
    expect(stack.events.webhookRule).toBeUndefined();
  });
});

describe('webhook', () => {
  it('authorizes with x-api-key from the Secrets Manager secret', () => {
    withWebhook.template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'x-api-key',
          ApiKeyValue: `{{resolve:secretsmanager:${WEBHOOK.apiKeySecretArn}:SecretString:::}}`,
        },
      },
    });
  });

  it('POSTs to the URL through an API destination, from a rule on the bus for every Session Guard event, with retries, a dead-letter queue and its alarm', () => {
    const s = withWebhook.stack;
    const t = withWebhook.template;
    t.hasResourceProperties('AWS::Events::ApiDestination', { InvocationEndpoint: WEBHOOK.url, HttpMethod: 'POST' });
    const dlqId = logicalId(s, s.events.webhookDeadLetterQueue!);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(s, s.events.bus) },
      EventPattern: { source: ['session-guard'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Object.keys(t.findResources('AWS::Events::ApiDestination'))[0], 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        }),
      ],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
    });
  });

  it("sends EventBridge's envelope with id set to the change's stable eventId", () => {
    const rule = Object.values(withWebhook.template.findResources('AWS::Events::Rule')).find((r) => r.Properties.EventPattern?.source)!;
    const transformer = rule.Properties.Targets[0].InputTransformer;
    expect(transformer.InputPathsMap).toMatchObject({ 'detail-eventId': '$.detail.eventId', detail: '$.detail', 'detail-type': '$.detail-type' });
    // EventBridge writes each path's value as JSON where a placeholder stands unquoted.
    const template = transformer.InputTemplate as string;
    for (const field of ['version', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']) expect(template).toContain(`"${field}":`);
    expect(template).toContain('"id":<detail-eventId>');
    expect(template).toContain('"detail":<detail>');
  });

  it('is set from context, both settings or neither, and only to an https URL', () => {
    const fromContext = buildTestApp({ bundle: false, context: { eventsWebhookUrl: WEBHOOK.url, eventsWebhookApiKeySecretArn: WEBHOOK.apiKeySecretArn } });
    Template.fromStack(fromContext.stack).resourceCountIs('AWS::Events::ApiDestination', 1);
    expect(() => buildTestApp({ bundle: false, context: { eventsWebhookUrl: WEBHOOK.url } })).toThrow(/go together/);
    expect(() => stackWith({ eventsWebhook: { ...WEBHOOK, url: 'http://hooks.example.com' } })).toThrow(/https/);
  });

  it('passes cdk-nag with every finding fixed or acknowledged', () => {
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    new SessionGuardStack(app, 'EventsNag', { facebookAppId: TEST_FACEBOOK_APP_ID, routes: HEALTH_ONLY, eventsWebhook: WEBHOOK });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    expect(() => app.synth()).not.toThrow();
  });
});
