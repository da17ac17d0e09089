import { Annotations, App, type AppProps, Duration, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { splitList } from '#commons/platform/config-rules';
import { SessionGuardEdgeStack } from './edge-protection.ts';
import { checkStageName, SessionGuardStack } from './session-guard-stack.ts';

/**
 * The `facebookAppId` cdk.json carries so `cdk synth` works out of the box. It is not a real app:
 * deploy with `-c facebookAppId=<your app id>` (synth warns while the placeholder is in use).
 */
export const PLACEHOLDER_FACEBOOK_APP_ID = '000000000000000';

export const STACK_ID = 'SessionGuard';

/**
 * Every deployment setting, read from CDK context (cdk.json, or `-c key=value` on the command
 * line). docs/deploy.md describes each one; a test keeps that page and this list in step.
 */
export const CONTEXT_KEYS = [
  'stage',
  'facebookAppId',
  'appSecretName',
  'graphApiVersion',
  'returnToAllowedOrigins',
  'publicBaseUrl',
  'customDomainName',
  'customDomainCertificateArn',
  'facebookScopes',
  'sweepIntervalMinutes',
  'sweepMaxConcurrency',
  'sessionMaxAgeSeconds',
  'revocationRetentionDays',
  'maxLiveSessionsPerPerson',
  'massRevocationMaxPercent',
  'massRevocationMinSessions',
  'signedRequestMaxAgeSeconds',
  'auditRetentionDays',
  'logRetentionDays',
  'alarmEmail',
  'breakGlassRoleArn',
  'destroyDataOnDelete',
  'wafWebAclArn',
  'wafSignInRequestsPerIp',
  'eventsWebhookUrl',
  'eventsWebhookApiKeySecretArn',
] as const;
type ContextKey = (typeof CONTEXT_KEYS)[number];

/**
 * Builds the whole CDK app the way `cdk synth` does: the stack from context, and cdk-nag's
 * AwsSolutions pack as a policy-validation plugin (synth fails on an unacknowledged error). The bin
 * (infra/app.ts) and the tests share it, so the tests check what ships.
 */
export function createSessionGuardApp(appProps: AppProps = {}): { app: App; stack: SessionGuardStack } {
  const app = new App(appProps);
  const text = (key: ContextKey) => stringContext(app, key);
  const whole = (key: ContextKey) => wholeNumberContext(app, key);

  const facebookAppId = text('facebookAppId');
  if (facebookAppId === undefined) {
    throw new Error('context facebookAppId is required: cdk deploy -c facebookAppId=<numeric Facebook app id>');
  }
  const stage = checkStageName(text('stage') ?? 'dev');
  const sweepInterval = whole('sweepIntervalMinutes');
  const logRetentionDays = whole('logRetentionDays');
  if (logRetentionDays !== undefined && !Object.values(logs.RetentionDays).includes(logRetentionDays)) {
    throw new Error(`context logRetentionDays must be one of CloudWatch Logs' retention periods (1, 3, 5, 7, 14, 30, 60, 90, ..., 3653), got ${logRetentionDays}`);
  }
  const domainName = text('customDomainName');
  const certificateArn = text('customDomainCertificateArn');
  if ((domainName === undefined) !== (certificateArn === undefined)) {
    throw new Error('context customDomainName and customDomainCertificateArn go together (an ACM certificate for that name, in the stack region)');
  }

  const webhookUrl = text('eventsWebhookUrl');
  const webhookKey = text('eventsWebhookApiKeySecretArn');
  if ((webhookUrl === undefined) !== (webhookKey === undefined)) {
    throw new Error('contexts eventsWebhookUrl and eventsWebhookApiKeySecretArn go together: set both or neither');
  }

  const stack = new SessionGuardStack(app, STACK_ID, {
    stackName: `${STACK_ID}-${stage}`,
    description: `Session Guard (${stage}): app sessions that end when the Facebook Login session ends`,
    stage,
    facebookAppId,
    appSecretName: text('appSecretName'),
    graphApiVersion: text('graphApiVersion'),
    sessionMaxAgeSeconds: whole('sessionMaxAgeSeconds'),
    revocationRetentionDays: whole('revocationRetentionDays'),
    auditRetentionDays: whole('auditRetentionDays'),
    publicBaseUrl: text('publicBaseUrl'),
    maxLiveSessionsPerPerson: whole('maxLiveSessionsPerPerson'),
    signedRequestMaxAgeSeconds: whole('signedRequestMaxAgeSeconds'),
    returnToAllowedOrigins: listContext(app, 'returnToAllowedOrigins'),
    facebookScopes: listContext(app, 'facebookScopes'),
    logRetention: logRetentionDays as logs.RetentionDays | undefined,
    alarmEmail: text('alarmEmail'),
    breakGlassRoleArn: text('breakGlassRoleArn'),
    destroyDataOnDelete: booleanContext(app, 'destroyDataOnDelete'),
    customDomain: domainName !== undefined && certificateArn !== undefined ? { domainName, certificateArn } : undefined,
    wafWebAclArn: text('wafWebAclArn'),
    ...(webhookUrl && webhookKey ? { eventsWebhook: { url: webhookUrl, apiKeySecretArn: webhookKey } } : {}),
    revalidation: {
      interval: sweepInterval === undefined ? undefined : Duration.minutes(sweepInterval),
      workerMaxConcurrency: whole('sweepMaxConcurrency'),
      massRevocationMaxPercent: whole('massRevocationMaxPercent'),
      massRevocationMinSessions: whole('massRevocationMinSessions'),
    },
  });
  const wafRate = whole('wafSignInRequestsPerIp');
  if (wafRate !== undefined) {
    // CloudFront-scoped web ACLs exist only in us-east-1 (docs/deploy.md, "Optional: AWS WAF").
    new SessionGuardEdgeStack(app, `${STACK_ID}Edge`, {
      stackName: `${STACK_ID}Edge-${stage}`,
      description: `Session Guard (${stage}): WAF web ACL for the CloudFront distribution in front of the API`,
      env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT },
      signInRequestsPerIp: wafRate,
    });
  }
  if (facebookAppId === PLACEHOLDER_FACEBOOK_APP_ID) {
    Annotations.of(stack).addWarningV2(
      'session-guard:placeholderFacebookAppId',
      'facebookAppId is the cdk.json placeholder: deploy with -c facebookAppId=<your Facebook app id>',
    );
  }

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

/** A comma-separated context value (or a JSON list from cdk.json) as a list; undefined when unset. */
function listContext(app: App, key: ContextKey): string[] | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  const text = stringContext(app, key);
  return text === undefined ? undefined : splitList(text);
}

function wholeNumberContext(app: App, key: ContextKey): number | undefined {
  const text = stringContext(app, key);
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) throw new Error(`context ${key} must be a whole number, got "${text}"`);
  return Number(text);
}

function booleanContext(app: App, key: ContextKey): boolean | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context ${key} must be true or false, got "${String(value)}"`);
}

function stringContext(app: App, key: ContextKey): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`context ${key} must be a string or a number`);
  }
  return String(value);
}
