import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { KMS_ENCRYPTION_CONTEXT } from '#commons/crypto/vault';
import type { RouteDefinition } from '#functions/routes';
import { adminRoutes } from '#functions/admin-routes';
import { SessionGuardStack } from '#infra/session-guard-stack';
import { TokenKey } from '#infra/token-key';
import { buildTestApp, TEST_FACEBOOK_APP_ID } from '#test/infra/template-helpers';

/** How the stack reacts to its inputs. No bundling here: only wiring is under test. */
const noBundling = { 'aws:cdk:bundling-stacks': [] };

describe('routes with auth session', () => {
  const guardedRoute: RouteDefinition = { method: 'GET', path: '/v1/me', entry: 'get-current-session', auth: 'session' };
  let template: Template;
  let stack: SessionGuardStack;

  beforeAll(() => {
    const app = new App({ context: noBundling });
    stack = new SessionGuardStack(app, 'Guarded', {
      facebookAppId: TEST_FACEBOOK_APP_ID,
      routes: [{ method: 'GET', path: '/v1/health', entry: 'health', auth: 'none' }, guardedRoute],
      adminRoutes: [],
    });
    template = Template.fromStack(stack);
  }, 60_000);

  it('are attached to the session authorizer', () => {
    const authorizerId = stack.getLogicalId(stack.api.authorizer.node.defaultChild as CfnAuthorizer);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /v1/me',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/health', AuthorizationType: 'NONE' });
  });

  it('only get a function for entries the table uses, plus the authorizer, the revalidation pair, the events consumer and the inventory checker', () => {
    expect([...stack.functions.keys()].sort()).toEqual(['authorizer', 'events-stream', 'get-current-session', 'health', 'inventory-checker', 'revalidation-dispatcher', 'revalidation-worker']);
  });
});

