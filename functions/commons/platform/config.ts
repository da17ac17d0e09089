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
import * as z from './zod.ts';

/**
 * Environment, checked once at cold start. Each Lambda entry reads only the sections it needs, so a
 * function is never handed a setting (or a permission) it has no use for. The rules themselves live
 * in `config-rules.ts`, which the CDK app checks at synth too.
 */
const positiveInt = z.coerce.number().check(z.int(), z.positive());

const nonEmpty = z.string().check(z.minLength(1));

export const storeEnv = z.object({
  TABLE_NAME: nonEmpty,
});

export const vaultEnv = z.object({
  /** Key id, ARN or alias of the customer-managed key that wraps the data keys. */
  KMS_KEY_ID: nonEmpty,
});

const facebookAppId = z.string().check(z.regex(FACEBOOK_APP_ID, FACEBOOK_APP_ID_RULE));
const graphApiVersion = z._default(z.string().check(z.regex(GRAPH_API_VERSION)), DEFAULT_GRAPH_API_VERSION);

/**
 * Only the app secret: the Facebook callbacks verify `signed_request` with it and call nothing.
 * Locally the secret itself; in AWS only the ARN of the Secrets Manager secret that holds it.
 */
export const appSecretEnv = z
  .object({
    FACEBOOK_APP_SECRET: z.optional(nonEmpty),
    FACEBOOK_APP_SECRET_ARN: z.optional(z.string().check(z.startsWith(APP_SECRET_ARN_PREFIX))),
  })
  .check(z.refine(hasOneAppSecretSource, { message: APP_SECRET_SOURCE_RULE, path: ['FACEBOOK_APP_SECRET'] }));

/** Facebook's two callbacks: the secret that verifies `signed_request`, and how old one may be. */
export const callbackEnv = z.intersection(
  appSecretEnv,
  z.object({
    /**
     * Oldest `issued_at` a callback accepts. Our own choice (no public source states a limit): it
     * bounds how long a captured request can be replayed. A day by default.
     */
    SIGNED_REQUEST_MAX_AGE_SECONDS: z._default(positiveInt.check(z.lte(30 * 86_400)), 86_400),
  }),
);

/** Calling the Graph API as the app: its id, its secret, and where and how Graph is reached. */
export const facebookEnv = z.intersection(
  z.object({
    FACEBOOK_APP_ID: facebookAppId,
    GRAPH_API_URL: z._default(z.url(), 'https://graph.facebook.com'),
    GRAPH_API_VERSION: graphApiVersion,
    GRAPH_TIMEOUT_MS: z._default(positiveInt, 3000),
  }),
  appSecretEnv,
);

export const sessionEnv = z.object({
  /** Absolute session lifetime; a session never outlives its Facebook session-info token either. */
  SESSION_MAX_AGE_SECONDS: z._default(positiveInt, DEFAULT_SESSION_MAX_AGE_SECONDS),
  /** Live sessions one person may hold; signing in beyond it ends the oldest (`replaced`). */
  MAX_LIVE_SESSIONS_PER_PERSON: z._default(positiveInt.check(z.lte(1000)), 25),
});

/** Re-authentication (POST /v1/reauth/start): how long an issued auth_nonce may be used. */
export const reauthEnv = z.object({
  REAUTH_NONCE_TTL_SECONDS: z._default(positiveInt.check(z.lte(3600)), 600),
});

export const revocationEnv = z.object({
  /** How long a revocation record is kept for audit. */
  REVOCATION_RETENTION_DAYS: z._default(positiveInt, DEFAULT_REVOCATION_RETENTION_DAYS),
});

/** The stream consumer's destination: the name (or ARN) of the Session Guard event bus. */
export const eventBusEnv = z.object({
  EVENT_BUS_NAME: nonEmpty,
});

/** How long the audit record of an admin action is kept. */
export const auditEnv = z.object({
  AUDIT_RETENTION_DAYS: z._default(positiveInt, DEFAULT_AUDIT_RETENTION_DAYS),
});

/** The queue of sweep shares (dispatcher and worker): in AWS the SQS queue URL. */
export const sweepQueueEnv = z.object({
  SWEEP_QUEUE_URL: z.url(),
});

const percent = z.coerce.number().check(z.gte(0), z.lte(100));

