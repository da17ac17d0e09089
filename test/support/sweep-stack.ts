import { createLocalSweep, type LocalSweep, type LocalSweepOptions, type SweepSummary } from '#local/sweep';
import type { LocalStackOptions } from '#local/stack';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * A test stack with the local sweep wired in exactly as `npm start` does it (its route on the API,
 * started after the stack), plus helpers for sessions and sweeps.
 */
export interface SweepTestStack extends TestStack {
  readonly sweep: LocalSweep;
  /** `POST /_local/revalidate`, asserted to answer 200. */
  revalidate(): Promise<SweepSummary>;
  /** A new Facebook test user, signed in: their session token, ids and Facebook id. */
  signInNewPerson(name?: string): Promise<{ facebookUserId: string; sessionInfoToken: string; sessionToken: string; sessionId: string; userId: string }>;
}

export async function startSweepTestStack(options: LocalStackOptions & { sweep?: LocalSweepOptions } = {}): Promise<SweepTestStack> {
  const { sweep: sweepOptions, ...stackOptions } = options;
  const sweep = createLocalSweep({ log: () => undefined, ...sweepOptions });
  const stack = await startTestStack({ ...stackOptions, localRoutes: [...(stackOptions.localRoutes ?? []), sweep.route] });
  try {
    await sweep.start();
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    ...stack,
    sweep,
    async revalidate() {
      const response = await stack.request('POST', '/_local/revalidate');
      if (response.status !== 200) throw new Error(`POST /_local/revalidate answered ${response.status}: ${response.text}`);
      return response.json as SweepSummary;
    },
    async signInNewPerson(name = 'Test Person') {
      const graph = stack.graphEmulator();
      const user = graph.createTestUser(stack.appId, { name });
      const sessionInfoToken = graph.mintSessionInfoToken(stack.appId, user.id);
      const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken } });
      if (response.status !== 201) throw new Error(`sign-in answered ${response.status}: ${response.text}`);
      const sessionToken = response.json.sessionToken as string;
      return { facebookUserId: user.id, sessionInfoToken, sessionToken, sessionId: sessionToken.split('.')[1]!, userId: response.json.user.id as string };
    },
    async close() {
      await sweep.close();
      await stack.close();
    },
  };
}
