// The CDK app (cdk.json: `npx tsx infra/app.ts`). Everything lives in session-guard-app.ts so the
// tests build exactly this app; the CLI synthesizes it when the process exits.
import { createSessionGuardApp } from './session-guard-app.ts';

createSessionGuardApp();
