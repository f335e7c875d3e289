/**
 * The staff API's second isolation layer, under `requireClinic()`: every
 * DynamoDB request a staff request makes must name, as its partition key,
 * the clinic the request is for. The key is checked on the wire format,
 * after the repositories built it, so a repository bug, a forged cursor or
 * a use case that reaches for another clinic's id is refused before the
 * request leaves the process, whatever the code above it did.
 *
 * Why not an IAM session per request tagged with the clinic
 * (`dynamodb:LeadingKeys`)? docs/architecture.md, "Many clinics", gives
 * the measured cost and the reasons; this guard enforces the same rule in
 * the process for microseconds per request.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clinicInScope } from '../../clinic-scope';
import { AppError } from '../../domain/errors';
import { TABLES, type TableDefinition, type TableNames } from '../../tables';
import { SEND_NOW_PARTITION } from './send-now-budget';

/** A DynamoDB request that does not stay inside the clinic of the request that made it. */
export class ClinicScopeError extends AppError {
  // A bug, not the caller's doing: a plain 500, and no detail for the caller.
  override readonly expose = false;
}

/**
 * True when a partition key value belongs to the clinic: it is the clinic
 * id (clinics, patients, appointments, byStart) or starts with it and `#`
 * (messages `clinic#patient`, byPhone `clinic#phone`). Clinic ids never
 * contain `#`, so no clinic's prefix is another's.
 */
export function isClinicKey(value: string, clinicId: string): boolean {
  return value === clinicId || value.startsWith(`${clinicId}#`);
}

