/**
 * Counts DynamoDB requests and the capacity units DynamoDB reports for them
 * (`ReturnConsumedCapacity: INDEXES` on every request that takes it), by
 * phase of the pipeline.
 */
import {
  ConditionalCheckFailedException,
  type ConsumedCapacity,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export interface PhaseUsage {
  readUnits: number;
  writeUnits: number;
  requests: Record<string, number>;
  /** Conditional writes that lost; DynamoDB charges a write unit for each. */
  failedConditions: number;
}

const METERED = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
  'GetCommand',
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchGetCommand',
  'BatchWriteCommand',
  'TransactWriteCommand',
  'TransactGetCommand',
]);

const WRITES = /Put|Update|Delete|Write/;

/**
 * Says which phase one request belongs to, when the phase it runs in holds
 * the work of two (handle-inbound applies a text and queues its answer in
 * one call). Returns undefined to keep the running phase.
 */
export type PhaseSplit = (
  phase: string,
  command: string,
  input: Record<string, unknown>,
) => string | undefined;

export class CapacityMeter {
  phase = 'setup';
  readonly usage = new Map<string, PhaseUsage>();

  /** @param split - optional: moves some requests of a phase to another phase */
  constructor(private readonly split?: PhaseSplit) {}

  private current(phase: string): PhaseUsage {
    let usage = this.usage.get(phase);
    if (!usage) {
      usage = { readUnits: 0, writeUnits: 0, requests: {}, failedConditions: 0 };
      this.usage.set(phase, usage);
    }
    return usage;
  }

  /** Runs `work` with its requests counted under `phase`. */
  async during<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const previous = this.phase;
    this.phase = phase;
    try {
      return await work();
    } finally {
      this.phase = previous;
    }
  }

  private record(
    phase: string,
    command: string,
    consumed: ConsumedCapacity | ConsumedCapacity[] | undefined,
  ): PhaseUsage {
    const usage = this.current(phase);
    usage.requests[command] = (usage.requests[command] ?? 0) + 1;
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      const units = entry.CapacityUnits ?? 0;
      if (WRITES.test(command)) usage.writeUnits += units;
      else usage.readUnits += units;
    }
    return usage;
  }

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'Unknown';
        const input = args.input as Record<string, unknown>;
        if (METERED.has(command)) input.ReturnConsumedCapacity = 'INDEXES';
        const phase = this.split?.(this.phase, command, input) ?? this.phase;
        try {
          const result = await next(args);
          const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
          if (METERED.has(command)) this.record(phase, command, output.ConsumedCapacity);
          return result;
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) {
            this.record(phase, command, { CapacityUnits: 1 }).failedConditions += 1;
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'capacityMeter' },
    );
  }

  total(phases: readonly string[]): PhaseUsage {
    const sum: PhaseUsage = { readUnits: 0, writeUnits: 0, requests: {}, failedConditions: 0 };
    for (const phase of phases) {
      const usage = this.usage.get(phase);
      if (!usage) continue;
      sum.readUnits += usage.readUnits;
      sum.writeUnits += usage.writeUnits;
      sum.failedConditions += usage.failedConditions;
      for (const [command, count] of Object.entries(usage.requests))
        sum.requests[command] = (sum.requests[command] ?? 0) + count;
    }
    return sum;
  }
}
