import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEFAULT_GRAPH_API_VERSION, FACEBOOK_APP_ID, FACEBOOK_APP_ID_RULE, GRAPH_API_VERSION } from '#commons/platform/config-rules';
import type { ConfigurableFunction } from './session-guard-function.ts';

export interface FacebookAppProps {
  /** The numeric Facebook app id. */
  readonly appId: string;
  /** @default 'v21.0' */
  readonly graphApiVersion?: string;
  /**
   * Name of an existing Secrets Manager secret holding the app secret (made before the deploy, see
   * docs/deploy.md). @default a new secret with a random placeholder, to be replaced after deploy
   */
  readonly appSecretName?: string;
}

/**
 * The Facebook app Session Guard calls the Graph API as. The app secret lives in Secrets Manager:
 * the stack creates it with a random placeholder and the operator puts the real secret in after
 * the first deploy (`aws secretsmanager put-secret-value --secret-id <FacebookAppSecretArn output>
 * --secret-string <app secret>`). Functions receive only its ARN.
 */
export class FacebookApp extends Construct {
  readonly appId: string;
  readonly graphApiVersion: string;
  readonly appSecret: secretsmanager.ISecret;
  /** What IAM grants name: a secret found by name has an ARN ending in a random suffix we do not know. */
  private readonly appSecretPolicyArn: string;

  constructor(scope: Construct, id: string, props: FacebookAppProps) {
    super(scope, id);
    // The rules the functions check at cold start, checked at synth so a bad value never deploys.
    if (!FACEBOOK_APP_ID.test(props.appId)) {
      throw new Error(`${this.node.path}: facebookAppId ${FACEBOOK_APP_ID_RULE}, got "${props.appId}"`);
    }
    const graphApiVersion = props.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION;
    if (!GRAPH_API_VERSION.test(graphApiVersion)) {
      throw new Error(`${this.node.path}: graphApiVersion must look like v21.0, got "${graphApiVersion}"`);
    }
    this.appId = props.appId;
    this.graphApiVersion = graphApiVersion;

    if (props.appSecretName !== undefined) {
      this.appSecret = secretsmanager.Secret.fromSecretNameV2(this, 'AppSecret', props.appSecretName);
      this.appSecretPolicyArn = `${this.appSecret.secretArn}-??????`;
      return;
    }
    const placeholder = new secretsmanager.Secret(this, 'AppSecret', {
      description: 'Session Guard: the Facebook app secret. Replace the generated placeholder with the real one.',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      // Filled in by hand: a stack teardown must not lose it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.appSecret = placeholder;
    this.appSecretPolicyArn = placeholder.secretArn;
    Validations.of(placeholder).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Facebook issues the app secret; Secrets Manager cannot rotate it. The operator resets it in the Facebook app dashboard and puts the new value here.',
    });
  }

  /**
   * Lets a function send browsers to this app's login dialog (web-login): sets `FACEBOOK_APP_ID`
   * and `GRAPH_API_VERSION` only. No secret: the dialog URL carries nothing secret.
   */
  configureDialog(fn: ConfigurableFunction): void {
    fn.addEnvironment('FACEBOOK_APP_ID', this.appId);
    fn.addEnvironment('GRAPH_API_VERSION', this.graphApiVersion);
  }

  /**
   * Lets a function verify Facebook's signed requests (the deauthorize and data-deletion
   * callbacks): sets `FACEBOOK_APP_SECRET_ARN` and grants secretsmanager:GetSecretValue on this
   * secret alone. No app id, no Graph: those functions call nothing.
   */
  grantSecretRead(fn: ConfigurableFunction): iam.Grant {
    fn.addEnvironment('FACEBOOK_APP_SECRET_ARN', this.appSecret.secretArn);
    return iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.appSecretPolicyArn],
    });
  }

  /**
   * Lets a function call the Graph API as this app: sets `FACEBOOK_APP_ID`,
   * `FACEBOOK_APP_SECRET_ARN` and `GRAPH_API_VERSION`, and grants secretsmanager:GetSecretValue
   * on this secret alone.
   */
  grantGraphAccess(fn: ConfigurableFunction): iam.Grant {
    fn.addEnvironment('FACEBOOK_APP_ID', this.appId);
    fn.addEnvironment('FACEBOOK_APP_SECRET_ARN', this.appSecret.secretArn);
    fn.addEnvironment('GRAPH_API_VERSION', this.graphApiVersion);
    return iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.appSecretPolicyArn],
    });
  }
}
