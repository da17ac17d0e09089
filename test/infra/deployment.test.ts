import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { adminRoutes } from '#functions/admin-routes';
import { routes } from '#functions/routes';
import { budgetFor, ROUTE_BUDGETS, SIGN_IN_ENTRIES } from '#infra/route-budgets';
import { CONTEXT_KEYS } from '#infra/session-guard-app';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { actionsOf, buildTestApp, statementsForRole } from '#test/infra/template-helpers';

/** Deployment settings (CDK context) and what they change. No bundling: wiring only. */
const templateOf = (context: Record<string, unknown> = {}) => {
  const { stack } = buildTestApp({ bundle: false, context });
  return { stack, template: Template.fromStack(stack) };
};

describe('stage', () => {
  it('names the stack SessionGuard-<stage> (dev by default) and tags every resource with it', () => {
    expect(templateOf().stack.stackName).toBe('SessionGuard-dev');
    const { stack, template } = templateOf({ stage: 'prod' });
    expect(stack.stackName).toBe('SessionGuard-prod');
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]!;
    expect(table.Properties.Tags).toContainEqual({ Key: 'session-guard:stage', Value: 'prod' });
  });

  it('refuses a stage name that is not short and lower-case', () => {
    expect(() => templateOf({ stage: 'Prod Stage' })).toThrow(/stage must be/);
  });
});

describe('removal policies', () => {
  it('retain the table and both keys unless a throwaway stage asks otherwise', () => {
    const { template } = templateOf({ stage: 'prod' });
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect({ type, policy: resource.DeletionPolicy, replace: resource.UpdateReplacePolicy }).toEqual({ type, policy: 'Retain', replace: 'Retain' });
      }
    }
    const dev = templateOf({ stage: 'scratch', destroyDataOnDelete: 'true' }).template;
    const table = Object.values(dev.findResources('AWS::DynamoDB::Table'))[0]!;
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
  });

  it('never delete a production table or key: destroyDataOnDelete is refused for prod', () => {
    expect(() => templateOf({ stage: 'prod', destroyDataOnDelete: 'true' })).toThrow(/refused for the prod stage/);
    expect(() => templateOf({ destroyDataOnDelete: 'maybe' })).toThrow(/true or false/);
  });
});

describe('context settings', () => {
  it('appSecretName uses an existing secret, granted by name with its random suffix', () => {
    const { stack, template } = templateOf({ appSecretName: 'session-guard/facebook-app-secret' });
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret'))).toEqual([]);
    const roleId = stack.getLogicalId(stack.functionFor('create-session').role.node.defaultChild as CfnRole);
    const secretStatement = statementsForRole(template, roleId).find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))!;
    expect(JSON.stringify(secretStatement.Resource)).toContain(':secret:session-guard/facebook-app-secret-??????');
  });

  it('logRetentionDays sets every log group, and must be a CloudWatch retention period', () => {
    const { template } = templateOf({ logRetentionDays: '30' });
    const retentions = Object.values(template.findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.RetentionInDays);
    expect(new Set(retentions)).toEqual(new Set([30]));
    expect(() => templateOf({ logRetentionDays: '31' })).toThrow(/logRetentionDays/);
  });

  it('a custom domain maps the API, becomes the public base URL and is output', () => {
    const { stack, template } = templateOf({ customDomainName: 'auth.example.com', customDomainCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'auth.example.com',
      DomainNameConfigurations: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc', EndpointType: 'REGIONAL' }],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { Stage: '$default' });
    template.hasOutput('CustomDomainTarget', {});
    const fn = template.findResources('AWS::Lambda::Function')[stack.getLogicalId(stack.functionFor('web-login').function.node.defaultChild as CfnFunction)]!;
    expect(fn.Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://auth.example.com');
    expect(() => templateOf({ customDomainName: 'auth.example.com' })).toThrow(/go together/);
  });

  it('every setting the app reads is documented in docs/deploy.md', () => {
    const page = readFileSync(path.resolve('docs/deploy.md'), 'utf8');
    const undocumented = CONTEXT_KEYS.filter((key) => !page.includes(`\`${key}\``));
    expect(undocumented).toEqual([]);
  });

  it('cdk.json carries only known settings besides feature flags', () => {
    const settings = Object.keys(cdkJson.context).filter((key) => !key.startsWith('@aws-cdk'));
    expect(settings.filter((key) => !(CONTEXT_KEYS as readonly string[]).includes(key))).toEqual([]);
  });
});

describe('per-route throttling', () => {
  const { stack, template } = templateOf();
  /** The `$default` stage of one HTTP API (the public one or the admin one). */
  const stageOf = (httpApi: { node: { defaultChild?: unknown } }) => {
    const apiId = stack.getLogicalId(httpApi.node.defaultChild as CfnResource);
    return Object.values(template.findResources('AWS::ApiGatewayV2::Stage')).find((candidate) => JSON.stringify(candidate.Properties.ApiId) === JSON.stringify({ Ref: apiId }))!;
  };
  const stage = stageOf(stack.api.httpApi);
  const adminStage = stageOf(stack.adminApi.httpApi);

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route.entry] as const))('%s has its own budget', (routeKey, entry) => {
    const budget = ROUTE_BUDGETS[entry]!;
    expect(stage.Properties.RouteSettings[routeKey]).toEqual({ ThrottlingRateLimit: budget.rateLimit, ThrottlingBurstLimit: budget.burstLimit });
  });

  it("sign-in cannot spend the Facebook callbacks' budgets: each has its own, and sign-in stays well under the account limits", () => {
    const keyOf = (entry: string) => routes.filter((r) => r.entry === entry).map((r) => `${r.method} ${r.path}`);
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number }>;
    for (const callback of ['facebook-deauthorize', 'facebook-data-deletion']) {
      expect(settings[keyOf(callback)[0]!]!.ThrottlingRateLimit).toBeGreaterThan(0);
    }
    const signInRate = SIGN_IN_ENTRIES.flatMap(keyOf).reduce((sum, key) => sum + settings[key]!.ThrottlingRateLimit, 0);
    const everything = Object.values(settings).reduce((sum, s) => sum + s.ThrottlingRateLimit, 0);
    expect(signInRate).toBeLessThanOrEqual(100);
    expect(everything).toBeLessThan(1000);
  });

  it.each(adminRoutes.map((route) => [`${route.method} ${route.path}`, route.entry] as const))('admin API: %s has its own budget on the admin stage', (routeKey, entry) => {
    const budget = ROUTE_BUDGETS[entry]!;
    expect(adminStage.Properties.RouteSettings[routeKey]).toEqual({ ThrottlingRateLimit: budget.rateLimit, ThrottlingBurstLimit: budget.burstLimit });
    expect(stage.Properties.RouteSettings[routeKey]).toBeUndefined();
  });

  it('the admin API is throttled below the public one: operators, not the public', () => {
    const rate = (settings: Record<string, { ThrottlingRateLimit: number }>) => Object.values(settings).reduce((sum, s) => sum + s.ThrottlingRateLimit, 0);
    expect(adminStage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    expect(rate(adminStage.Properties.RouteSettings)).toBeLessThan(rate(stage.Properties.RouteSettings) / 4);
  });

  it('the stage waits for the routes its settings name', () => {
    expect((stage.DependsOn as string[]).length).toBeGreaterThanOrEqual(routes.length);
    expect((adminStage.DependsOn as string[]).length).toBeGreaterThanOrEqual(adminRoutes.length);
  });

  it('refuses a route without a budget, naming where to add it', () => {
    expect(() => budgetFor('unbudgeted')).toThrow(/functions\/unbudgeted\.ts has a route but no request budget.*infra\/route-budgets\.ts/);
    expect(budgetFor('health', { health: { rateLimit: 1, burstLimit: 2 } })).toEqual({ rateLimit: 1, burstLimit: 2 });
  });
});

