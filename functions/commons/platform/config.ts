import * as z from 'zod';
import {
  APP_SECRET_ARN_PREFIX,
  APP_SECRET_SOURCE_RULE,
  areFacebookScopes,
  BARE_URL_RULE,
  DEFAULT_FACEBOOK_SCOPES,
  DEFAULT_GRAPH_API_VERSION,
  DEFAULT_AUDIT_RETENTION_DAYS,
  DEFAULT_REVOCATION_RETENTION_DAYS,
  DEFAULT_SESSION_MAX_AGE_SECONDS,
  FACEBOOK_APP_ID,
  FACEBOOK_APP_ID_RULE,
  FACEBOOK_SCOPES_RULE,
  GRAPH_API_VERSION,
  hasOneAppSecretSource,
  isBareUrl,
  isExactOrigin,
  isSecureWebUrl,
  LOCAL_URLS,
  SECURE_WEB_URL_RULE,
  splitList,
} from './config-rules.ts';

/**
 * Environment, checked once at cold start. Each Lambda entry reads only the sections it needs, so a
 * function is never handed a setting (or a permission) it has no use for. The rules themselves live
 * in `config-rules.ts`, which the CDK app checks at synth too.
 */
const positiveInt = z.coerce.number().int().positive();

export const storeEnv = z.object({
  TABLE_NAME: z.string().min(1),
});

export const vaultEnv = z.object({
  /** Key id, ARN or alias of the customer-managed key that wraps the data keys. */
  KMS_KEY_ID: z.string().min(1),
});

const facebookAppId = z.string().regex(FACEBOOK_APP_ID, FACEBOOK_APP_ID_RULE);
const graphApiVersion = z.string().regex(GRAPH_API_VERSION).default(DEFAULT_GRAPH_API_VERSION);

/**
 * Only the app secret: the Facebook callbacks verify `signed_request` with it and call nothing.
 * Locally the secret itself; in AWS only the ARN of the Secrets Manager secret that holds it.
 */
export const appSecretEnv = z
  .object({
    FACEBOOK_APP_SECRET: z.string().min(1).optional(),
    FACEBOOK_APP_SECRET_ARN: z.string().startsWith(APP_SECRET_ARN_PREFIX).optional(),
  })
  .refine(hasOneAppSecretSource, { message: APP_SECRET_SOURCE_RULE, path: ['FACEBOOK_APP_SECRET'] });

/** Facebook's two callbacks: the secret that verifies `signed_request`, and how old one may be. */
export const callbackEnv = appSecretEnv.and(
  z.object({
    /**
     * Oldest `issued_at` a callback accepts. Our own choice (no public source states a limit): it
     * bounds how long a captured request can be replayed. A day by default.
     */
    SIGNED_REQUEST_MAX_AGE_SECONDS: positiveInt.max(30 * 86_400).default(86_400),
  }),
);

/** Calling the Graph API as the app: its id, its secret, and where and how Graph is reached. */
export const facebookEnv = z
  .object({
    FACEBOOK_APP_ID: facebookAppId,
    GRAPH_API_URL: z.url().default('https://graph.facebook.com'),
    GRAPH_API_VERSION: graphApiVersion,
    GRAPH_TIMEOUT_MS: positiveInt.default(3000),
  })
  .and(appSecretEnv);

export const sessionEnv = z.object({
  /** Absolute session lifetime; a session never outlives its Facebook session-info token either. */
  SESSION_MAX_AGE_SECONDS: positiveInt.default(DEFAULT_SESSION_MAX_AGE_SECONDS),
  /** Live sessions one person may hold; signing in beyond it ends the oldest (`replaced`). */
  MAX_LIVE_SESSIONS_PER_PERSON: positiveInt.max(1000).default(25),
});

/** Re-authentication (POST /v1/reauth/start): how long an issued auth_nonce may be used. */
export const reauthEnv = z.object({
  REAUTH_NONCE_TTL_SECONDS: positiveInt.max(3600).default(600),
});

export const revocationEnv = z.object({
  /** How long a revocation record is kept for audit. */
  REVOCATION_RETENTION_DAYS: positiveInt.default(DEFAULT_REVOCATION_RETENTION_DAYS),
});

/** The stream consumer's destination: the name (or ARN) of the Session Guard event bus. */
export const eventBusEnv = z.object({
  EVENT_BUS_NAME: z.string().min(1),
});

/** How long the audit record of an admin action is kept. */
export const auditEnv = z.object({
  AUDIT_RETENTION_DAYS: positiveInt.default(DEFAULT_AUDIT_RETENTION_DAYS),
});

/** The queue of sweep shares (dispatcher and worker): in AWS the SQS queue URL. */
export const sweepQueueEnv = z.object({
  SWEEP_QUEUE_URL: z.url(),
});

const percent = z.coerce.number().min(0).max(100);