/** How the revalidation worker paces itself (see functions/commons/revalidation/revalidation.ts). */
export const sweepWorkerEnv = z
  .object({
    /** Sessions per page of the sweep index. */
    SWEEP_PAGE_SIZE: z._default(positiveInt.check(z.lte(1000)), 500),
    /** Pages' worth of sessions (x SWEEP_PAGE_SIZE) one run reads before queuing a continuation for the rest of its share. */
    SWEEP_MAX_PAGES_PER_RUN: z._default(positiveInt, 40),
    /** Graph batch requests (of up to 50 tokens) in flight at once per share. */
    SWEEP_BATCH_CONCURRENCY: z._default(positiveInt.check(z.lte(20)), 4),
    /** Time left in a run below which no new page is started (the rest goes to a continuation). */
    SWEEP_TIME_RESERVE_SECONDS: z._default(positiveInt, 30),
    /** Sessions a run reads before it hands the shards it has not started to shares of their own. */
    SWEEP_SHARE_TARGET_SESSIONS: z._default(positiveInt, 2_000),
    /** Per Graph request of the sweep: a batch of 50 checks takes longer than one sign-in check. */
    SWEEP_GRAPH_TIMEOUT_MS: z._default(positiveInt.check(z.lte(60_000)), 10_000),
    /** From this X-App-Usage percent the sweep pauses before each Graph batch. */
    APP_USAGE_SLOWDOWN_PERCENT: z._default(percent, 60),
    /** From this X-App-Usage percent the sweep stops and leaves the rest for the next run. */
    APP_USAGE_STOP_PERCENT: z._default(percent, 80),
    /** A sweep that would revoke more than this percent of what it checked stops revoking (the guard). */
    MASS_REVOCATION_MAX_PERCENT: z._default(percent, 20),
    /** …once it would revoke at least this many sessions: small sweeps are never held. */
    MASS_REVOCATION_MIN_SESSIONS: z._default(positiveInt, 100),
    /** The SSM parameter an operator sets to lift the guard (an ISO time, or `off`); unset locally. */
    MASS_REVOCATION_OVERRIDE_PARAMETER: z.optional(nonEmpty),
    /** The pause in the slow-down band. */
    APP_USAGE_SLOWDOWN_PAUSE_MS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(60_000)), 2000),
    /** A failed share comes back after this many seconds, doubling with each receive… */
    SWEEP_RETRY_BASE_SECONDS: z._default(positiveInt.check(z.lte(43_200)), 30),
    /** …up to this (SQS allows at most 12 hours). */
    SWEEP_RETRY_MAX_SECONDS: z._default(positiveInt.check(z.lte(43_200)), 900),
  })
  .check(
    z.refine((env) => env.APP_USAGE_SLOWDOWN_PERCENT <= env.APP_USAGE_STOP_PERCENT, {
      message: 'must not exceed APP_USAGE_STOP_PERCENT',
      path: ['APP_USAGE_SLOWDOWN_PERCENT'],
    }),
    z.refine((env) => env.SWEEP_RETRY_BASE_SECONDS <= env.SWEEP_RETRY_MAX_SECONDS, {
      message: 'must not exceed SWEEP_RETRY_MAX_SECONDS',
      path: ['SWEEP_RETRY_BASE_SECONDS'],
    }),
  );

/** Where the service is reachable from the internet: https, or http on a loopback host (local stack). */
const publicBaseUrl = z.pipe(
  z.url().check(
    z.refine((value) => isSecureWebUrl(value, LOCAL_URLS), SECURE_WEB_URL_RULE),
    z.refine(isBareUrl, BARE_URL_RULE),
  ),
  z.transform((value: string) => value.replace(/\/+$/, '')),
);

export const dataDeletionEnv = z.object({
  /** Base of the status-page URL handed to Facebook (the API URL, or its custom domain). */
  PUBLIC_BASE_URL: publicBaseUrl,
  /** How long the anonymous deletion record (and so its status page) is kept. */
  DATA_DELETION_RECORD_RETENTION_DAYS: z._default(positiveInt, 90),
});

/** Origins (`https://app.example.com`), comma-separated: exact, no path, no trailing slash. */
const originList = z
  .pipe(z._default(z.string(), ''), z.transform(splitList))
  .check(
    z.refine(
      (origins) => origins.every((origin) => isExactOrigin(origin, LOCAL_URLS)),
      'must be exact origins like https://app.example.com (https; http only on localhost), comma-separated',
    ),
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
  FACEBOOK_DIALOG_URL: z.pipe(
    z._default(
      z.url().check(z.refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')),
      'https://www.facebook.com',
    ),
    z.transform((value: string) => value.replace(/\/+$/, '')),
  ),
  /** Permissions the dialog asks for, comma-separated. */
  FACEBOOK_SCOPES: z
    .pipe(z._default(z.string(), DEFAULT_FACEBOOK_SCOPES.join(',')), z.transform(splitList))
    .check(z.refine(areFacebookScopes, FACEBOOK_SCOPES_RULE)),
});

/** Sections read together, left to right, as `a.and(b).and(c)` would: each function names the ones it needs. */
type AllOf<T extends readonly z.core.$ZodType[]> = T extends readonly [...infer Init extends z.core.$ZodType[], infer Last extends z.core.$ZodType]
  ? Init extends []
    ? Last
    : z.ZodMiniIntersection<AllOf<Init>, Last>
  : never;

export function envOf<const T extends readonly [z.core.$ZodType, ...z.core.$ZodType[]]>(...sections: T): AllOf<T> {
  return sections.reduce((left, right) => z.intersection(left, right)) as AllOf<T>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` against `schema`; a missing or bad variable fails with its name. */
export function readConfig<S extends z.core.$ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = z.safeParse(schema, env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}
