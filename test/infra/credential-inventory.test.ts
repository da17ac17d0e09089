import { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionGuardStack } from '#infra/session-guard-stack';
import { actionCovers, actionsOf, allIdentityStatements, buildTestApp, statementsForRole, type Statement } from './template-helpers.ts';

/** The credential inventory in the stack: who may read the registered secrets, and the daily schedule. */
let stack: SessionGuardStack;
let template: Template;
let app: ReturnType<typeof buildTestApp>['app'];

beforeAll(() => {
  ({ app, stack } = buildTestApp({ bundle: false }));
  template = Template.fromStack(stack);
});

const checkerRoleId = () => stack.getLogicalId(stack.functions.get('inventory-checker')!.role.node.defaultChild as CfnRole);
const readsSecrets = (statement: Statement) => actionsOf(statement).some((action) => actionCovers(action, 'secretsmanager:GetSecretValue'));
const TAG_CONDITION = { StringEquals: { 'secretsmanager:ResourceTag/session-guard:inventory': 'true' } };

describe('credential inventory', () => {
  it('lets only the checker GetSecretValue on the registered (tagged) secrets', () => {
    const tagged = allIdentityStatements(template).filter((statement) => readsSecrets(statement) && JSON.stringify(statement.Condition) === JSON.stringify(TAG_CONDITION));
    expect(tagged).toHaveLength(1);
    expect(statementsForRole(template, checkerRoleId())).toContainEqual(tagged[0]);
    expect(actionsOf(tagged[0]!).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  });

  it('gives no function a secret read that could reach the registered secrets otherwise (a wildcard without the tag)', () => {
    const appSecretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    const others = allIdentityStatements(template).filter((statement) => readsSecrets(statement) && statement.Condition === undefined);
    expect(others.length).toBeGreaterThan(0);
    for (const statement of others) expect(statement.Resource).toEqual({ Ref: appSecretId });
  });

  it('keeps the checker to the inventory partition of the table', () => {
    const table = statementsForRole(template, checkerRoleId()).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(table).toHaveLength(1);
    // No wildcard in the pattern: StringLike on 'INVENTORY' matches that partition key only.
    expect(table[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INVENTORY'] } });
  });

  it('runs the checker once a day from EventBridge', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) => String(rule.Properties.Description ?? '').includes('credential inventory'));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    const checkerFunction = stack.getLogicalId(stack.functions.get('inventory-checker')!.function.node.defaultChild as never);
    expect(JSON.stringify(rules[0]!.Properties.Targets)).toContain(checkerFunction);
  });

  it('finds nothing unacknowledged for cdk-nag in the inventory resources', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    const ours = report.violations.filter((v) => v.violatingResources.some((r) => (r.constructPath ?? '').includes('CredentialInventory') || (r.constructPath ?? '').includes('inventory-checker')));
    expect(ours.map((v) => v.ruleName)).toEqual([]);
  });
});
