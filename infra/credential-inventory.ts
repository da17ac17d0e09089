import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { INVENTORY_SECRET_TAG } from '#commons/inventory/secrets-vault';
import type { ConfigurableFunction, SessionGuardFunction } from './session-guard-function.ts';

export interface CredentialInventoryProps {
  /** functions/inventory-checker.ts: the daily check, and revocations on an operator's request. */
  readonly checker: SessionGuardFunction;
  /** When the check runs. @default every day at 06:00 UTC */
  readonly schedule?: events.Schedule;
}

/**
 * The credential inventory's AWS side: a daily EventBridge rule that starts the checker, and the
 * checker's access to the secrets the inventory names. Secrets are created by operators, outside
 * this stack; the checker may read (`GetSecretValue`, `DescribeSecret`) only those tagged
 * `session-guard:inventory=true`, and no other function may read them at all. Tagging a secret is
 * what registers it with AWS; the inventory entry is what registers it with us (docs/inventory.md).
 */
export class CredentialInventory extends Construct {
  readonly schedule: events.Rule;
  private readonly checker: SessionGuardFunction;

  constructor(scope: Construct, id: string, props: CredentialInventoryProps) {
    super(scope, id);
    this.checker = props.checker;
    const stack = Stack.of(this);
    const policy = new iam.Policy(this, 'TaggedSecretsRead', {
      statements: [
        new iam.PolicyStatement({
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          resources: [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
          conditions: { StringEquals: { [`secretsmanager:ResourceTag/${INVENTORY_SECRET_TAG.key}`]: INVENTORY_SECRET_TAG.value } },
        }),
      ],
    });
    props.checker.role.attachInlinePolicy(policy);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:*]',
      reason:
        'The inventory names secrets operators create outside this stack, so their ARNs are not known at synth: the statement is limited to secrets tagged session-guard:inventory=true, and only the checker has it (test/infra/credential-inventory.test.ts).',
    });
    this.schedule = new events.Rule(this, 'Daily', {
      description: 'Session Guard: the daily check of the long-lived credential inventory',
      schedule: props.schedule ?? events.Schedule.cron({ minute: '0', hour: '6' }),
      targets: [new targets.LambdaFunction(props.checker.function, { retryAttempts: 2 })],
    });
  }

  /** An admin function that starts the checker (check now, revoke): invoke only, never the secrets. */
  grantCheckerInvoke(fn: ConfigurableFunction): iam.Grant {
    fn.addEnvironment('INVENTORY_CHECKER_FUNCTION', this.checker.function.functionName);
    // The function itself, not its versions (`:*`): the admin functions invoke $LATEST by name.
    return iam.Grant.addToPrincipal({ grantee: fn, actions: ['lambda:InvokeFunction'], resourceArns: [this.checker.function.functionArn] });
  }
}
