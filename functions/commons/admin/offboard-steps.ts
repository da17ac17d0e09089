import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { credentialsOffboardStep } from '#commons/inventory/offboard-step';
import { CredentialStore } from '#commons/storage/credential-store';
import type { OffboardStep } from './offboarding.ts';

/**
 * The steps offboarding runs after it has ended the person's sessions, in order. The extension
 * point for other capabilities: one entry each (the long-lived credential inventory adds the step
 * that lists the person's credentials and marks them `revoke_pending`). A step gets what it needs
 * from `OffboardStepWiring` and must be idempotent: an operator may run offboarding again.
 */
export interface OffboardStepWiring {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

export function offboardSteps(wiring: OffboardStepWiring): OffboardStep[] {
  return [credentialsOffboardStep(new CredentialStore(wiring.doc, wiring.tableName))];
}