/** How the revalidation worker paces itself (see functions/commons/revalidation/revalidation.ts). */
export const sweepWorkerEnv = z
  .object({
    /** Sessions per page of the sweep index. */
    SWEEP_PAGE_SIZE: positiveInt.max(1000).default(500),
    /** Pages' worth of sessions (x SWEEP_PAGE_SIZE) one run reads before queuing a continuation for the rest of its share. */
    SWEEP_MAX_PAGES_PER_RUN: positiveInt.default(40),
    /** Graph batch requests (of up to 50 tokens) in flight at once per share. */
    SWEEP_BATCH_CONCURRENCY: positiveInt.max(20).default(4),
    /** Time left in a run below which no new page is started (the rest goes to a continuation). */
    SWEEP_TIME_RESERVE_SECONDS: positiveInt.default(30),
    /** Sessions a run reads before it hands the shards it has not started to shares of their own. */
    SWEEP_SHARE_TARGET_SESSIONS: positiveInt.default(2_000),
    /** Per Graph request of the sweep: a batch of 50 checks takes longer than one sign-in check. */
    SWEEP_GRAPH_TIMEOUT_MS: positiveInt.max(60_000).default(10_000),
    /** From this X-App-Usage percent the sweep pauses before each Graph batch. */
    APP_USAGE_SLOWDOWN_PERCENT: percent.default(60),
    /** From this X-App-Usage percent the sweep stops and leaves the rest for the next run. */
    APP_USAGE_STOP_PERCENT: percent.default(80),
    /** A sweep that would revoke more than this percent of what it checked stops revoking (the guard). */
    MASS_REVOCATION_MAX_PERCENT: percent.default(20),
    /** …once it would revoke at least this many sessions: small sweeps are never held. */
    MASS_REVOCATION_MIN_SESSIONS: positiveInt.default(100),
    /** The SSM parameter an operator sets to lift the guard (an ISO time, or `off`); unset locally. */
    MASS_REVOCATION_OVERRIDE_PARAMETER: z.string().min(1).optional(),
    /** The pause in the slow-down band. */
    APP_USAGE_SLOWDOWN_PAUSE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
    /** A failed share comes back after this many seconds, doubling with each receive… */
    SWEEP_RETRY_BASE_SECONDS: positiveInt.max(43_200).default(30),
    /** …up to this (SQS allows at most 12 hours). */
    SWEEP_RETRY_MAX_SECONDS: positiveInt.max(43_200).default(900),
  })
  .refine((env) => env.APP_USAGE_SLOWDOWN_PERCENT <= env.APP_USAGE_STOP_PERCENT, {
    message: 'must not exceed APP_USAGE_STOP_PERCENT',
    path: ['APP_USAGE_SLOWDOWN_PERCENT'],
  })
  .refine((env) => env.SWEEP_RETRY_BASE_SECONDS <= env.SWEEP_RETRY_MAX_SECONDS, {
    message: 'must not exceed SWEEP_RETRY_MAX_SECONDS',
    path: ['SWEEP_RETRY_BASE_SECONDS'],
  });

/** Where the service is reachable from the internet: https, or http on a loopback host (local stack). */
const publicBaseUrl = z
  .url()
  .refine((value) => isSecureWebUrl(value, LOCAL_URLS), SECURE_WEB_URL_RULE)
  .refine(isBareUrl, BARE_URL_RULE)
  .transform((value) => value.replace(/\/+$/, ''));

export const dataDeletionEnv = z.object({
  /** Base of the status-page URL handed to Facebook (the API URL, or its custom domain). */
  PUBLIC_BASE_URL: publicBaseUrl,
  /** How long the anonymous deletion record (and so its status page) is kept. */
  DATA_DELETION_RECORD_RETENTION_DAYS: positiveInt.default(90),
});

/** Origins (`https://app.example.com`), comma-separated: exact, no path, no trailing slash. */
const originList = z
  .string()
  .default('')
  .transform(splitList)
  .refine(
    (origins) => origins.every((origin) => isExactOrigin(origin, LOCAL_URLS)),
    'must be exact origins like https://app.example.com (https; http only on localhost), comma-separated',
  );

/**
 * Browser sessions (the `sg_session` cookie). PUBLIC_BASE_URL decides the cookie names and
 * whether they are Secure (https: `__Host-` names; http on loopback: plain names), and with
 * RETURN_TO_ALLOWED_ORIGINS which origins may send cookie-authenticated requests that change state.
 */
export const webOriginsEnv = z.object({
  PUBLIC_BASE_URL: publicBaseUrl,
  /** Origins other than PUBLIC_BASE_URL's that sign-in may return to and that may use the cookie. */
  RETURN_TO_ALLOWED_ORIGINS: originList,
});

/** Facebook's login dialog, as the web sign-in start sends the browser to it. No app secret. */
export const facebookDialogEnv = z.object({
  FACEBOOK_APP_ID: facebookAppId,
  GRAPH_API_VERSION: graphApiVersion,
  /** Origin of the login dialog (`{origin}/{version}/dialog/oauth`). */
  FACEBOOK_DIALOG_URL: z
    .url()
    .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
    .default('https://www.facebook.com')
    .transform((value) => value.replace(/\/+$/, '')),
  /** Permissions the dialog asks for, comma-separated. */
  FACEBOOK_SCOPES: z.string().default(DEFAULT_FACEBOOK_SCOPES.join(',')).transform(splitList).refine(areFacebookScopes, FACEBOOK_SCOPES_RULE),
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` against `schema`; a missing or bad variable fails with its name. */
export function readConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}
