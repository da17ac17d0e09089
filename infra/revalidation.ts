import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { ConfigurableFunction, SessionGuardFunction } from './session-guard-function.ts';

export interface RevalidationProps {
  /** functions/revalidation-dispatcher.ts: queues the shares of a sweep. */
  readonly dispatcher: SessionGuardFunction;
  /** functions/revalidation-worker.ts: checks one share per message. */
  readonly worker: SessionGuardFunction;
  /** How often a sweep starts. @default Duration.minutes(15) */
  readonly interval?: Duration;
  /**
   * Worker invocations at once (the SQS event source's maximum concurrency, 2..1000): the knob that
   * keeps the sweep inside Facebook's rate limits. @default 5
   */
  readonly workerMaxConcurrency?: number;
  /** Shares per worker invocation. @default 2 */
  readonly workerBatchSize?: number;
  /** Receives of a failing share before it moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
}

/**
 * The scheduled revalidation around its two functions: an EventBridge schedule starts the
 * dispatcher, which puts one message per share on the sweep queue; the worker consumes the queue
 * with partial batch responses, so a failed share is retried alone after the visibility timeout
 * (the backoff) and moves to the dead-letter queue after `maxReceiveCount` receives. An alarm fires
 * when the dead-letter queue holds anything (give it an action: SNS, a pager).
 *
 * Both queues use SQS-managed encryption: messages describe shards and cursors, never tokens, so a
 * customer-managed key would add cost and grants for nothing. TLS is enforced by queue policy.
 */
export class Revalidation extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: events.Rule;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /**
   * The operator's switch for the mass-revocation guard: `off`, or an ISO time until which the
   * guard is lifted (functions/commons/revalidation/guard-override-parameter.ts says why a
   * parameter and not a stack setting). Every change is in CloudTrail and the parameter history.
   */
  readonly guardOverride: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: RevalidationProps) {
    super(scope, id);
    const interval = props.interval ?? Duration.minutes(15);
    if (interval.toSeconds() < 60) throw new Error(`${this.node.path}: the sweep interval must be at least a minute`);
    const maxConcurrency = props.workerMaxConcurrency ?? 5;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      throw new Error(`${this.node.path}: workerMaxConcurrency must be a whole number from 2 to 1000, got ${maxConcurrency}`);
    }
    const workerTimeout = props.worker.function.timeout ?? Duration.seconds(3);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for Lambda event sources: at least six times the function timeout, so a share
      // still being worked on (or waiting for a throttled retry) is never handed out twice.
      visibilityTimeout: Duration.seconds(6 * workerTimeout.toSeconds()),
      // A share older than a day belongs to a sweep long superseded.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the sweep queue; it needs none of its own. An alarm watches it.',
    });

    this.grantSendShares(props.dispatcher);
    // Continuations: a share too big for one run queues the rest of itself.
    this.grantSendShares(props.worker);
    props.worker.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.workerBatchSize ?? 2,
        maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Session Guard: start a revalidation sweep',
      schedule: events.Schedule.rate(interval),
      targets: [
        new targets.LambdaFunction(props.dispatcher.function, {
          retryAttempts: 2,
          // A start older than the interval is superseded by the next one.
          maxEventAge: Duration.seconds(Math.min(interval.toSeconds(), 24 * 3600)),
        }),
      ],
    });

    this.guardOverride = new ssm.StringParameter(this, 'MassRevocationOverride', {
      description: 'Session Guard: "off", or an ISO time until which the sweep may revoke beyond the mass-revocation guard',
      stringValue: 'off',
    });
    props.worker.addEnvironment('MASS_REVOCATION_OVERRIDE_PARAMETER', this.guardOverride.parameterName);
    iam.Grant.addToPrincipal({ grantee: props.worker, actions: ['ssm:GetParameter'], resourceArns: [this.guardOverride.parameterArn] });

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmName: `${Stack.of(this).stackName}-DeadLetterQueue`,
      alarmDescription: 'Session Guard: sweep shares failed repeatedly and wait in the dead-letter queue (read them, fix, redrive). Runbook: docs/runbook.md#deadletterqueue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Sets `SWEEP_QUEUE_URL` and grants sqs:SendMessage (which covers SendMessageBatch) on the queue only. */
  grantSendShares(fn: ConfigurableFunction): iam.Grant {
    fn.addEnvironment('SWEEP_QUEUE_URL', this.queue.queueUrl);
    return iam.Grant.addToPrincipal({ grantee: fn, actions: ['sqs:SendMessage'], resourceArns: [this.queue.queueArn] });
  }
}
