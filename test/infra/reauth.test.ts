import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, routes } from '#functions/routes';
import { SessionGuardStack } from '#infra/session-guard-stack';
import { actionsOf, buildTestApp, statementsForRole, TEST_FACEBOOK_APP_ID } from '#test/infra/template-helpers';

/** Re-authentication and freshness in the stack: who may do what, and that freshness needs the authorizer. */
const noBundling = { 'aws:cdk:bundling-stacks': [] };
let stack: SessionGuardStack;
let template: Template;

beforeAll(() => {
  ({ stack } = buildTestApp({ bundle: false }));
  template = Template.fromStack(stack);
}, 120_000);

const actionsOfEntry = (entry: string) =>
  [...new Set(statementsForRole(template, stack.getLogicalId(stack.functionFor(entry).role.node.defaultChild as CfnRole)).flatMap(actionsOf))].filter(
    (action) => !action.startsWith('logs:') && !action.startsWith('xray:'),
  );

describe('re-authentication routes', () => {
  it('serve POST /v1/reauth/start and /v1/reauth/complete, each checking the session itself', () => {
    for (const [path, entry] of [
      ['/v1/reauth/start', 'reauth-start'],
      ['/v1/reauth/complete', 'reauth-complete'],
    ] as const) {
      expect(routes).toContainEqual(expect.objectContaining({ method: 'POST', path, entry, auth: 'none' }));
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `POST ${path}`, AuthorizationType: 'NONE' });
    }
  });

  it('let only the completion paths seal tokens and read the app secret; the start touches no secret, key or Graph', () => {
    expect(actionsOfEntry('reauth-start').sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    for (const entry of ['reauth-complete', 'web-login-callback']) {
      expect(actionsOfEntry(entry)).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'kms:GenerateDataKey', 'secretsmanager:GetSecretValue']));
      expect(actionsOfEntry(entry)).not.toContain('kms:Decrypt');
    }
  });
});

describe('freshness', () => {
  it('guards the sensitive action with the session authorizer and a 5-minute maximum age, and gives it no access at all', () => {
    const route = routes.find((candidate) => candidate.entry === 'sensitive-action');
    expect(route).toMatchObject({ method: 'POST', path: '/v1/account/sensitive-action', entry: 'sensitive-action', auth: 'session', maxAuthAgeSeconds: 300 });
    const authorizerId = stack.getLogicalId(stack.api.authorizer.node.defaultChild as CfnAuthorizer);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /v1/account/sensitive-action',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
    });
    expect(actionsOfEntry('sensitive-action')).toEqual([]);
  });

  it('refuses to synthesize a route with a maximum age but without the authorizer, or with a nonsense age', () => {
    const build = (route: RouteDefinition) => () =>
      new SessionGuardStack(new App({ context: noBundling }), 'Fresh', { facebookAppId: TEST_FACEBOOK_APP_ID, routes: [route] });
    expect(build({ method: 'POST', path: '/v1/x', entry: 'sensitive-action', auth: 'none', maxAuthAgeSeconds: 300 })).toThrow(/needs auth 'session'/);
    expect(build({ method: 'POST', path: '/v1/x', entry: 'sensitive-action', auth: 'session', maxAuthAgeSeconds: 0 })).toThrow(/positive whole number/);
    expect(build({ method: 'POST', path: '/v1/x', entry: 'sensitive-action', auth: 'session', maxAuthAgeSeconds: 300 })).not.toThrow();
  });
});
