import type * as z from '#commons/platform/zod';
import type { facebookEnv } from '#commons/platform/config';
import { AccessTokenInfoClient } from './access-token-info.ts';
import { DebugTokenClient } from './debug-token.ts';
import { FacebookOAuthClient } from './facebook-oauth.ts';
import { GraphBatchChecker, type GraphBatchCheckerOptions } from './graph-batch.ts';
import { HttpGraphTransport } from './graph-transport.ts';
import { instrumentGraphFetch } from './graph-telemetry.ts';

/**
 * Everything that speaks to Facebook, for our app, built on one transport: `debug_token` and the
 * access-token probe, the batch checker, the OAuth exchanges. The sign-in functions and the sweep
 * worker build it here and nowhere else.
 */
export interface FacebookGraph {
  readonly tokens: DebugTokenClient;
  readonly oauth: FacebookOAuthClient;
  /** `/oauth/access_token_info`: which auth_nonce a login's token carries (re-authentication). */
  readonly loginTokens: AccessTokenInfoClient;
  /** The raw calls, for what has no client of its own (the inventory's `DELETE /{user-id}/permissions`). */
  readonly transport: HttpGraphTransport;
  batchChecker(options?: GraphBatchCheckerOptions): GraphBatchChecker;
}

/** `timeoutMs` overrides GRAPH_TIMEOUT_MS (the sweep's batches need longer). */
export function createGraphClient(config: z.output<typeof facebookEnv>, appSecret: string, timeoutMs = config.GRAPH_TIMEOUT_MS): FacebookGraph {
  const transport = new HttpGraphTransport({
    baseUrl: config.GRAPH_API_URL,
    version: config.GRAPH_API_VERSION,
    appId: config.FACEBOOK_APP_ID,
    appSecret,
    timeoutMs,
    // Metrics and X-Ray for every Graph request (graph-telemetry.ts).
    fetch: instrumentGraphFetch(),
  });
  const tokens = new DebugTokenClient(transport);
  return {
    tokens,
    oauth: new FacebookOAuthClient(transport),
    loginTokens: new AccessTokenInfoClient(transport),
    transport,
    batchChecker: (options) => new GraphBatchChecker(transport, tokens, options),
  };
}
