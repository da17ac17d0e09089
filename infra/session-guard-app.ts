import { Annotations, App, type AppProps, Duration, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { splitList } from '#commons/platform/config-rules';
import { SessionGuardStack } from './session-guard-stack.ts';

/**
 * The `facebookAppId` cdk.json carries so `cdk synth` works out of the box. It is not a real app:
 * deploy with `-c facebookAppId=<your app id>` (synth warns while the placeholder is in use).
 */
export const PLACEHOLDER_FACEBOOK_APP_ID = '000000000000000';

export const STACK_ID = 'SessionGuard';

/**
 * Builds the whole CDK app the way `cdk synth` does: the stack from context, and cdk-nag's
 * AwsSolutions pack as a policy-validation plugin (synth fails on an unacknowledged error). The bin
 * (infra/app.ts) and the tests share it, so the tests check what ships.
 *
 * Context: `facebookAppId` (required, numeric), `graphApiVersion` (default v21.0),
 * `sessionMaxAgeSeconds` (default 2592000), `publicBaseUrl` (default the API's own URL),
 * `sweepIntervalMinutes` (default 15), `sweepMaxConcurrency` (default 5),
 * `returnToAllowedOrigins` (comma-separated https origins, default none), `facebookScopes` (default
 * public_profile).
 */
export function createSessionGuardApp(appProps: AppProps = {}): { app: App; stack: SessionGuardStack } {
  const app = new App(appProps);

  const facebookAppId = stringContext(app, 'facebookAppId');
  if (facebookAppId === undefined) {
    throw new Error('context facebookAppId is required: cdk deploy -c facebookAppId=<numeric Facebook app id>');
  }
  const maxAge = stringContext(app, 'sessionMaxAgeSeconds');
  const revocationRetention = stringContext(app, 'revocationRetentionDays');
  const sweepInterval = stringContext(app, 'sweepIntervalMinutes');
  const sweepConcurrency = stringContext(app, 'sweepMaxConcurrency');
  if (sweepInterval !== undefined && !/^[1-9]\d*$/.test(sweepInterval)) {
    throw new Error(`context sweepIntervalMinutes must be a whole number of minutes, got "${sweepInterval}"`);
  }

  const stack = new SessionGuardStack(app, STACK_ID, {
    description: 'Session Guard: app sessions that end when the Facebook Login session ends',
    facebookAppId,
    graphApiVersion: stringContext(app, 'graphApiVersion'),
    sessionMaxAgeSeconds: maxAge === undefined ? undefined : Number(maxAge),
    revocationRetentionDays: revocationRetention === undefined ? undefined : Number(revocationRetention),
    publicBaseUrl: stringContext(app, 'publicBaseUrl'),
    returnToAllowedOrigins: listContext(app, 'returnToAllowedOrigins'),
    facebookScopes: listContext(app, 'facebookScopes'),
    revalidation: {
      interval: sweepInterval === undefined ? undefined : Duration.minutes(Number(sweepInterval)),
      workerMaxConcurrency: sweepConcurrency === undefined ? undefined : Number(sweepConcurrency),
    },
  });
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
function listContext(app: App, key: string): string[] | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  const text = stringContext(app, key);
  return text === undefined ? undefined : splitList(text);
}

function stringContext(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`context ${key} must be a string or a number`);
  }
  return String(value);
}