/** The commands a clinic-scoped caller may send, and where each carries its partition key. */
const KEYED = new Set(['GetItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);
const SCOPED_COMMANDS = new Set([...KEYED, 'PutItemCommand', 'QueryCommand', 'TransactWriteItemsCommand']);

/** The parts of a write transaction, each checked like the item command it stands for. */
const TRANSACT_PARTS: Record<string, string> = {
  Update: 'UpdateItemCommand',
  Put: 'PutItemCommand',
  Delete: 'DeleteItemCommand',
  ConditionCheck: 'GetItemCommand',
};

function stringOf(value: AttributeValue | undefined): string | undefined {
  return value && 'S' in value ? value.S : undefined;
}

/**
 * The value of `partitionKey` in a key condition (`#pk = :pk AND …`, or the
 * attribute named directly), if the condition names it with `=`.
 */
function keyConditionValue(input: Record<string, unknown>, partitionKey: string): string | undefined {
  const expression = typeof input.KeyConditionExpression === 'string' ? input.KeyConditionExpression : '';
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
  for (const match of expression.matchAll(/([#A-Za-z_][\w.]*)\s*=\s*(:[\w]+)/g)) {
    const [, name = '', placeholder = ''] = match;
    const attribute = name.startsWith('#') ? names[name] : name;
    if (attribute === partitionKey) return stringOf(values[placeholder]);
  }
  return undefined;
}

/**
 * The partition key value a request is bound to, or why it has none.
 *
 * @param command - the low-level command name (`GetItemCommand`)
 * @param input - the command's input, marshalled
 * @param definition - the table the request names
 */
function partitionKeyOf(
  command: string,
  input: Record<string, unknown>,
  definition: TableDefinition,
): { value: string } | { refused: string } {
  const tableKey = definition.partitionKey.name;
  if (KEYED.has(command)) {
    const value = stringOf((input.Key as Record<string, AttributeValue> | undefined)?.[tableKey]);
    return value === undefined ? { refused: `no ${tableKey} in its key` } : { value };
  }
  if (command === 'PutItemCommand') {
    const value = stringOf((input.Item as Record<string, AttributeValue> | undefined)?.[tableKey]);
    return value === undefined ? { refused: `no ${tableKey} in its item` } : { value };
  }
  if (command === 'QueryCommand') {
    const indexName = typeof input.IndexName === 'string' ? input.IndexName : undefined;
    const index = indexName
      ? definition.globalIndexes.find((candidate) => candidate.indexName === indexName)
      : undefined;
    if (indexName && !index) return { refused: `unknown index ${indexName}` };
    const key = index ? index.partitionKey.name : tableKey;
    const value = keyConditionValue(input, key);
    return value === undefined ? { refused: `no ${key} = … in its key condition` } : { value };
  }
  return { refused: `${command} is not a keyed request` };
}

/** Refuses one keyed request that is not inside the clinic `clinicId`. */
function checkInScope(
  command: string,
  input: Record<string, unknown>,
  byName: ReadonlyMap<string | undefined, TableDefinition>,
  clinicId: string,
): void {
  if (!SCOPED_COMMANDS.has(command) || command === 'TransactWriteItemsCommand') {
    throw new ClinicScopeError(`${command} is not allowed in a clinic's request`);
  }
  const definition = byName.get(String(input.TableName));
  if (!definition) throw new ClinicScopeError(`${command} on a table that is not the deployment's`);
  const key = partitionKeyOf(command, input, definition);
  if ('refused' in key) {
    throw new ClinicScopeError(`${command} on ${definition.id} refused: ${key.refused}`);
  }
  if (!isClinicKey(key.value, clinicId)) {
    // Ids only: the key value may hold a phone number (byPhone).
    throw new ClinicScopeError(`${command} on ${definition.id} is keyed by another clinic than ${clinicId}`);
  }
}

/**
 * Makes a DynamoDB client refuse, inside {@link inClinicScope}, every
 * request whose partition key is not the scope's clinic, and, with
 * `required`, every request made outside any scope.
 *
 * @param client - the low-level client (its document client shares the middleware)
 * @param tables - the physical table names, to find each table's key
 * @param options - `required`: refuse requests outside a scope too (the staff API)
 */
export function guardClinicScope(
  client: DynamoDBClient,
  tables: Partial<TableNames>,
  options: { required: boolean },
): void {
  const byName = new Map(
    (Object.keys(tables) as (keyof TableNames)[]).map((id) => [tables[id], TABLES[id]] as const),
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const clinicId = clinicInScope();
      const command = String(context.commandName ?? 'unknown command');
      if (clinicId === undefined) {
        if (options.required) throw new ClinicScopeError(`${command} outside a clinic's request`);
        return next(args);
      }
      if (!SCOPED_COMMANDS.has(command)) {
        // Scans, batches, transactions and PartiQL can span partitions: never in a clinic's request.
        throw new ClinicScopeError(`${command} is not allowed in a clinic's request`);
      }
      const input = args.input as Record<string, unknown>;
      // A write transaction (the daily counters) is allowed when every part of it is.
      const requests =
        command === 'TransactWriteItemsCommand'
          ? ((input.TransactItems ?? []) as Record<string, Record<string, unknown>>[]).flatMap((part) =>
              Object.entries(part).map(([kind, partInput]) => ({
                command: TRANSACT_PARTS[kind] ?? kind,
                input: partInput,
              })),
            )
          : [{ command, input }];
      for (const request of requests) checkInScope(request.command, request.input, byName, clinicId);
      return next(args);
    },
    // After the document client marshalled the input, before it is signed and sent.
    { step: 'build', name: 'clinicScopeGuard', override: true },
  );
}

/**
 * Makes a DynamoDB client refuse every request but one: the immediate-send
 * budget's conditional update of a counter under `#send-now` in the
 * messages table. The staff API sends staff replies at once, and that
 * counter is the number's or the account's, not a clinic's, so its key
 * names no clinic and the clinic-scoped client rightly refuses it. The API
 * takes the counter through a second client that can do that and nothing
 * else, so the clinic guard keeps refusing every other request, the
 * counters included.
 *
 * @param client - the low-level client the budget's document client wraps
 * @param messagesTable - the physical name of the messages table
 */
export function guardSendNowCounters(client: DynamoDBClient, messagesTable: string): void {
  const partitionKey = TABLES.messages.partitionKey.name;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'unknown command');
      const input = args.input as Record<string, unknown>;
      const key = input.Key as Record<string, AttributeValue> | undefined;
      const counter =
        command === 'UpdateItemCommand' &&
        input.TableName === messagesTable &&
        stringOf(key?.[partitionKey]) === SEND_NOW_PARTITION;
      if (!counter)
        throw new ClinicScopeError(`${command} refused: this client only takes send-now counters`);
      return next(args);
    },
    { step: 'build', name: 'sendNowCountersOnly', override: true },
  );
}
