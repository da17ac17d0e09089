import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { createSessionGuardApp } from '#infra/session-guard-app';
import type { SessionGuardStack } from '#infra/session-guard-stack';

export const TEST_FACEBOOK_APP_ID = '1234567890';

/**
 * The app exactly as `cdk synth` builds it (cdk.json context, feature flags, cdk-nag plugin), with a
 * test Facebook app id, synthesized into a fresh temp directory. `bundle: false` skips esbuild for
 * tests that only look at wiring.
 */
export function buildTestApp(options: { bundle?: boolean; context?: Record<string, unknown> } = {}): {
  app: App;
  stack: SessionGuardStack;
} {
  return createSessionGuardApp({
    outdir: mkdtempSync(path.join(tmpdir(), 'session-guard-cdk-')),
    context: {
      ...cdkJson.context,
      facebookAppId: TEST_FACEBOOK_APP_ID,
      ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
      ...options.context,
    },
  });
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Every statement of every identity policy attached to the role with this logical id. */
export function statementsForRole(template: Template, roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as unknown[];
    if (roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }))) {
      statements.push(...(policy.Properties.PolicyDocument.Statement as Statement[]));
    }
  }
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
  if (!role) throw new Error(`no role ${roleLogicalId}`);
  for (const inline of (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
    statements.push(...inline.PolicyDocument.Statement);
  }
  return statements;
}

/** Every identity-policy statement in the template, whoever it is attached to. */
export function allIdentityStatements(template: Template): Statement[] {
  const statements: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    statements.push(...(policy.Properties.PolicyDocument.Statement as Statement[]));
  }
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const inline of (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
      statements.push(...inline.PolicyDocument.Statement);
    }
  }
  return statements;
}

/** Whether an IAM action pattern (`kms:*`, `kms:De*`, `*`) covers `action`. */
export function actionCovers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i');
  return regex.test(action);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
