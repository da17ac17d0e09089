import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { readConfig, webOriginsEnv } from '#commons/platform/config';
import { adminRoutes } from '#functions/admin-routes';
import { authorizerEntry, corsPolicy, type RouteDefinition, routes } from '#functions/routes';
import { type AuthorizerHandler, type BoundRoute, type HttpHandler, listenApiGateway, type LocalRoute, type RunningApi, startApiGateway } from './api-gateway.ts';
import { DEFAULT_LOCAL_OPERATOR, type LocalOperatorKey, sigV4Authenticator } from './iam-auth.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { type EmulatedApp, type GraphEmulator, startGraphEmulator } from '#local/emulators/graph';
import { type KmsEmulator, startKmsEmulator } from '#local/emulators/kms';
import { type InvokableHandler, type LambdaInvokeEmulator, startLambdaInvokeEmulator } from '#local/emulators/lambda-invoke';
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '#local/emulators/secrets-manager';
import { ensureTable } from './table.ts';
import { demoPageRoute } from './demo-page.ts';
import { facebookActionRoutes } from './facebook-actions.ts';
import { openApiRoute } from './openapi.ts';
import { callbackUrl } from '#commons/web-login/web-login';
import { TOKEN_KEY_ALIAS } from '#commons/crypto/token-key-names';

/**
 * The whole service on one machine: the real handlers behind an API Gateway emulation, with
 * DynamoDB Local, the KMS emulator and the Graph emulator started alongside. An embedded part is
 * skipped when its endpoint variable points somewhere real.
 *
 * Handlers read their configuration from `process.env` when first imported, so there is one local
 * stack per process.
 */
export interface LocalStackOptions {
  /** API port; 0 picks a free one. @default PORT or 3000 */
  readonly port?: number;
  readonly host?: string;
  /** Graph emulator port; 0 picks a free one. @default 0 */
  readonly graphEmulatorPort?: number;
  /** Extra latency for every Graph emulator answer, in ms. @default 0 */
  readonly graphLatencyMs?: number;
  /** Variables to apply over `process.env` before anything starts. */
  readonly env?: Readonly<Record<string, string>>;
  /** More Facebook apps for the Graph emulator to know (tokens of another app, for tests). */
  readonly otherGraphApps?: readonly EmulatedApp[];
  /** Admin API port (its own server, as in AWS its own HTTP API); 0 picks a free one. @default 0 */
  readonly adminPort?: number;
  /** Local-only routes (demo page, tools) served beside the API. */
  readonly localRoutes?: readonly LocalRoute[];
}

export interface LocalStack {
  readonly url: string;
  readonly api: RunningApi;
  /** The admin API: SigV4-signed requests by `operatorKey` only. */
  readonly adminUrl: string;
  readonly operatorKey: LocalOperatorKey;
  readonly appId: string;
  readonly appSecret: string;
  readonly tableName: string;
  readonly kmsKeyId: string;
  /** Present when the stack started its own Graph emulator. */
  readonly graph?: GraphEmulator;
  readonly kms?: KmsEmulator;
  /** The credential inventory's secrets, and the checker started by the admin API. */
  readonly secrets?: SecretsManagerEmulator;
  readonly lambda?: LambdaInvokeEmulator;
  readonly dynamo?: DynamoDbLocal;
  readonly started: readonly string[];
  close(): Promise<void>;
}

