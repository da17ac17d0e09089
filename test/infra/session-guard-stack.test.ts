import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { App, CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { appSecretEnv, dataDeletionEnv, facebookDialogEnv, facebookEnv, sessionEnv, webOriginsEnv } from '#commons/platform/config';
import { INVENTORY_PARTITION } from '#commons/storage/schema';
import { adminRoutes } from '#functions/admin-routes';
import { authorizerEntry, routes } from '#functions/routes';
import { bundleLimitKb, esbuildOptionsFor } from '#infra/bundling';
import { entryPath } from '#infra/session-guard-function';
import type { SessionGuardStack } from '#infra/session-guard-stack';
import {
  actionCovers,
  actionsOf,
  allIdentityStatements,
  buildTestApp,
  type Statement,
  statementsForRole,
  TEST_FACEBOOK_APP_ID,
} from '#test/infra/template-helpers';

/**
 * Security properties of the synthesized stack, asserted one by one (no snapshots). One app,
 * bundled once, shared by every test in this file.
 */
let app: App;
let stack: SessionGuardStack;
let template: Template;
let assemblyDir: string;

beforeAll(() => {
  ({ app, stack } = buildTestApp());
  assemblyDir = app.synth().directory;
  template = Template.fromStack(stack);
}, 120_000);

/** The functions behind the API. */
const apiEntries = [...new Set([authorizerEntry, ...routes.map((route) => route.entry)])];

function functionId(entry: string): string {
  return stack.getLogicalId(stack.functionFor(entry).function.node.defaultChild as CfnFunction);
}
function roleId(entry: string): string {
  return stack.getLogicalId(stack.functionFor(entry).role.node.defaultChild as CfnRole);
}
function functionProps(entry: string): Record<string, any> {
  const resource = template.findResources('AWS::Lambda::Function')[functionId(entry)];
  if (!resource) throw new Error(`no function for ${entry}`);
  return resource.Properties;
}
function tokenKeyId(): string {
  return stack.getLogicalId(stack.tokenKey.key.node.defaultChild as CfnKey);
}
function tableKeyId(): string {
  return stack.getLogicalId(stack.sessionTable.key.node.defaultChild as CfnKey);
}
/** The public HTTP API and the admin one: two APIs, told apart by construct. */
function publicApiId(): string {
  return stack.getLogicalId(stack.api.httpApi.node.defaultChild as CfnResource);
}
function adminApiId(): string {
  return stack.getLogicalId(stack.adminApi.httpApi.node.defaultChild as CfnResource);
}
function routesOfApi(apiId: string): Record<string, any>[] {
  return Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((route) => JSON.stringify(route.Properties.ApiId) === JSON.stringify({ Ref: apiId }));
}
function singleLogicalId(type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** The `index.mjs` NodejsFunction bundled for an entry, in the synthesized assembly. */
function assetBundle(entry: string): string {
  const s3Key = functionProps(entry).Code.S3Key as string;
  return path.join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs');
}

/** Where a too-large bundle's bytes come from, for the failure message. */
async function largestPackages(entry: string): Promise<string> {
  const result = await build({ ...esbuildOptionsFor(entryPath(entry)), write: false, metafile: true, outfile: 'index.mjs' });
  const bytes = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'functions/';
      bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, size]) => `${name} ${(size / 1024).toFixed(0)} KB`)
    .join(', ');
}

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

const INVENTORY_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];

