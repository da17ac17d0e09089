import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SIGN_IN_ENTRIES } from './route-budgets.ts';
import type { SessionGuardFunction } from './session-guard-function.ts';

/** What to replace in the "why was this person logged out" query before running it. */
export const PERSON_PLACEHOLDER = 'PUT_USER_OR_FACEBOOK_ID_HERE';

/**
 * The saved Logs Insights queries the runbook names, built on the log lines the functions write
 * (Powertools JSON: `message` plus ids, codes and counts, never a token). Saved queries cannot take
 * parameters, so the first one has a placeholder to replace.
 */
export const QUERIES = {
  whyLoggedOut: {
    name: 'Why was this person logged out',
    entries: ['create-session', 'web-login-callback', 'facebook-deauthorize', 'revalidation-worker', 'delete-current-session'],
    query: [
      'fields @timestamp, message, reason, userId, facebookUserId, sessionId, sweepId, via, revoked',
      `| filter userId = "${PERSON_PLACEHOLDER}" or facebookUserId = "${PERSON_PLACEHOLDER}"`,
      '| filter message in ["session created", "session revoked", "app removed on Facebook"]',
      '| sort @timestamp desc',
      '| limit 200',
    ],
  },
  signInFailures: {
    name: 'Sign-in failures in the last hour, by code',
    entries: [...SIGN_IN_ENTRIES],
    query: [
      'fields coalesce(errorCode, "internal_error") as code',
      '| filter message in ["request refused", "unexpected failure"]',
      '| stats count(*) as failures by code, route',
      '| sort failures desc',
    ],
  },
  slowestGraphCalls: {
    name: 'Slowest Graph calls',
    entries: ['create-session', 'web-login-callback', 'revalidation-worker'],
    query: [
      'fields @timestamp, graphOperation, durationMs, status, errorCode, @log',
      '| filter message = "graph call"',
      '| sort durationMs desc',
      '| limit 50',
    ],
  },
  lastSweep: {
    name: 'What did the last sweep do',
    entries: ['revalidation-dispatcher', 'revalidation-worker'],
    query: [
      'filter message in ["sweep dispatched", "share checked", "share failed"]',
      '| stats min(@timestamp) as started, max(@timestamp) as lastActivity, sum(shares) as sharesQueued, sum(checked) as checked, sum(valid) as valid, sum(revoked) as revoked, sum(deferred) as deferred, sum(errors) as errors, sum(strcontains(message, "share failed")) as sharesFailed by sweepId',
      '| sort started desc',
      '| limit 5',
    ],
  },
} as const;

export interface LogQueriesProps {
  readonly functions: ReadonlyMap<string, SessionGuardFunction>;
  /** Folder the queries are saved under in the console (the stack name). */
  readonly prefix: string;
}

export class LogQueries extends Construct {
  readonly definitions = new Map<keyof typeof QUERIES, logs.QueryDefinition>();

  constructor(scope: Construct, id: string, props: LogQueriesProps) {
    super(scope, id);
    for (const [key, spec] of Object.entries(QUERIES) as [keyof typeof QUERIES, (typeof QUERIES)[keyof typeof QUERIES]][]) {
      const logGroups = spec.entries.flatMap((entry) => {
        const fn = props.functions.get(entry);
        return fn ? [fn.logGroup] : [];
      });
      this.definitions.set(
        key,
        new logs.QueryDefinition(this, key, {
          queryDefinitionName: `${props.prefix}/${spec.name}`,
          queryString: new WrittenQuery(spec.query.join('\n')),
          logGroups,
        }),
      );
    }
  }
}

/** `QueryString` builds a query from parts; ours are written whole, one clause a line. */
class WrittenQuery extends logs.QueryString {
  constructor(private readonly text: string) {
    super();
  }

  override toString(): string {
    return this.text;
  }
}
