import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_SERVICE_NAME } from '#commons/platform/metrics';
import { bundlingOptions } from './bundling.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const functionsDir = path.join(projectRoot, 'functions');

/** The entry file of a function: `functions/<entry>.ts`, exporting `handler`. */
export function entryPath(entry: string): string {
  return path.join(functionsDir, `${entry}.ts`);
}

/**
 * What a resource construct needs to hand a function access: a principal to grant to and a place
 * to put the environment variable that names the resource. Grant methods take this, set the
 * variable and grant in the same call, so a function never gets one without the other.
 */
export interface ConfigurableFunction extends iam.IGrantable {
  addEnvironment(key: string, value: string): unknown;
}

export interface SessionGuardFunctionProps {
  /** File name under functions/ without `.ts`, e.g. `create-session`. */
  readonly entry: string;
  /** How long the function's log group keeps events. @default RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** @default 512 (arm64: more memory buys CPU for cold starts and the crypto) */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) (API Gateway gives up at 30 s) */
  readonly timeout?: Duration;
}

/**
 * One Lambda function with the defaults every Session Guard function shares: Node.js 22 on arm64,
 * bundled by `bundling.ts`, X-Ray tracing on, its own log group with retention, and its own role
 * that starts with nothing but writing to that log group (no AWSLambdaBasicExecutionRole, which
 * would allow creating log groups anywhere). Everything else arrives through grant methods.
 */
export class SessionGuardFunction extends Construct implements ConfigurableFunction {
  readonly entry: string;
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SessionGuardFunctionProps) {
    super(scope, id);
    this.entry = props.entry;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      // Logs are evidence of who held which session: they outlive a stack teardown.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Session Guard ${props.entry}: only what its grants add`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: entryPath(props.entry),
      handler: 'handler',
      description: `Session Guard ${props.entry}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      bundling: bundlingOptions(),
      environment: {
        POWERTOOLS_SERVICE_NAME: DEFAULT_SERVICE_NAME,
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to Node.js 22 on purpose: the bundles target node22 and are tested against it. Moving to a newer runtime is a deliberate change of runtime and bundle target together.',
    });
    // Tracing.ACTIVE adds the X-Ray statement to the role's default policy.
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      Validations.of(defaultPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions. The infra tests check that X-Ray is the only statement here on Resource "*".',
      });
    }
  }

  get grantPrincipal(): iam.IPrincipal {
    return this.role;
  }

  addEnvironment(key: string, value: string): this {
    this.function.addEnvironment(key, value);
    return this;
  }
}
