/**
 * Seeding for the benchmarks: the items the repositories themselves would
 * put (their stored shape, keys and index attributes), written with
 * BatchWriteItem, 25 items a request and several requests at once, instead
 * of one conditional PutItem each. For fresh tables only: a batch write
 * checks no condition, so it must not stand in for a write the product makes.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../shared/use-cases/staff/common';

export interface SeedItem {
  TableName: string;
  Item: Record<string, unknown>;
}

/**
 * A stand-in document client that records every PutCommand it is sent
 * (and answers it as a success) and refuses anything else, so a seeding
 * call through the repositories yields their items without writing them.
 */
export function collectingDoc(): { doc: DynamoDBDocumentClient; items: SeedItem[] } {
  const items: SeedItem[] = [];
  const doc = {
    send: async (command: unknown) => {
      if (!(command instanceof PutCommand)) {
        throw new Error(`seeding collects puts only, got ${(command as object).constructor.name}`);
      }
      const { TableName, Item } = command.input;
      if (!TableName || !Item) throw new Error('a put without a table or an item');
      items.push({ TableName, Item });
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, items };
}

const BATCH = 25;

/**
 * Writes the items in batches of 25, `inFlight` batches at once, sending
 * back whatever DynamoDB returns unprocessed until nothing is left.
 *
 * @param doc - the real document client
 * @param items - what to write (fresh keys)
 * @param inFlight - batch requests at once
 */
export async function batchWriteAll(
  doc: DynamoDBDocumentClient,
  items: readonly SeedItem[],
  inFlight = 8,
): Promise<void> {
  const batches: SeedItem[][] = [];
  for (let start = 0; start < items.length; start += BATCH) batches.push(items.slice(start, start + BATCH));
  await mapWithConcurrency(batches, inFlight, async (batch) => {
    let requests: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {};
    for (const { TableName, Item } of batch) {
      const table = requests[TableName] ?? [];
      table.push({ PutRequest: { Item } });
      requests[TableName] = table;
    }
    for (let attempt = 0; Object.keys(requests).length > 0; attempt++) {
      if (attempt > 20) throw new Error('batch write: items still unprocessed after 20 attempts');
      const { UnprocessedItems } = await doc.send(new BatchWriteCommand({ RequestItems: requests }));
      requests = (UnprocessedItems ?? {}) as typeof requests;
    }
  });
}
