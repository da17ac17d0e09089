import { performance } from 'node:perf_hooks';
import { logger } from '#commons/platform/logger';
import { count, countBy, measure, MetricName, type MetricsSink, metrics } from '#commons/platform/metrics';
import { tracer } from '#commons/platform/tracer';
import { parseAppUsage } from './graph-transport.ts';

/**
 * Wraps the `fetch` the Graph client uses so every Graph request is measured and traced in one
 * place: `GraphLatency`, `GraphErrors`/`GraphErrorsByCode`, `GraphAppUsagePercent` and, when
 * Facebook refuses our own credentials, `Misconfigured` (functions/commons/platform/metrics.ts).
 * The X-Ray subsegment and the metrics name the operation (`debug_token`, `batch`,
 * `oauth/access_token`) and never the URL: its query string holds tokens and our app token.
 */
export function instrumentGraphFetch(base: typeof fetch = fetch, sink: MetricsSink = metrics): typeof fetch {
  return async (input, init) => {
    const operation = graphOperation(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const subsegment = tracer.startSubsegment(`Graph ${operation}`);
    subsegment?.addAnnotation('graphOperation', operation);
    const started = performance.now();
    const finish = (status: number | undefined, errorCode?: string) => {
      const durationMs = Math.round(performance.now() - started);
      measure(MetricName.GraphLatency, 'Milliseconds', durationMs, sink);
      // One line per request (a batch counts once): the "slowest Graph calls" saved query reads it.
      logger.info('graph call', { graphOperation: operation, status, durationMs, ...(errorCode !== undefined ? { errorCode } : {}) });
      if (errorCode !== undefined) recordGraphError(errorCode, sink);
    };
    try {
      const response = await base(input, init);
      const usage = parseAppUsage(response.headers.get('x-app-usage'));
      if (usage !== undefined) measure(MetricName.GraphAppUsagePercent, 'Percent', usage, sink);
      subsegment?.addAnnotation('status', response.status);
      subsegment?.flagStatus(response.status);
      if (response.ok) {
        finish(response.status);
      } else {
        const code = await errorCodeOf(response);
        finish(response.status, code === undefined ? `http_${response.status}` : String(code));
        if (refusesOurCredentials(operation, response.status, code)) count(MetricName.Misconfigured, 1, sink);
      }
      return response;
    } catch (error) {
      finish(undefined, error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? 'timeout' : 'network');
      subsegment?.addError(new Error(error instanceof Error ? error.name : 'graph request failed'), true);
      throw error;
    } finally {
      subsegment?.close();
    }
  };
}

/** `https://graph.facebook.com/v21.0/debug_token?...` → `debug_token`; the batch endpoint `/` → `batch`. */
export function graphOperation(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return 'unknown';
  }
  const withoutVersion = path.replace(/^\/v\d+\.\d+/, '').replace(/^\/+|\/+$/g, '');
  if (withoutVersion === '') return 'batch';
  // Ids (users, apps) are not operations: keep the graph edge names only.
  return withoutVersion
    .split('/')
    .map((part) => (/^\d+$/.test(part) ? '{id}' : part))
    .join('/');
}

/**
 * Answers that mean Facebook refuses *our* app credentials, never a person's token: a wrong app
 * secret at `/oauth/access_token` (HTTP 400, code 1), an unknown app id (101), a redirect URI the
 * app does not list (191), and 190 where the access token is our app token (debug_token, batch).
 * docs/facebook-graph.md describes these answers.
 */
export function refusesOurCredentials(operation: string, status: number, code: number | undefined): boolean {
  if (status >= 500 || code === undefined) return false;
  if (code === 101 || code === 191) return true;
  if (code === 1) return operation.startsWith('oauth/');
  if (code === 190) return operation === 'debug_token' || operation === 'batch';
  return false;
}

function recordGraphError(code: string, sink: MetricsSink): void {
  count(MetricName.GraphErrors, 1, sink);
  countBy(MetricName.GraphErrorsByCode, 'code', code, 1, sink);
}

async function errorCodeOf(response: Response): Promise<number | undefined> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'number' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}
