import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { readConfig } from '#commons/platform/config';
import { traced } from '#commons/platform/tracer';
import { inventoryCheckerEnv } from './inventory-config.ts';
import type { CheckerInvoker, CheckerRequest } from './ports.ts';

/**
 * Starts the checker and waits for its answer (`RequestResponse`): the admin functions may invoke
 * it, never read the secrets themselves. A failed run is reported by its error type only.
 */
export class LambdaCheckerInvoker implements CheckerInvoker {
  constructor(
    private readonly client: Pick<LambdaClient, 'send'>,
    private readonly functionName: string,
  ) {}

  async invoke(request: CheckerRequest): Promise<unknown> {
    const result = await this.client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(request)) }),
    );
    const text = result.Payload ? new TextDecoder().decode(result.Payload) : '';
    const payload: unknown = text === '' ? undefined : JSON.parse(text);
    // The checker answers refusals as results; an error here is its failure (a 500 for the operator).
    if (result.FunctionError) throw new Error(`the inventory checker failed: ${(payload as { errorType?: string } | undefined)?.errorType ?? result.FunctionError}`);
    return payload;
  }
}

/**
 * The checker's invoker for the two admin routes that start it (`check-now`, `revoke`), its
 * function name checked at cold start. Only they import this module, so only their bundles carry
 * the Lambda client.
 */
export function createCheckerInvoker(env: NodeJS.ProcessEnv = process.env): CheckerInvoker {
  return new LambdaCheckerInvoker(traced(new LambdaClient({})), readConfig(inventoryCheckerEnv, env).INVENTORY_CHECKER_FUNCTION);
}
