import * as z from 'zod';
import { signSignedRequest } from './signed-request-signer.ts';
import type { LocalRoute } from './api-gateway.ts';
import type { GraphEmulator } from '#local/emulators/graph';
import { EmulatorUsageError } from '#local/emulators/graph-tokens';
import { answerLocal, LocalRouteError, parseLocalJson } from './local-json.ts';

/**
 * What Facebook does when a person acts in their Facebook settings, on one machine (local only,
 * never deployed). Facebook's own state changes first, then it posts the signed callback; these
 * routes do both, so the Graph emulator and Session Guard never disagree:
 *
 * - `POST /_local/facebook/deauthorize {facebookUserId}`: the person removed the app. From now on
 *   every token of theirs for this app answers code 190, subcode 458 (so the same session-info
 *   token cannot sign in again), then `POST /v1/facebook/deauthorize` gets a `signed_request`.
 * - `POST /_local/facebook/data-deletion {facebookUserId, keepApp?}`: the person asked Facebook to
 *   have their data deleted. Facebook offers that when the person removes the app, so the app is
 *   removed as above unless `keepApp` (Facebook also sends the request when a person only takes
 *   back part of their data, e.g. their e-mail, and the app stays); then
 *   `POST /v1/facebook/data-deletion` gets a `signed_request` carrying `expires`, as Facebook's does.
 *
 * Both answer `200 {"facebook": {...what changed}, "callback": {"route", "status", "body"}}`; the
 * callback's own answer is inside, whatever it was. `local/sign-request.ts` only signs: it is for
 * crafting requests Facebook would not send (a stale `issued_at`, another user).
 */
export interface FacebookActionsDeps {
  /** The stack's Graph emulator; undefined while starting, or when a real Graph API is used. */
  graph(): Pick<GraphEmulator, 'endFacebookSession'> | undefined;
  /** Where the API listens (the callbacks are posted there, over HTTP, as Facebook would). */
  apiUrl(): string;
  readonly appId: string;
  /** Empty when the app secret lives in Secrets Manager: nothing can be signed then. */
  readonly appSecret: string;
}

const facebookUserId = z.string().regex(/^\d{1,32}$/, 'must be the app-scoped Facebook user id (digits)');
const schemas = {
  deauthorize: z.strictObject({ facebookUserId }),
  'data-deletion': z.strictObject({ facebookUserId, keepApp: z.boolean().optional() }),
};
type Action = keyof typeof schemas;

/** How long Facebook's data-deletion `expires` lies ahead: the value is a guess; the callback ignores it. */
const DELETION_EXPIRES_SECONDS = 3600;

export function facebookActionRoutes(deps: FacebookActionsDeps): LocalRoute[] {
  const removeApp = (userId: string): void => {
    const graph = deps.graph();
    if (!graph) throw new LocalRouteError(409, 'not_available', 'This stack talks to a real Graph API: only Facebook can remove the app there.');
    try {
      graph.endFacebookSession(userId, 'app_removed', deps.appId);
    } catch (error) {
      if (error instanceof EmulatorUsageError) throw new LocalRouteError(404, 'not_found', error.message);
      throw error;
    }
  };

  const postCallback = async (action: Action, payload: Record<string, unknown>) => {
    if (!deps.appSecret) throw new LocalRouteError(409, 'not_available', 'The app secret is in Secrets Manager: the local stack cannot sign as Facebook.');
    const route = `/v1/facebook/${action}`;
    const response = await fetch(`${deps.apiUrl()}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ signed_request: signSignedRequest(payload, deps.appSecret) }),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: shown as sent
    }
    return { route: `POST ${route}`, status: response.status, body };
  };

  const route = (action: Action, hint: string, act: (input: { facebookUserId: string; keepApp?: boolean }) => Promise<unknown>): LocalRoute => ({
    method: 'POST',
    path: `/_local/facebook/${action}`,
    handle: (request, response, body) => answerLocal(response, async () => ({ status: 200, body: await act(parseLocalJson(request, body, schemas[action], hint)) })),
  });

  return [
    route('deauthorize', 'Send {"facebookUserId": "<digits>"}.', async (input) => {
      removeApp(input.facebookUserId);
      const callback = await postCallback('deauthorize', { user_id: input.facebookUserId });
      return { facebook: { facebookUserId: input.facebookUserId, appRemoved: true }, callback };
    }),
    route('data-deletion', 'Send {"facebookUserId": "<digits>", "keepApp"?: true}.', async (input) => {
      const appRemoved = input.keepApp !== true;
      if (appRemoved) removeApp(input.facebookUserId);
      const issuedAt = Math.floor(Date.now() / 1000);
      const callback = await postCallback('data-deletion', { user_id: input.facebookUserId, issued_at: issuedAt, expires: issuedAt + DELETION_EXPIRES_SECONDS });
      return { facebook: { facebookUserId: input.facebookUserId, appRemoved }, callback };
    }),
  ];
}