/** Everything beyond logging and tracing each function may do. Change deliberately. */
const EXPECTED_ACTIONS: Record<string, string[]> = {
  health: [],
  authorizer: ['dynamodb:GetItem'],
  'get-current-session': ['dynamodb:GetItem'],
  // Sign-out deletes the session and Puts its Session Ended outbox item in one transaction.
  'delete-current-session': ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
  // The person's own sessions: list (byUser only), end one (read it, revoke it), end all.
  'list-sessions': ['dynamodb:Query'],
  'end-session': ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
  'end-all-sessions': ['dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  // The admin API: each writes its audit records (PutItem on AUDIT# keys only) and does no more
  // than its action needs; none touches KMS or Facebook.
  'admin-user-sessions': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  'admin-facebook-user-sessions': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  'admin-end-session': ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  'admin-offboard-user': ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  // The credential inventory's admin functions: its partition of the table, or starting the
  // checker; never a secret (test/infra/credential-inventory.test.ts).
  'admin-inventory-add': INVENTORY_ITEM_ACTIONS,
  'admin-inventory-list': INVENTORY_ITEM_ACTIONS,
  'admin-inventory-show': INVENTORY_ITEM_ACTIONS,
  'admin-inventory-offboard': INVENTORY_ITEM_ACTIONS,
  'admin-inventory-check': ['dynamodb:PutItem', 'lambda:InvokeFunction'],
  'admin-inventory-revoke': ['dynamodb:PutItem', 'lambda:InvokeFunction'],
  // Sign-in also checks the person's link in its transaction (ConditionCheckItem) and applies the
  // cap on live sessions per person: their sessions on byUser (Query), the oldest revoked (UpdateItem).
  'create-session': [
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'kms:GenerateDataKey',
    'secretsmanager:GetSecretValue',
  ],
  // Facebook's callbacks: the app secret to verify signed requests, the table as far as each
  // needs it, and no KMS at all (nothing here seals or opens a token).
  'facebook-deauthorize': [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'secretsmanager:GetSecretValue',
  ],
  'facebook-data-deletion': [
    'dynamodb:BatchWriteItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'secretsmanager:GetSecretValue',
  ],
  'data-deletion-status': ['dynamodb:GetItem'],
  // Browser sign-in: the start writes the state item and nothing else (no secret, no KMS); the
  // callback spends it (DeleteItem) and opens the session as create-session does.
  'web-login': ['dynamodb:PutItem'],
  // It also finishes re-authentications whose dialog redirects (UpdateItem: the nonce and session).
  'web-login-callback': [
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'kms:GenerateDataKey',
    'secretsmanager:GetSecretValue',
  ],
  // Re-authentication: the start reads the session and writes the nonce and state items (no
  // secret, no KMS, no Graph); the completion checks the login with Facebook, seals the new
  // session-info token and spends the nonce with the session refresh in one transaction.
  'reauth-start': ['dynamodb:GetItem', 'dynamodb:PutItem'],
  'reauth-complete': [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'kms:GenerateDataKey',
    'secretsmanager:GetSecretValue',
  ],
  // The example sensitive action: the authorizer hands it authTime; it may touch nothing.
  'sensitive-action': [],
  // The scheduled revalidation: the dispatcher reads the shard cursors and queues the sweep; the
  // worker reads the sweep index, opens sealed tokens (the one function with kms:Decrypt), asks
  // Facebook, revokes and keeps the shard cursors.
  'revalidation-dispatcher': ['dynamodb:Query', 'sqs:SendMessage'],
  'revalidation-worker': [
    'dynamodb:DeleteItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'kms:Decrypt',
    'secretsmanager:GetSecretValue',
    'sqs:ChangeMessageVisibility',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:ReceiveMessage',
    'sqs:SendMessage',
    // The mass-revocation guard's override parameter, read only.
    'ssm:GetParameter',
  ],
  // Events: reads the table's stream, puts events on the bus, sends what fails to its dead-letter queue.
  'events-stream': [
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:ListStreams',
    'events:PutEvents',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:SendMessage',
  ],
  // The credential inventory's checker: its own table partition, Facebook as the app, and the
  // secrets tagged session-guard:inventory=true (test/infra/credential-inventory.test.ts).
  'inventory-checker': [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'secretsmanager:DescribeSecret',
    'secretsmanager:GetSecretValue',
  ],
};

/** Every function in the stack. A new function must be listed above, with its actions, to pass. */
const entries = Object.keys(EXPECTED_ACTIONS);

/** Functions allowed to open sealed tokens: the revalidation worker alone, which no route reaches. */
const DECRYPT_ALLOWED = new Set<string>(['revalidation-worker']);

const EXPECTED_ENVIRONMENT: Record<string, string[]> = {
  health: ['POWERTOOLS_SERVICE_NAME'],
  // The checker's thresholds have code defaults; it names the table and Facebook as the app.
  'inventory-checker': ['FACEBOOK_APP_ID', 'FACEBOOK_APP_SECRET_ARN', 'GRAPH_API_VERSION', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  // PUBLIC_BASE_URL names the session cookie (https: __Host-, Secure) and the allowed Origin.
  authorizer: ['POWERTOOLS_SERVICE_NAME', 'PUBLIC_BASE_URL', 'TABLE_NAME'],
  'get-current-session': ['POWERTOOLS_SERVICE_NAME', 'PUBLIC_BASE_URL', 'TABLE_NAME'],
  'delete-current-session': ['POWERTOOLS_SERVICE_NAME', 'PUBLIC_BASE_URL', 'TABLE_NAME'],
  'list-sessions': ['POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'end-session': ['POWERTOOLS_SERVICE_NAME', 'PUBLIC_BASE_URL', 'REVOCATION_RETENTION_DAYS', 'TABLE_NAME'],
  'end-all-sessions': ['POWERTOOLS_SERVICE_NAME', 'PUBLIC_BASE_URL', 'REVOCATION_RETENTION_DAYS', 'TABLE_NAME'],
  'admin-user-sessions': ['AUDIT_RETENTION_DAYS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'admin-facebook-user-sessions': ['AUDIT_RETENTION_DAYS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'admin-end-session': ['AUDIT_RETENTION_DAYS', 'POWERTOOLS_SERVICE_NAME', 'REVOCATION_RETENTION_DAYS', 'TABLE_NAME'],
  'admin-offboard-user': ['AUDIT_RETENTION_DAYS', 'POWERTOOLS_SERVICE_NAME', 'REVOCATION_RETENTION_DAYS', 'TABLE_NAME'],
  'admin-inventory-add': ['AUDIT_RETENTION_DAYS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'admin-inventory-list': ['AUDIT_RETENTION_DAYS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'admin-inventory-show': ['AUDIT_RETENTION_DAYS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'admin-inventory-offboard': ['AUDIT_RETENTION_DAYS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'admin-inventory-check': ['AUDIT_RETENTION_DAYS', 'INVENTORY_CHECKER_FUNCTION', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'admin-inventory-revoke': ['AUDIT_RETENTION_DAYS', 'INVENTORY_CHECKER_FUNCTION', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'create-session': [
    'FACEBOOK_APP_ID',
    'FACEBOOK_APP_SECRET_ARN',
    'GRAPH_API_VERSION',
    'KMS_KEY_ID',
    'MAX_LIVE_SESSIONS_PER_PERSON',
    'POWERTOOLS_SERVICE_NAME',
    'REVOCATION_RETENTION_DAYS',
    'SESSION_MAX_AGE_SECONDS',
    'TABLE_NAME',
  ],
  'facebook-deauthorize': ['FACEBOOK_APP_SECRET_ARN', 'POWERTOOLS_SERVICE_NAME', 'REVOCATION_RETENTION_DAYS', 'SIGNED_REQUEST_MAX_AGE_SECONDS', 'TABLE_NAME'],
  'facebook-data-deletion': ['FACEBOOK_APP_SECRET_ARN', 'POWERTOOLS_SERVICE_NAME', 'PUBLIC_BASE_URL', 'SIGNED_REQUEST_MAX_AGE_SECONDS', 'TABLE_NAME'],
  'data-deletion-status': ['POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'],
  'web-login': ['FACEBOOK_APP_ID', 'FACEBOOK_SCOPES', 'GRAPH_API_VERSION', 'POWERTOOLS_SERVICE_NAME', 'PUBLIC_BASE_URL', 'TABLE_NAME'],
  'web-login-callback': [
    'FACEBOOK_APP_ID',
    'FACEBOOK_APP_SECRET_ARN',
    'GRAPH_API_VERSION',
    'KMS_KEY_ID',
    'MAX_LIVE_SESSIONS_PER_PERSON',
    'POWERTOOLS_SERVICE_NAME',
    'PUBLIC_BASE_URL',
    'REVOCATION_RETENTION_DAYS',
    'SESSION_MAX_AGE_SECONDS',
    'TABLE_NAME',
  ],
  'reauth-start': ['FACEBOOK_APP_ID', 'FACEBOOK_SCOPES', 'GRAPH_API_VERSION', 'POWERTOOLS_SERVICE_NAME', 'PUBLIC_BASE_URL', 'TABLE_NAME'],
  'reauth-complete': [
    'FACEBOOK_APP_ID',
    'FACEBOOK_APP_SECRET_ARN',
    'GRAPH_API_VERSION',
    'KMS_KEY_ID',
    'POWERTOOLS_SERVICE_NAME',
    'PUBLIC_BASE_URL',
    'SESSION_MAX_AGE_SECONDS',
    'TABLE_NAME',
  ],
  'sensitive-action': ['POWERTOOLS_SERVICE_NAME'],
  'revalidation-dispatcher': ['POWERTOOLS_SERVICE_NAME', 'SWEEP_QUEUE_URL', 'TABLE_NAME'],
  'revalidation-worker': [
    'FACEBOOK_APP_ID',
    'FACEBOOK_APP_SECRET_ARN',
    'GRAPH_API_VERSION',
    'KMS_KEY_ID',
    'MASS_REVOCATION_MAX_PERCENT',
    'MASS_REVOCATION_MIN_SESSIONS',
    'MASS_REVOCATION_OVERRIDE_PARAMETER',
    'POWERTOOLS_SERVICE_NAME',
    'REVOCATION_RETENTION_DAYS',
    'SWEEP_QUEUE_URL',
    'TABLE_NAME',
  ],
  'events-stream': ['EVENT_BUS_NAME', 'POWERTOOLS_SERVICE_NAME'],
};

/** The one index each function that queries may query (never the table itself). */
const QUERIED_INDEX: Record<string, string> = {
  'create-session': 'byUser',
  'web-login-callback': 'byUser',
  'list-sessions': 'byUser',
  'end-all-sessions': 'byUser',
  'admin-user-sessions': 'byUser',
  'admin-facebook-user-sessions': 'byUser',
  'admin-offboard-user': 'byUser',
  'facebook-deauthorize': 'byUser',
  'facebook-data-deletion': 'byUser',
  'revalidation-worker': 'sweep',
};

/** Functions that may read the Facebook app secret: Graph callers and the signed-request callbacks. */
const SECRET_READERS = ['create-session', 'facebook-data-deletion', 'facebook-deauthorize', 'inventory-checker', 'reauth-complete', 'revalidation-worker', 'web-login-callback'];

describe('session table', () => {
  it('is on-demand with pk/sk, TTL on ttl, point-in-time recovery and deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('is retained when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('is encrypted with a customer-managed key of its own (never the token key), rotated and retained', () => {
    const table = template.findResources('AWS::DynamoDB::Table')[singleLogicalId('AWS::DynamoDB::Table')]!;
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [tableKeyId(), 'Arn'] } });
    expect(tableKeyId()).not.toBe(tokenKeyId());
    const key = template.findResources('AWS::KMS::Key')[tableKeyId()]!;
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });

  it('table key: any principal of the account may use it, but only through DynamoDB in this region', () => {
    const statements = template.findResources('AWS::KMS::Key')[tableKeyId()]!.Properties.KeyPolicy.Statement as Record<string, any>[];
    const viaDynamo = statements.find((s) => s.Sid === 'UseThroughDynamoDbInThisAccount')!;
    expect(viaDynamo).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Condition: {
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          'kms:CallerAccount': { Ref: 'AWS::AccountId' },
        },
      },
    });
    // No function holds a KMS statement on the table key: DynamoDB is the only way in.
    const onTableKey = allIdentityStatements(template).filter((s) => JSON.stringify(s.Resource).includes(tableKeyId()));
    expect(onTableKey).toEqual([]);
  });

  it('has the byUser index (all attributes) and the sparse sweep index (only what revalidation reads)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'byUser',
          KeySchema: [
            { AttributeName: 'userPk', KeyType: 'HASH' },
            { AttributeName: 'userSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'sweep',
          KeySchema: [
            { AttributeName: 'sweepShard', KeyType: 'HASH' },
            { AttributeName: 'sweepKey', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['userId', 'facebookUserId', 'sealedToken', 'expiresAt', 'status'] },
        },
      ]),
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'userPk', AttributeType: 'S' },
        { AttributeName: 'userSk', AttributeType: 'S' },
        { AttributeName: 'sweepShard', AttributeType: 'S' },
        { AttributeName: 'sweepKey', AttributeType: 'S' },
      ]),
    });
  });
});