describe('stack inputs', () => {
  it('refuses an entry without access wiring, naming where to add it', () => {
    const app = new App({ context: noBundling });
    expect(
      () =>
        new SessionGuardStack(app, 'Unwired', {
          facebookAppId: TEST_FACEBOOK_APP_ID,
          routes: [{ method: 'GET', path: '/v1/x', entry: 'not-wired', auth: 'none' }],
        }),
    ).toThrow(/functions\/not-wired\.ts has no access wiring.*infra\/session-guard-stack\.ts/);
  });

  it.each(['', 'my-app', '12 34'])('refuses facebookAppId %j', (facebookAppId) => {
    const app = new App({ context: noBundling });
    expect(() => new SessionGuardStack(app, 'BadAppId', { facebookAppId })).toThrow(/facebookAppId must be the numeric Facebook app id/);
  });

  it('refuses a malformed Graph API version and session lifetime', () => {
    expect(
      () => new SessionGuardStack(new App({ context: noBundling }), 'BadGraph', { facebookAppId: '1', graphApiVersion: '21' }),
    ).toThrow(/graphApiVersion/);
    expect(
      () => new SessionGuardStack(new App({ context: noBundling }), 'BadAge', { facebookAppId: '1', sessionMaxAgeSeconds: 0 }),
    ).toThrow(/sessionMaxAgeSeconds/);
  });

  it('keeps revocation records equally long in every function that revokes, 90 days unless told otherwise', () => {
    const retentionOf = (template: Template) =>
      Object.values(template.findResources('AWS::Lambda::Function'))
        .map((f) => (f.Properties.Environment?.Variables ?? {}) as Record<string, string>)
        .filter((variables) => 'REVOCATION_RETENTION_DAYS' in variables)
        .map((variables) => variables.REVOCATION_RETENTION_DAYS);
    // The deauthorize callback, the sweep worker, both sign-in functions (the per-person cap), the
    // person's sign-out routes (one, everywhere) and the operators' (end a session, offboard).
    const REVOKERS = 8;
    expect(retentionOf(Template.fromStack(buildTestApp({ bundle: false }).stack))).toEqual(Array(REVOKERS).fill('90'));
    const { stack } = buildTestApp({ bundle: false, context: { revocationRetentionDays: '30' } });
    expect(retentionOf(Template.fromStack(stack))).toEqual(Array(REVOKERS).fill('30'));
    expect(
      () => new SessionGuardStack(new App({ context: noBundling }), 'BadRetention', { facebookAppId: '1', revocationRetentionDays: 0 }),
    ).toThrow(/revocationRetentionDays/);
  });

  it('takes the per-person session cap and the signed_request age limit from context, and refuses nonsense', () => {
    const variables = (template: Template, name: string) =>
      Object.values(template.findResources('AWS::Lambda::Function'))
        .map((f) => (f.Properties.Environment?.Variables ?? {}) as Record<string, string>)
        .filter((v) => name in v)
        .map((v) => v[name]);
    const defaults = Template.fromStack(buildTestApp({ bundle: false }).stack);
    expect(variables(defaults, 'MAX_LIVE_SESSIONS_PER_PERSON')).toEqual(['25', '25']);
    expect(variables(defaults, 'SIGNED_REQUEST_MAX_AGE_SECONDS')).toEqual(['86400', '86400']);
    const set = Template.fromStack(buildTestApp({ bundle: false, context: { maxLiveSessionsPerPerson: '5', signedRequestMaxAgeSeconds: '3600' } }).stack);
    expect(variables(set, 'MAX_LIVE_SESSIONS_PER_PERSON')).toEqual(['5', '5']);
    expect(variables(set, 'SIGNED_REQUEST_MAX_AGE_SECONDS')).toEqual(['3600', '3600']);
    expect(() => new SessionGuardStack(new App({ context: noBundling }), 'BadCap', { facebookAppId: '1', maxLiveSessionsPerPerson: 0 })).toThrow(/maxLiveSessionsPerPerson/);
    expect(() => new SessionGuardStack(new App({ context: noBundling }), 'BadAge2', { facebookAppId: '1', signedRequestMaxAgeSeconds: 1.5 })).toThrow(/signedRequestMaxAgeSeconds/);
  });

  it('keeps admin audit records 400 days unless told otherwise (context auditRetentionDays), in every admin function', () => {
    const auditRetentionOf = (template: Template) =>
      Object.values(template.findResources('AWS::Lambda::Function'))
        .map((f) => (f.Properties.Environment?.Variables ?? {}) as Record<string, string>)
        .filter((variables) => 'AUDIT_RETENTION_DAYS' in variables)
        .map((variables) => variables.AUDIT_RETENTION_DAYS);
    expect(auditRetentionOf(Template.fromStack(buildTestApp({ bundle: false }).stack))).toEqual(Array(adminRoutes.length).fill('400'));
    const { stack } = buildTestApp({ bundle: false, context: { auditRetentionDays: '30' } });
    expect(auditRetentionOf(Template.fromStack(stack))).toEqual(Array(adminRoutes.length).fill('30'));
    expect(() => new SessionGuardStack(new App({ context: noBundling }), 'BadAudit', { facebookAppId: '1', auditRetentionDays: 1.5 })).toThrow(/auditRetentionDays must be a whole number/);
  });

  it('takes facebookAppId, graphApiVersion and sessionMaxAgeSeconds from context', () => {
    const { stack } = buildTestApp({
      bundle: false,
      context: { facebookAppId: '987654321', graphApiVersion: 'v22.0', sessionMaxAgeSeconds: '86400' },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: { FACEBOOK_APP_ID: '987654321', GRAPH_API_VERSION: 'v22.0', SESSION_MAX_AGE_SECONDS: '86400' } as Record<string, string>,
      },
    });
  });

  it('hands Facebook status links on publicBaseUrl (context) when set, and refuses one that is not https', () => {
    const { stack } = buildTestApp({ bundle: false, context: { publicBaseUrl: 'https://auth.example.com' } });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { PUBLIC_BASE_URL: 'https://auth.example.com' } as Record<string, string> },
    });
    for (const publicBaseUrl of ['http://auth.example.com', 'https://auth.example.com/?x=1', 'auth.example.com']) {
      expect(
        () => new SessionGuardStack(new App({ context: noBundling }), 'BadPublicUrl', { facebookAppId: '1', publicBaseUrl }),
      ).toThrow(/publicBaseUrl must be an https URL/);
    }
  });

  it('takes the origins browser sign-in may return to, and the dialog scopes, from context', () => {
    const { stack } = buildTestApp({
      bundle: false,
      context: { returnToAllowedOrigins: 'https://app.example.com,https://admin.example.com', facebookScopes: 'public_profile,email' },
    });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const variablesOf = (entry: string) =>
      functions[stack.getLogicalId(stack.functionFor(entry).function.node.defaultChild as lambda.CfnFunction)]!.Properties.Environment.Variables as Record<string, unknown>;
    for (const entry of ['web-login', 'authorizer', 'delete-current-session', 'reauth-start', 'reauth-complete']) {
      expect(variablesOf(entry).RETURN_TO_ALLOWED_ORIGINS).toBe('https://app.example.com,https://admin.example.com');
    }
    // The callback and the read-only route need no list of origins.
    expect(variablesOf('web-login-callback')).not.toHaveProperty('RETURN_TO_ALLOWED_ORIGINS');
    expect(variablesOf('get-current-session')).not.toHaveProperty('RETURN_TO_ALLOWED_ORIGINS');
    expect(variablesOf('web-login').FACEBOOK_SCOPES).toBe('public_profile,email');
  });

  it('gives the allowed web-app origins CORS with credentials, and nobody else', () => {
    const corsOf = (stack: SessionGuardStack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Api'))[0]!.Properties.CorsConfiguration;
    expect(corsOf(buildTestApp({ bundle: false }).stack)).toBeUndefined();
    const { stack } = buildTestApp({ bundle: false, context: { returnToAllowedOrigins: 'https://app.example.com' } });
    expect(corsOf(stack)).toEqual({
      AllowOrigins: ['https://app.example.com'],
      AllowCredentials: true,
      AllowHeaders: ['authorization', 'content-type'],
      ExposeHeaders: ['retry-after'],
      AllowMethods: ['GET', 'POST', 'DELETE'],
      MaxAge: 3600,
    });
  });

  it.each(['http://app.example.com', 'https://app.example.com/', 'https://*.example.com', 'app.example.com'])(
    'refuses %j as an allowed return origin',
    (origin) => {
      expect(
        () => new SessionGuardStack(new App({ context: noBundling }), 'BadOrigin', { facebookAppId: '1', returnToAllowedOrigins: [origin] }),
      ).toThrow(/returnToAllowedOrigins must be exact https origins/);
    },
  );

  it('refuses malformed Facebook scopes', () => {
    expect(
      () => new SessionGuardStack(new App({ context: noBundling }), 'BadScopes', { facebookAppId: '1', facebookScopes: ['public_profile&x'] }),
    ).toThrow(/facebookScopes/);
  });

  it('requires facebookAppId in context', () => {
    expect(() => buildTestApp({ bundle: false, context: { facebookAppId: undefined } })).toThrow(/context facebookAppId is required/);
  });
});

describe('token key grants', () => {
  /** A stack with only the token key and one function to grant it to. */
  function keyAndFunction() {
    const stack = new Stack(new App(), 'KeyOnly');
    const key = new TokenKey(stack, 'TokenKey', { breakGlassRoleArn: 'arn:aws:iam::123456789012:role/break-glass' });
    const fn = new lambda.Function(stack, 'Worker', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });
    return { stack, key, fn };
  }

  it('uses the encryption context the vault sends', () => {
    const { stack, key, fn } = keyAndFunction();
    key.grantSeal(fn);
    const conditions = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Array<{ Condition?: { StringEquals?: Record<string, string> } }>).map((s) => s.Condition?.StringEquals),
    );
    expect(conditions).toEqual([{ 'kms:EncryptionContext:purpose': KMS_ENCRYPTION_CONTEXT.purpose }]);
  });

  it('grantOpen (for the future worker) allows kms:Decrypt under the token context only, and sets KMS_KEY_ID', () => {
    const { stack, key, fn } = keyAndFunction();
    key.grantOpen(fn);
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.key.node.defaultChild as never), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: keyArn,
            Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'session-info-token' } },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { KMS_KEY_ID: keyArn } } });
  });
});
