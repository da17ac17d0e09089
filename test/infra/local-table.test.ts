import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tableDefinition, TTL_ATTRIBUTE } from '#local/table';
import { buildTestApp } from '#test/infra/template-helpers';

/** The local stack must create the table the CDK stack deploys, or local tests prove nothing. */
describe('local table vs CDK table', () => {
  const { stack } = buildTestApp({ bundle: false });
  const template = Template.fromStack(stack);
  const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
  const local = tableDefinition('any');
  const sortByName = <T extends { AttributeName?: string; IndexName?: string }>(items: T[]) =>
    [...items].sort((a, b) => String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)));

  it('has the same keys and attribute types', () => {
    expect(table!.Properties.KeySchema).toEqual(local.KeySchema);
    expect(sortByName(table!.Properties.AttributeDefinitions)).toEqual(sortByName(local.AttributeDefinitions!));
  });

  it('has the same global secondary indexes and projections', () => {
    const normalise = (indexes: Array<{ IndexName?: string; KeySchema?: unknown; Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] } }>) =>
      sortByName(indexes).map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        ProjectionType: index.Projection?.ProjectionType,
        NonKeyAttributes: [...(index.Projection?.NonKeyAttributes ?? [])].sort(),
      }));
    expect(normalise(table!.Properties.GlobalSecondaryIndexes)).toEqual(normalise(local.GlobalSecondaryIndexes!));
  });

  it('streams the same images (the outbox of the events)', () => {
    expect(table!.Properties.StreamSpecification).toEqual({ StreamViewType: local.StreamSpecification!.StreamViewType });
    expect(local.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('expires items through the same TTL attribute', () => {
    expect(table!.Properties.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
  });
});