describe('dynamodb:LeadingKeys', () => {
  /**
   * Each item statement's key prefixes (null: the whole table), for the functions that have any
   * narrowed; every other function's item statements are unconditioned. (Statements that also
   * Query are left out here: the inventory's partition is asserted in credential-inventory.test.ts.)
   */
  const SESSION = ['SESSION#*'];
  const PERSON = ['USER#*', 'FBUSER#*'];
  const AUDIT = ['AUDIT#*'];
  const LEADING_KEYS: Record<string, (string[] | null)[] | undefined> = {
    authorizer: [SESSION],
    'get-current-session': [SESSION],
    'delete-current-session': [['SESSION#*', 'SITOKEN#*', 'ENDED#*']],
    'web-login': [['OAUTHSTATE#*']],
    'data-deletion-status': [['DELETION#*']],
    // Ending one of my sessions reads it first; revoking turns it into its record and frees its token lock.
    'end-session': [SESSION, null],
    // Operators: read the person, revoke, and write audit records on AUDIT# keys only.
    'admin-user-sessions': [PERSON, AUDIT],
    'admin-facebook-user-sessions': [PERSON, AUDIT],
    'admin-end-session': [null, AUDIT],
    'admin-offboard-user': [PERSON, null, AUDIT],
    ...Object.fromEntries(['add', 'list', 'show', 'offboard', 'check', 'revoke'].map((action) => [`admin-inventory-${action}`, [AUDIT]])),
  };

  it.each(entries)('%s: item actions narrowed to the key prefixes it touches, where it touches few', (entry) => {
    const itemStatements = statementsForRole(template, roleId(entry)).filter(
      (s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')) && !actionsOf(s).includes('dynamodb:Query'),
    );
    const leadingKeys = itemStatements.map((s) => {
      if (s.Condition === undefined) return null;
      expect(Object.keys(s.Condition)).toEqual(['ForAllValues:StringLike']);
      return s.Condition['ForAllValues:StringLike']!['dynamodb:LeadingKeys'] as string[];
    });
    const expected = LEADING_KEYS[entry] ?? itemStatements.map(() => null);
    expect(leadingKeys.map((keys) => JSON.stringify(keys)).sort()).toEqual(expected.map((keys) => JSON.stringify(keys)).sort());
  });
});

describe('token key', () => {
  it('is a symmetric customer-managed key with rotation on, retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('is reachable as alias/session-guard/tokens', () => {
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/session-guard/tokens',
      TargetKeyId: { 'Fn::GetAtt': [tokenKeyId(), 'Arn'] },
    });
  });

  it.each(['create-session', 'web-login-callback', 'reauth-complete'])('lets %s only generate data keys, and only for session-info tokens', (entry) => {
    const kmsStatements = statementsForRole(template, roleId(entry)).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('kms:')),
    );
    expect(kmsStatements).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: { 'Fn::GetAtt': [tokenKeyId(), 'Arn'] },
        Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'session-info-token' } },
      },
    ]);
  });

  it('gives kms:Decrypt to the revalidation worker alone, under the token context only', () => {
    for (const entry of entries) {
      const decrypts = statementsForRole(template, roleId(entry)).filter(
        (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => actionCovers(a, 'kms:Decrypt')),
      );
      expect({ entry, decrypts: decrypts.length > 0 }).toEqual({ entry, decrypts: DECRYPT_ALLOWED.has(entry) });
    }
    // Nor any other identity in the stack: the one Decrypt statement is the worker's.
    const anyDecrypt = allIdentityStatements(template).filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => actionCovers(a, 'kms:Decrypt')),
    );
    expect(anyDecrypt).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [tokenKeyId(), 'Arn'] },
        Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'session-info-token' } },
      },
    ]);
    expect(statementsForRole(template, roleId('revalidation-worker'))).toContainEqual(anyDecrypt[0]);
  });

  it('key policy denies opening tokens (Decrypt, ReEncryptFrom) to everyone but the worker role and the break-glass role', () => {
    const statements = template.findResources('AWS::KMS::Key')[tokenKeyId()]!.Properties.KeyPolicy.Statement as Record<string, any>[];
    const root = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } };
    // Allows delegate to IAM only: no function principal written into them.
    expect(statements.filter((s) => s.Effect === 'Allow').map((s) => s.Principal)).toEqual([root]);
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies).toEqual([
      {
        Sid: 'DenyOpeningTokensToAllButOpenersAndBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
        Resource: '*',
        Condition: {
          ArnNotEquals: {
            'aws:PrincipalArn': [
              { 'Fn::GetAtt': [roleId('revalidation-worker'), 'Arn'] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/session-guard-break-glass']] },
            ],
          },
        },
      },
    ]);
  });

  it('the break-glass role is a stack setting (context breakGlassRoleArn)', () => {
    const arn = 'arn:aws:iam::123456789012:role/ops/emergency';
    const { stack: other } = buildTestApp({ bundle: false, context: { breakGlassRoleArn: arn } });
    const keys = Template.fromStack(other).findResources('AWS::KMS::Key');
    const tokenKey = keys[other.getLogicalId(other.tokenKey.key.node.defaultChild as CfnKey)]!;
    const deny = (tokenKey.Properties.KeyPolicy.Statement as Record<string, any>[]).find((s) => s.Effect === 'Deny')!;
    expect(deny.Condition.ArnNotEquals['aws:PrincipalArn'][1]).toBe(arn);
  });
});