export const DEFAULT_APP_ID = '1234567890123456';
export const DEFAULT_APP_SECRET = 'local-app-secret-not-for-production';
/** The checker's name on the local stack's Lambda stand-in. */
export const INVENTORY_CHECKER_FUNCTION = 'session-guard-inventory-checker';

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = process.env;
  Object.assign(env, options.env ?? {});
  env.AWS_REGION ??= 'us-east-1';
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  env.FACEBOOK_APP_ID ??= DEFAULT_APP_ID;
  if (!env.FACEBOOK_APP_SECRET_ARN) env.FACEBOOK_APP_SECRET ??= DEFAULT_APP_SECRET;
  env.TABLE_NAME ??= 'session-guard';
  env.POWERTOOLS_SERVICE_NAME ??= 'session-guard';
  // Quiet the SDK's Node 20 notice; Lambda runs Node 22.
  env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';

  const started: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    // Handlers read PUBLIC_BASE_URL (the data-deletion status links, the sign-in callback URL and
    // the cookie names) when imported, and the Graph emulator registers the callback URL as the
    // app's only redirect URI when it starts: the API listens first (port 0 → a free port it
    // binds and keeps) and serves its routes once they are imported, so both point at it.
    const host = options.host ?? '127.0.0.1';
    const api = await listenApiGateway({ port: options.port ?? Number(env.PORT ?? 3000), ...(options.host ? { host: options.host } : {}) });
    closers.push(() => api.close());
    const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    env.PUBLIC_BASE_URL ??= `http://${publicHost}:${api.port}`;

    /** Starts an embedded part unless `variable` already points at a real endpoint, then points it there. */
    const embed = async <T extends { close(): Promise<void> }>(variable: string, label: string, start: () => Promise<T>, urlOf: (part: T) => string) => {
      if (env[variable]) return undefined;
      const part = await start();
      closers.push(() => part.close());
      env[variable] = urlOf(part);
      started.push(`${label.padEnd(22)}${urlOf(part)}`);
      return part;
    };
    const dynamo = await embed('AWS_ENDPOINT_URL_DYNAMODB', 'DynamoDB Local', startDynamoDbLocal, (part) => part.endpoint);
    const kms = await embed('AWS_ENDPOINT_URL_KMS', 'KMS emulator', startKmsEmulator, (part) => part.url);
    const graphApps: EmulatedApp[] = [
      // Like a real app's "Valid OAuth Redirect URIs": the dialog redirects to the callback only.
      { appId: env.FACEBOOK_APP_ID, appSecret: env.FACEBOOK_APP_SECRET ?? '', redirectUris: [callbackUrl(env.PUBLIC_BASE_URL.replace(/\/+$/, ''))] },
      ...(options.otherGraphApps ?? []),
    ];
    const graph = await embed(
      'GRAPH_API_URL',
      'Graph API emulator',
      () => startGraphEmulator({ apps: graphApps, latencyMs: options.graphLatencyMs ?? 0, port: options.graphEmulatorPort ?? 0 }),
      (part) => part.url,
    );
    if (graph) env.FACEBOOK_DIALOG_URL ??= graph.url;
    const secrets = await embed('AWS_ENDPOINT_URL_SECRETS_MANAGER', 'Secrets Manager emulator', () => startSecretsManagerEmulator({ region: env.AWS_REGION }), (part) => part.url);
    // The inventory checker, the only reader of the registered secrets, as the admin API invokes it in AWS.
    env.INVENTORY_CHECKER_FUNCTION ??= INVENTORY_CHECKER_FUNCTION;
    const checkerFunctions = {
      [env.INVENTORY_CHECKER_FUNCTION]: async () => ((await import('../functions/inventory-checker.ts')) as { handler: InvokableHandler }).handler,
    };
    const lambda = await embed('AWS_ENDPOINT_URL_LAMBDA', 'Lambda invoke (checker)', () => startLambdaInvokeEmulator(checkerFunctions), (part) => part.url);

    const dynamoClient = new DynamoDBClient({});
    const tableState = await ensureTable(dynamoClient, env.TABLE_NAME);
    dynamoClient.destroy();
    started.push(`DynamoDB table        ${env.TABLE_NAME} (${tableState})`);
    env.KMS_KEY_ID ??= await ensureKmsKey();
    started.push(`KMS key               ${env.KMS_KEY_ID}`);

    const boundRoutes = await bindRoutes(routes);
    const authorizer = ((await import(`../functions/${authorizerEntry}.ts`)) as { handler: AuthorizerHandler }).handler;
    // The same CORS the stack gives the HTTP API: web apps on RETURN_TO_ALLOWED_ORIGINS only.
    const corsOrigins = readConfig(webOriginsEnv).RETURN_TO_ALLOWED_ORIGINS;
    api.serve({
      routes: boundRoutes,
      authorizer,
      ...(corsOrigins.length > 0 ? { cors: { ...corsPolicy, allowOrigins: corsOrigins } } : {}),
      // The demo page at /, /v1/openapi.json and the /_local/facebook/* actions are local only: not routes of the deployed API.
      localRoutes: [
        ...(options.localRoutes ?? []),
        demoPageRoute(),
        openApiRoute(),
        ...facebookActionRoutes({ graph: () => graph, apiUrl: () => `http://${publicHost}:${api.port}`, appId: env.FACEBOOK_APP_ID, appSecret: env.FACEBOOK_APP_SECRET ?? '' }),
      ],
    });
    started.push(`Session Guard API     ${api.url}`);
    started.push(`Demo page             ${api.url}/`);

    // The admin API on its own port, as in AWS it is its own HTTP API with IAM authorization.
    const operatorKey: LocalOperatorKey = {
      ...DEFAULT_LOCAL_OPERATOR,
      accessKeyId: env.LOCAL_OPERATOR_ACCESS_KEY_ID ?? DEFAULT_LOCAL_OPERATOR.accessKeyId,
      secretAccessKey: env.LOCAL_OPERATOR_SECRET_ACCESS_KEY ?? DEFAULT_LOCAL_OPERATOR.secretAccessKey,
    };
    const adminApi = await startApiGateway({
      routes: await bindRoutes(adminRoutes),
      iam: sigV4Authenticator([operatorKey], env.AWS_REGION),
      port: options.adminPort ?? 0,
      ...(options.host ? { host: options.host } : {}),
    });
    closers.push(() => adminApi.close());
    started.push(`Admin API (SigV4)     ${adminApi.url}  key ${operatorKey.accessKeyId}`);

    return {
      url: api.url,
      api,
      adminUrl: adminApi.url,
      operatorKey,
      appId: env.FACEBOOK_APP_ID,
      appSecret: env.FACEBOOK_APP_SECRET ?? '',
      tableName: env.TABLE_NAME,
      kmsKeyId: env.KMS_KEY_ID,
      ...(graph ? { graph } : {}),
      ...(kms ? { kms } : {}),
      ...(secrets ? { secrets } : {}),
      ...(lambda ? { lambda } : {}),
      ...(dynamo ? { dynamo } : {}),
      started,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The handlers of a route table, imported as the Lambda runtime would (one module per entry). */
async function bindRoutes(table: readonly RouteDefinition[]): Promise<BoundRoute[]> {
  const bound: BoundRoute[] = [];
  for (const route of table) {
    const module = (await import(`../functions/${route.entry}.ts`)) as { handler: HttpHandler };
    bound.push({ ...route, handler: module.handler });
  }
  return bound;
}

/** The token key by its alias, created (with rotation on, as in AWS) when missing. */
async function ensureKmsKey(): Promise<string> {
  const kms = new KMSClient({});
  try {
    const existing = await kms.send(new DescribeKeyCommand({ KeyId: TOKEN_KEY_ALIAS }));
    return existing.KeyMetadata?.Arn ?? TOKEN_KEY_ALIAS;
  } catch (error) {
    if (!(error instanceof NotFoundException) && (error as Error).name !== 'NotFoundException') throw error;
  }
  const created = await kms.send(new CreateKeyCommand({ Description: 'Session Guard session-info tokens (local)' }));
  const keyId = created.KeyMetadata?.KeyId;
  if (!keyId) throw new Error('KMS created no key');
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  await kms.send(new CreateAliasCommand({ AliasName: TOKEN_KEY_ALIAS, TargetKeyId: keyId }));
  kms.destroy();
  return TOKEN_KEY_ALIAS;
}
