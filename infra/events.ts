import { CfnOutput, Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '#commons/events/catalog';
import { EVENT_ENTITIES } from '#commons/events/stream-mapping';
import type { ConfigurableFunction, SessionGuardFunction } from './session-guard-function.ts';

export interface EventsWebhookSettings {
  /** Where every event is POSTed (https). */
  readonly url: string;
  /** ARN of the Secrets Manager secret whose value (a plain string) is sent as `x-api-key`. */
  readonly apiKeySecretArn: string;
  /** Requests per second at most. @default 300 (EventBridge's default) */
  readonly rateLimitPerSecond?: number;
}

export interface SessionEventsProps {
  /** The session table, with its stream (NEW_AND_OLD_IMAGES). */
  readonly table: dynamodb.ITable;
  /** functions/events-stream.ts: the stream consumer. */
  readonly consumer: SessionGuardFunction;
  /** @default a name CloudFormation makes up (see the EventBusName output) */
  readonly eventBusName?: string;
  /** Optional delivery to an app outside AWS. @default none */
  readonly webhook?: EventsWebhookSettings;
  /** Stream records per consumer invocation. @default 100 */
  readonly batchSize?: number;
  /** How long the event source gathers records before invoking. @default 2 seconds */
  readonly maxBatchingWindow?: Duration;
}

/**
 * Session Guard's events: the table's stream is the outbox, a small Lambda consumer maps the
 * changes to events and puts them on a custom bus, and an optional rule POSTs them to a webhook.
 *
 * Why a Lambda consumer and not EventBridge Pipes: telling which change is which event needs both
 * images and conditions across them (active → revoked, in progress → completed), which a pipe can
 * only do with an enrichment Lambda anyway; the consumer is that Lambda without the pipe, one code
 * path the local stack runs as well, with partial batch responses that name the exact record to
 * retry from. The event source filter drops REMOVEs (TTL expiry) and items that are never events
 * before any invocation; batches of up to 100 records gathered for 2 s mean a sweep revoking
 * thousands of sessions costs tens of invocations, 10 events per PutEvents call.
 *
 * Failure: a batch is retried (split in halves when it keeps failing) for up to 6 hours; then the
 * record range goes to the dead-letter queue (the records stay readable on the stream for the rest
 * of its 24 hours: redrive by reading them). Alarms: anything in that queue, and the consumer
 * falling behind (iterator age over 5 minutes). The webhook rule retries for 24 hours and then
 * dead-letters the event itself, with its own alarm.
 *
 * The queues hold record ranges or events (ids, reasons, times; never a token): SQS-managed
 * encryption, TLS enforced.
 */
export class SessionEvents extends Construct {
  readonly bus: events.EventBus;
  readonly streamDeadLetterQueue: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly connection?: events.Connection;
  readonly apiDestination?: events.ApiDestination;
  readonly webhookRule?: events.Rule;
  readonly webhookDeadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: SessionEventsProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      ...(props.eventBusName ? { eventBusName: props.eventBusName } : {}),
      description: `Session Guard events (source ${EVENT_SOURCE}): sessions opened, ended, revoked; people who removed the app or asked for deletion`,
    });

    this.grantPublish(props.consumer);
    this.streamDeadLetterQueue = this.deadLetterQueue('StreamDeadLetterQueue', 'the stream consumer');
    // The mapping is declared by hand rather than with DynamoEventSource, whose grant would add
    // kms:Decrypt on the table key: the table key's policy already lets this account's principals
    // use it through DynamoDB (infra/session-table.ts), and only the sweep worker holds Decrypt in IAM.
    const table = props.table;
    if (!table.tableStreamArn) throw new Error(`${this.node.path}: the table has no stream`);
    props.consumer.function.addEventSourceMapping('TableStream', {
      eventSourceArn: table.tableStreamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(2),
      // One batch per shard at a time: a person's changes keep their order.
      parallelizationFactor: 1,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: 10_000,
      maxRecordAge: Duration.hours(6),
      onFailure: new SqsDlq(this.streamDeadLetterQueue),
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
          dynamodb: { NewImage: { entity: { S: lambda.FilterRule.or(...EVENT_ENTITIES) } } },
        }),
      ],
    });
    iam.Grant.addToPrincipal({
      grantee: props.consumer,
      actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      resourceArns: [table.tableStreamArn],
    });
    iam.Grant.addToPrincipal({ grantee: props.consumer, actions: ['dynamodb:ListStreams'], resourceArns: ['*'] });
    const streamPolicy = props.consumer.role.node.tryFindChild('DefaultPolicy');
    if (streamPolicy) {
      Validations.of(streamPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'dynamodb:ListStreams supports no resource-level permissions; the stream actions themselves are on the table stream ARN.',
      });
    }
    this.alarmOnDeadLetters(this.streamDeadLetterQueue, 'EventsDeadLetterQueue', 'stream record ranges the consumer could not publish (read them from the stream within 24 h and redrive).');
    this.alarms.push(
      new cloudwatch.Alarm(this, 'EventsBehind', {
        alarmName: `${Stack.of(this).stackName}-EventsBehind`,
        alarmDescription:
          'Session Guard: events are late; the stream consumer is more than 5 minutes behind the table (EventBridge failing, or the consumer erroring). Runbook: docs/runbook.md#eventsbehind',
        metric: props.consumer.function.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 5 * 60 * 1000,
        evaluationPeriods: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // Stack outputs, at stack level so their names stay `EventBusName` and `EventBusArn`.
    const stack = Stack.of(this);
    new CfnOutput(stack, 'EventBusName', { description: 'The Session Guard event bus (source session-guard): put your rules on it', value: this.bus.eventBusName });
    new CfnOutput(stack, 'EventBusArn', { description: 'ARN of the Session Guard event bus', value: this.bus.eventBusArn, exportName: `${stack.stackName}-EventBusArn` });

    if (props.webhook) {
      const webhook = this.addWebhook(props.webhook);
      this.connection = webhook.connection;
      this.apiDestination = webhook.destination;
      this.webhookRule = webhook.rule;
      this.webhookDeadLetterQueue = webhook.deadLetters;
    }
  }

  /** Every alarm here notifies the on-call topic, on alarm and on recovery. */
  notify(topic: sns.ITopic): void {
    const action = new SnsAction(topic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  /** Sets `EVENT_BUS_NAME` and grants events:PutEvents on this bus only. */
  grantPublish(fn: ConfigurableFunction): iam.Grant {
    fn.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
    return iam.Grant.addToPrincipal({ grantee: fn, actions: ['events:PutEvents'], resourceArns: [this.bus.eventBusArn] });
  }

  private addWebhook(webhook: EventsWebhookSettings) {
    if (!/^https:\/\/[^/?#\s]+/.test(webhook.url)) throw new Error(`${this.node.path}: the events webhook URL must be https, got "${webhook.url}"`);
    if (!webhook.apiKeySecretArn.startsWith('arn:')) throw new Error(`${this.node.path}: apiKeySecretArn must be a Secrets Manager secret ARN`);
    const connection = new events.Connection(this, 'WebhookConnection', {
      description: 'Session Guard events webhook: x-api-key from Secrets Manager',
      authorization: events.Authorization.apiKey('x-api-key', SecretValue.secretsManager(webhook.apiKeySecretArn)),
    });
    const destination = new events.ApiDestination(this, 'WebhookDestination', {
      connection,
      endpoint: webhook.url,
      httpMethod: events.HttpMethod.POST,
      description: 'Session Guard events webhook',
      ...(webhook.rateLimitPerSecond !== undefined ? { rateLimitPerSecond: webhook.rateLimitPerSecond } : {}),
    });
    const deadLetters = this.deadLetterQueue('WebhookDeadLetterQueue', 'the webhook rule');
    const rule = new events.Rule(this, 'WebhookRule', {
      eventBus: this.bus,
      description: 'Session Guard: every event to the webhook',
      eventPattern: { source: [EVENT_SOURCE] },
      targets: [
        new targets.ApiDestination(destination, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: deadLetters,
          // EventBridge's envelope, with `id` made the change's stable eventId (EventBridge's own
          // id is new for every PutEvents call, so a redelivered change would look new).
          event: events.RuleTargetInput.fromObject({
            version: events.EventField.fromPath('$.version'),
            id: events.EventField.fromPath('$.detail.eventId'),
            'detail-type': events.EventField.detailType,
            source: events.EventField.source,
            account: events.EventField.account,
            time: events.EventField.time,
            region: events.EventField.region,
            resources: events.EventField.fromPath('$.resources'),
            detail: events.EventField.fromPath('$.detail'),
          }),
        }),
      ],
    });
    this.alarmOnDeadLetters(deadLetters, 'EventsWebhookDeadLetterQueue', 'events the webhook did not accept within 24 hours of retries (read them from the queue and resend).');
    return { connection, destination, rule, deadLetters };
  }

  private deadLetterQueue(id: string, of: string): sqs.Queue {
    const queue = new sqs.Queue(this, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: `This is the dead-letter queue of ${of}; it needs none of its own. An alarm watches it.` });
    return queue;
  }

  /** Named `<stack>-<id>`, with its runbook entry, as every Session Guard alarm (infra/operations.ts). */
  private alarmOnDeadLetters(queue: sqs.Queue, id: string, what: string): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        alarmName: `${Stack.of(this).stackName}-${id}`,
        alarmDescription: `Session Guard: ${what} Runbook: docs/runbook.md#${id.toLowerCase()}`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