describe('Facebook app secret', () => {
  it('is a generated placeholder the operator replaces, retained', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({ GenerateSecretString: Match.objectLike({ PasswordLength: 32 }) }),
      DeletionPolicy: 'Retain',
    });
  });

  it('is read only by the functions that need it, with GetSecretValue only', () => {
    const secretId = singleLogicalId('AWS::SecretsManager::Secret');
    const readers = entries.filter((entry) =>
      statementsForRole(template, roleId(entry)).some((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:'))),
    );
    expect(readers.sort()).toEqual(SECRET_READERS);
    // The inventory's tag-scoped statement is checked on its own (test/infra/credential-inventory.test.ts).
    const secretStatements = allIdentityStatements(template).filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')) && s.Condition === undefined);
    expect(secretStatements).toEqual(
      SECRET_READERS.map(() => ({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } })),
    );
  });
});

describe('functions', () => {
  it('are exactly the listed ones: every route entry, the authorizer, nothing unreviewed', () => {
    expect([...stack.functions.keys()].sort()).toEqual([...entries].sort());
    expect(apiEntries.every((entry) => entries.includes(entry))).toBe(true);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).sort()).toEqual(entries.map(functionId).sort());
  });

  it.each(entries)('%s runs Node.js 22 on arm64 with active tracing', (entry) => {
    const props = functionProps(entry);
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
    expect(props.Handler).toBe('index.handler');
  });

  it.each(entries)('%s logs to its own log group with retention, retained', (entry) => {
    const logGroupRef = functionProps(entry).LoggingConfig?.LogGroup as { Ref: string };
    expect(logGroupRef).toEqual({ Ref: expect.any(String) });
    const logGroup = template.findResources('AWS::Logs::LogGroup')[logGroupRef.Ref]!;
    expect(logGroup.Properties.RetentionInDays).toBe(365);
    expect(logGroup.DeletionPolicy).toBe('Retain');
    const others = entries.filter((other) => other !== entry).map((other) => functionProps(other).LoggingConfig?.LogGroup);
    expect(others).not.toContainEqual(logGroupRef);
  });

  it.each(entries)('%s gets exactly the environment its grants set', (entry) => {
    const variables = functionProps(entry).Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual(EXPECTED_ENVIRONMENT[entry]);
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe('session-guard');
    // Source maps are not shipped, so the flag that reads them is not set either.
    expect(variables).not.toHaveProperty('NODE_OPTIONS');
    if ('TABLE_NAME' in variables) {
      expect(variables.TABLE_NAME).toEqual({ Ref: singleLogicalId('AWS::DynamoDB::Table') });
    }
  });

  it('create-session receives the Facebook app, the key ARN and the session lifetime', () => {
    const variables = functionProps('create-session').Environment.Variables as Record<string, unknown>;
    expect(variables).toMatchObject({
      FACEBOOK_APP_ID: TEST_FACEBOOK_APP_ID,
      FACEBOOK_APP_SECRET_ARN: { Ref: singleLogicalId('AWS::SecretsManager::Secret') },
      GRAPH_API_VERSION: 'v21.0',
      KMS_KEY_ID: { 'Fn::GetAtt': [tokenKeyId(), 'Arn'] },
      SESSION_MAX_AGE_SECONDS: '2592000',
    });
    // The literal values pass the schemas the function parses at cold start.
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x';
    expect(facebookEnv.safeParse({ ...variables, FACEBOOK_APP_SECRET_ARN: arn }).success).toBe(true);
    expect(sessionEnv.parse(variables).SESSION_MAX_AGE_SECONDS).toBe(2592000);
  });

  it("facebook-data-deletion links its status pages to the API's own https URL, and reads only the app secret", () => {
    const variables = functionProps('facebook-data-deletion').Environment.Variables as Record<string, unknown>;
    expect(variables.PUBLIC_BASE_URL).toEqual({
      'Fn::Join': ['', ['https://', { Ref: publicApiId() }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/']],
    });
    expect(variables).not.toHaveProperty('FACEBOOK_APP_ID');
    expect(variables.FACEBOOK_APP_SECRET_ARN).toEqual({ Ref: singleLogicalId('AWS::SecretsManager::Secret') });
    // The literal values pass the schema the function parses at cold start.
    const env = { ...variables, PUBLIC_BASE_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/', FACEBOOK_APP_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' };
    expect(dataDeletionEnv.parse(env).PUBLIC_BASE_URL).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com');
    expect(appSecretEnv.safeParse(env).success).toBe(true);
  });

  it("browser sign-in and cookie sessions get the API's own https URL, so cookies are Secure and __Host- named", () => {
    const apiUrl = {
      'Fn::Join': ['', ['https://', { Ref: publicApiId() }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/']],
    };
    for (const entry of ['web-login', 'web-login-callback', 'authorizer', 'get-current-session', 'delete-current-session', 'end-session', 'end-all-sessions', 'reauth-start', 'reauth-complete']) {
      expect({ entry, url: functionProps(entry).Environment.Variables.PUBLIC_BASE_URL }).toEqual({ entry, url: apiUrl });
    }
    const login = functionProps('web-login').Environment.Variables as Record<string, unknown>;
    expect(login).toMatchObject({ FACEBOOK_APP_ID: TEST_FACEBOOK_APP_ID, GRAPH_API_VERSION: 'v21.0', FACEBOOK_SCOPES: 'public_profile' });
    // The literal values pass the schemas the functions parse at cold start.
    const env = { ...login, PUBLIC_BASE_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/' };
    expect(webOriginsEnv.parse(env)).toEqual({ PUBLIC_BASE_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com', RETURN_TO_ALLOWED_ORIGINS: [] });
    expect(facebookDialogEnv.parse(env).FACEBOOK_DIALOG_URL).toBe('https://www.facebook.com');
  });

  it.each(entries)('%s may do exactly its listed actions, on its own resources', (entry) => {
    const statements = statementsForRole(template, roleId(entry));
    const actions = [...new Set(statements.flatMap(actionsOf))].sort();
    expect(actions).toEqual([...LOGS, ...EXPECTED_ACTIONS[entry]!, ...XRAY].sort());
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);

    const resourceOf = (prefix: string): unknown[] =>
      statements.filter((s) => actionsOf(s).some((a) => a.startsWith(prefix))).map((s) => s.Resource);
    const logGroupRef = functionProps(entry).LoggingConfig.LogGroup as { Ref: string };
    expect(resourceOf('logs:')).toEqual([{ 'Fn::GetAtt': [logGroupRef.Ref, 'Arn'] }]);
    // Item actions on the table itself; Query only on the index the function is meant to read.
    const tableArn = { 'Fn::GetAtt': [singleLogicalId('AWS::DynamoDB::Table'), 'Arn'] };
    const streamArn = { 'Fn::GetAtt': [singleLogicalId('AWS::DynamoDB::Table'), 'StreamArn'] };
    for (const statement of statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))) {
      if (actionsOf(statement).some((a) => STREAM_ACTIONS.includes(a))) {
        // The events consumer reads the table's stream, and only that (ListStreams takes no resource).
        expect(entry).toBe('events-stream');
        expect(statement.Resource).toEqual(actionsOf(statement).includes('dynamodb:ListStreams') ? '*' : streamArn);
      } else if (JSON.stringify(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']) === JSON.stringify([INVENTORY_PARTITION])) {
        // The inventory's own partition of the table (test/infra/credential-inventory.test.ts).
        expect(statement.Resource).toEqual(tableArn);
      } else if (entry === 'revalidation-dispatcher') {
        // The one Query on the table itself: the shard cursors' partition, narrowed by LeadingKeys.
        expect(statement).toMatchObject({ Resource: tableArn, Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SWEEPCURSOR#*'] } } });
      } else if (actionsOf(statement).includes('dynamodb:Query')) {
        expect(actionsOf(statement)).toEqual(['dynamodb:Query']);
        expect(statement.Resource).toEqual({ 'Fn::Join': ['', [tableArn, `/index/${QUERIED_INDEX[entry]}`]] });
      } else {
        expect(statement.Resource).toEqual(tableArn);
      }
    }
    // X-Ray and ListStreams have no resource-level permissions; nothing else may use "*"
    // (besides the inventory's secrets, which only the tag condition bounds: credential-inventory.test.ts).
    const wildcard = statements.filter((s) => JSON.stringify(s.Resource).includes('*') && !JSON.stringify(s.Condition ?? {}).includes('ResourceTag/session-guard:inventory'));
    expect(wildcard.flatMap(actionsOf).sort()).toEqual(entry === 'events-stream' ? ['dynamodb:ListStreams', ...XRAY] : XRAY);
  });

  it.each(entries)('%s has a role of its own with no managed policies', (entry) => {
    const role = template.findResources('AWS::IAM::Role')[roleId(entry)]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('lambda.amazonaws.com');
    const others = entries.filter((other) => other !== entry).map((other) => functionProps(other).Role);
    expect(others).not.toContainEqual(functionProps(entry).Role);
  });

  it.each(entries)('%s bundle stays under its limit (infra/bundling.ts)', async (entry) => {
    const kilobytes = statSync(assetBundle(entry)).size / 1024;
    if (kilobytes >= bundleLimitKb(entry)) {
      expect.fail(`${entry} bundle is ${kilobytes.toFixed(0)} KB; largest packages: ${await largestPackages(entry)}`);
    }
  });

  // `npm run bench` and the size figures build with esbuildOptionsFor(): they are only worth
  // something if that is byte for byte what NodejsFunction ships.
  it.each(entries)('%s: the deployed bundle is the one esbuildOptionsFor() builds', async (entry) => {
    const result = await build({ ...esbuildOptionsFor(entryPath(entry)), write: false, outfile: 'index.mjs' });
    expect(readFileSync(assetBundle(entry), 'utf8') === result.outputFiles[0]!.text).toBe(true);
  });

  it('bundles are ESM with a working require and bundle the AWS SDK', () => {
    const code = readFileSync(assetBundle('create-session'), 'utf8');
    expect(code.startsWith('import { createRequire as __sgCreateRequire }')).toBe(true);
    expect(code).not.toMatch(/from\s*"@aws-sdk\//);
  });
});

describe('HTTP API', () => {
  const authorizerId = (): string => singleLogicalId('AWS::ApiGatewayV2::Authorizer');

  it('has exactly one route per entry of the route table', () => {
    const routeKeys = routesOfApi(publicApiId()).map((r) => r.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s invokes its entry function and is guarded as the table says',
    (routeKey, route) => {
      const [routeResource] = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }));
      expect(routeResource).toBeDefined();
      const target = JSON.stringify(routeResource!.Properties.Target);
      const integrationId = /"Ref":"([^"]+)"/.exec(target)![1]!;
      const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId]!;
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [functionId(route.entry), 'Arn'] },
      });
      if (route.auth === 'session') {
        expect(routeResource!.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId() } });
      } else {
        expect(routeResource!.Properties.AuthorizationType).toBe('NONE');
        expect(routeResource!.Properties.AuthorizerId).toBeUndefined();
      }
    },
  );

  it('session authorizer: Lambda, payload 2.0, simple responses, no caching, no identity source', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: Match.absent(),
      AuthorizerUri: {
        'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [functionId(authorizerEntry), 'Arn'] }])],
      },
    });
  });

  it('API Gateway may invoke the authorizer function for this authorizer only', () => {
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: { 'Fn::GetAtt': [functionId(authorizerEntry), 'Arn'] } },
      }),
    );
    const routeCount = routes.filter((route) => route.entry === authorizerEntry).length;
    expect(permissions).toHaveLength(1 + routeCount);
    expect(permissions[0]!.Properties.Principal).toBe('apigateway.amazonaws.com');
    expect(JSON.stringify(permissions[0]!.Properties.SourceArn)).toContain(`/authorizers/`);
  });

  it('default stage auto-deploys with throttling and access logs (with retention)', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage', { Properties: { ApiId: { Ref: publicApiId() } } }))[0]!;
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    const destination = stage.Properties.AccessLogSettings.DestinationArn as { 'Fn::GetAtt': [string, string] };
    const accessLogs = template.findResources('AWS::Logs::LogGroup')[destination['Fn::GetAtt'][0]]!;
    expect(accessLogs.Properties.RetentionInDays).toBe(365);
    // Access logs never carry headers (Authorization, Cookie) or query strings.
    const format = stage.Properties.AccessLogSettings.Format as string;
    expect(format).not.toMatch(/header|querystring|cookie/i);
  });

  it('outputs the API URL and exports the authorizer function ARN', () => {
    template.hasOutput('ApiUrl', {});
    template.hasOutput('AuthorizerFunctionArn', {
      Value: { 'Fn::GetAtt': [functionId(authorizerEntry), 'Arn'] },
      Export: { Name: 'SessionGuard-dev-AuthorizerFunctionArn' },
    });
    template.hasOutput('FacebookAppSecretArn', { Value: { Ref: singleLogicalId('AWS::SecretsManager::Secret') } });
  });
});

