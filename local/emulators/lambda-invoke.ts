/**
 * A stand-in for Lambda's `Invoke` API (`POST /2015-03-31/functions/{name}/invocations`, REST-JSON)
 * for the functions the local stack runs in-process: the admin API's `check-now` and `revoke`
 * start the inventory checker through the real Lambda client (`AWS_ENDPOINT_URL_LAMBDA`), as in
 * AWS. A handler that throws answers 200 with `X-Amz-Function-Error: Unhandled`, as Lambda does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';

export type InvokableHandler = (event: unknown) => Promise<unknown>;

export interface LambdaInvokeEmulator {
  readonly url: string;
  invocations(name: string): number;
  close(): Promise<void>;
}

export async function startLambdaInvokeEmulator(functions: Readonly<Record<string, () => Promise<InvokableHandler>>>): Promise<LambdaInvokeEmulator> {
  const counts = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const name = decodeURIComponent(/^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '')?.[1] ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const load = functions[name];
    if (req.method !== 'POST' || !load) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' }).end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
      return;
    }
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const raw = Buffer.concat(chunks).toString('utf8');
    try {
      const result = await (await load())(raw === '' ? {} : JSON.parse(raw));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify({ errorType: failure.name, errorMessage: failure.message }));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations: (name) => counts.get(name) ?? 0,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