describe('npx cdk synth', () => {
  it('synthesizes offline with the checked-in cdk.json', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'session-guard-synth-'));
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', out], {
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    });
    const template = JSON.parse(readFileSync(path.join(out, 'SessionGuard.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    // Every file but the two route tables is a function's entry.
    const entries = readdirSync('functions').filter((file) => file.endsWith('.ts') && !['routes.ts', 'admin-routes.ts'].includes(file));
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function').length).toBe(entries.length);
  }, 300_000);
});

describe('optional AWS WAF', () => {
  const webAclArn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/session-guard/abc';

  it('wafSignInRequestsPerIp adds the us-east-1 edge stack: a per-IP rate rule scoped to exactly the sign-in routes', () => {
    const { app } = buildTestApp({ bundle: false, context: { stage: 'prod', wafSignInRequestsPerIp: '100' } });
    const edge = app.node.findChild('SessionGuardEdge') as Stack;
    expect(edge.stackName).toBe('SessionGuardEdge-prod');
    expect(edge.region).toBe('us-east-1');
    const signInPaths = routes.filter((r) => (SIGN_IN_ENTRIES as readonly string[]).includes(r.entry)).map((r) => r.path);
    Template.fromStack(edge).hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        {
          Name: 'SignInRequestsPerIp',
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: {
              Limit: 100,
              AggregateKeyType: 'IP',
              EvaluationWindowSec: 300,
              ScopeDownStatement: { OrStatement: { Statements: signInPaths.map((p) => Match.objectLike({ ByteMatchStatement: Match.objectLike({ SearchString: p, PositionalConstraint: 'EXACTLY' }) })) } },
            },
          },
        } as never,
      ].map((rule) => Match.objectLike(rule)),
    });
    expect(signInPaths.sort()).toEqual(['/v1/auth/facebook/callback', '/v1/auth/facebook/login', '/v1/sessions']);
  });

  it('is off by default: no edge stack, no distribution', () => {
    const { app, stack } = buildTestApp({ bundle: false });
    expect(app.node.tryFindChild('SessionGuardEdge')).toBeUndefined();
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'))).toEqual([]);
  });

  it('wafWebAclArn puts a non-caching CloudFront distribution guarded by the ACL in front of the API', () => {
    const { template } = templateOf({ wafWebAclArn: webAclArn });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: webAclArn,
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' }),
      }),
    });
    template.hasOutput('CloudFrontUrl', {});
    expect(() => templateOf({ wafWebAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y' })).toThrow(/CloudFront-scoped/);
  });

  it('cdk-nag finds nothing unacknowledged with WAF, a custom domain and an alarm e-mail on', () => {
    const { app } = buildTestApp({
      bundle: false,
      context: {
        wafSignInRequestsPerIp: '100',
        wafWebAclArn: webAclArn,
        customDomainName: 'auth.example.com',
        customDomainCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
        alarmEmail: 'oncall@example.com',
      },
    });
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