describe('admin API', () => {
  it('is an HTTP API of its own with exactly the admin routes, every one with IAM authorization', () => {
    expect(adminApiId()).not.toBe(publicApiId());
    const adminRouteResources = routesOfApi(adminApiId());
    expect(adminRouteResources.map((r) => r.Properties.RouteKey).sort()).toEqual(adminRoutes.map((route) => `${route.method} ${route.path}`).sort());
    for (const route of adminRouteResources) {
      expect({ route: route.Properties.RouteKey, auth: route.Properties.AuthorizationType, authorizer: route.Properties.AuthorizerId }).toEqual({
        route: route.Properties.RouteKey,
        auth: 'AWS_IAM',
        authorizer: undefined,
      });
    }
  });

  it('is not reachable with a session token: no admin route on the public API, and no Lambda authorizer on the admin one', () => {
    const publicKeys = routesOfApi(publicApiId()).map((r) => r.Properties.RouteKey as string);
    expect(publicKeys.filter((key) => key.includes('/admin/'))).toEqual([]);
    const authorizers = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers.map((a) => a.Properties.ApiId)).toEqual([{ Ref: publicApiId() }]);
    // No CORS: browsers (the only clients that would carry a session cookie) are not its clients.
    expect(template.findResources('AWS::ApiGatewayV2::Api')[adminApiId()]!.Properties.CorsConfiguration).toBeUndefined();
  });

  it('admin functions write audit records on AUDIT# keys only, and cannot put any other item', () => {
    for (const route of adminRoutes) {
      const allPuts = statementsForRole(template, roleId(route.entry)).filter((s) => actionsOf(s).includes('dynamodb:PutItem'));
      // Besides audit records, the inventory's functions put inventory items: that partition only.
      const inventory = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INVENTORY'] } };
      const puts = allPuts.filter((s) => JSON.stringify(s.Condition) !== JSON.stringify(inventory));
      expect(puts).toHaveLength(1);
      expect(actionsOf(puts[0]!)).toEqual(['dynamodb:PutItem']);
      expect(puts[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } });
    }
  });

  it('logs the calling principal, never headers, and is throttled for operators', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage', { Properties: { ApiId: { Ref: adminApiId() } } }))[0]!;
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    const format = stage.Properties.AccessLogSettings.Format as string;
    expect(JSON.parse(format).caller).toBe('$context.identity.userArn');
    expect(format).not.toMatch(/header|querystring|cookie/i);
    template.hasOutput('AdminApiUrl', {});
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('leaves no finding unfixed or unacknowledged', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    const findings = report.violations.map((v) => `${v.ruleName} (${v.severity}): ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('synth validation report holds no errors', () => {
    const report = JSON.parse(readFileSync(path.join(assemblyDir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
    };
    const errors = report.pluginReports.flatMap((plugin) =>
      plugin.violations.filter((v) => v.severity === 'error' || v.severity === 'fatal').map((v) => `${plugin.pluginName}: ${v.ruleName}`),
    );
    expect(errors).toEqual([]);
  });
});

describe('every identity policy in the stack', () => {
  it('allows nothing with a wildcard action', () => {
    const wildcards = allIdentityStatements(template).filter((s: Statement) => actionsOf(s).some((a) => a.includes('*')));
    expect(wildcards).toEqual([]);
  });
});
