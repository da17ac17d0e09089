import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Counts what DynamoDB calls cost: every call made through an attached client asks for
 * `ReturnConsumedCapacity: TOTAL` and adds the units DynamoDB reports to the tally of the
 * `measure()` call it runs under (AsyncLocalStorage, so concurrent shares keep separate tallies)
 * and to a running total. Costs nothing extra: DynamoDB reports capacity for free.
 */
export interface CapacityTally {
  requests: number;
  readUnits: number;
  writeUnits: number;
}

const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export function emptyTally(): CapacityTally {
  return { requests: 0, readUnits: 0, writeUnits: 0 };
}

export class CapacityMeter {
  readonly total: CapacityTally = emptyTally();
  private readonly current = new AsyncLocalStorage<CapacityTally>();

  attach(client: DynamoDBClient | DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity ??= 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
        this.add(context.commandName ?? '', consumed);
        return result;
      },
      { step: 'initialize', name: 'sessionGuardCapacityMeter', override: true },
    );
  }

  /** Runs `work`, adding the units of its DynamoDB calls to `tally` (which it keeps if `work` fails). */
  run<T>(tally: CapacityTally, work: () => Promise<T>): Promise<T> {
    return this.current.run(tally, work);
  }

  private add(commandName: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
    let read = 0;
    let write = 0;
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
        read += entry.ReadCapacityUnits ?? 0;
        write += entry.WriteCapacityUnits ?? 0;
      } else if (READ_COMMANDS.has(commandName)) {
        read += entry.CapacityUnits ?? 0;
      } else {
        write += entry.CapacityUnits ?? 0;
      }
    }
    for (const tally of [this.total, this.current.getStore()]) {
      if (!tally) continue;
      tally.requests += 1;
      tally.readUnits += read;
      tally.writeUnits += write;
    }
  }
}
