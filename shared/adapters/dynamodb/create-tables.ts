import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { indexChanges, TABLES, type TableDefinition, type TableNames } from '../../tables';

/**
 * The CreateTable request for a table definition (on-demand, like the CDK
 * stack). Used by local mode, tests and benchmarks; CDK builds its own
 * constructs from the same definitions.
 *
 * @param definition - one entry of TABLES
 * @param tableName - the physical name
 */
export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, AttributeDefinition>();
  const note = (key: { name: string; type: 'S' | 'N' } | undefined) => {
    if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  };
  note(definition.partitionKey);
  note(definition.sortKey);
  for (const index of definition.globalIndexes) {
    note(index.partitionKey);
    note(index.sortKey);
  }
  const keySchema = (partition: { name: string }, sort?: { name: string }) => [
    { AttributeName: partition.name, KeyType: 'HASH' as const },
    ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes.values()],
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.globalIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection:
              index.projection.type === 'INCLUDE'
                ? { ProjectionType: 'INCLUDE', NonKeyAttributes: index.projection.nonKeyAttributes }
                : { ProjectionType: index.projection.type },
          })),
        }
      : {}),
    ...(definition.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } }
      : {}),
  };
}

/** Polls until the table and every index it has are ACTIVE (an index created or dropped is not at once). */
async function waitUntilIndexesSettle(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const busy =
      Table?.TableStatus !== 'ACTIVE' ||
      (Table.GlobalSecondaryIndexes ?? []).some((index) => index.IndexStatus !== 'ACTIVE');
    if (!busy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName}: its indexes did not become ACTIVE within a minute`);
}

/**
 * Brings the indexes of a table kept from an earlier run (local mode's data
 * folder) to the definition: drops each index the definition no longer has
 * or has with other keys or projection, and creates each it lacks, one per
 * update as DynamoDB requires, waiting for each. A folder made before the
 * appointments' start index became keys only (`byStart` → `byStartKeys`)
 * is upgraded this way on the next `npm run local`.
 */
async function syncIndexes(client: DynamoDBClient, definition: TableDefinition, tableName: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const input = createTableInput(definition, tableName);
  const wanted = new Map((input.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
  const shapeOf = (index: {
    KeySchema?: readonly { AttributeName?: string; KeyType?: string }[];
    Projection?: { ProjectionType?: string; NonKeyAttributes?: readonly string[] };
  }) =>
    JSON.stringify({
      keys: (index.KeySchema ?? []).map((key) => [key.AttributeName, key.KeyType]),
      projection: index.Projection?.ProjectionType,
      include: [...(index.Projection?.NonKeyAttributes ?? [])].sort(),
    });
  const shapes = (indexes: Iterable<{ IndexName?: string | undefined } & Parameters<typeof shapeOf>[0]>) =>
    new Map([...indexes].map((index) => [index.IndexName ?? '', shapeOf(index)]));
  const { dropped, added } = indexChanges(
    shapes(Table?.GlobalSecondaryIndexes ?? []),
    shapes(wanted.values()),
  );
  if (dropped.length === 0 && added.length === 0) return;
  await waitUntilIndexesSettle(client, tableName);
  const updates = [
    ...dropped.map((IndexName) => ({ Delete: { IndexName } })),
    ...added.map((name) => {
      const { IndexName, KeySchema, Projection } = wanted.get(name) ?? {};
      return { Create: { IndexName, KeySchema, Projection } };
    }),
  ];
  for (const update of updates) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        ...('Create' in update ? { AttributeDefinitions: input.AttributeDefinitions } : {}),
        GlobalSecondaryIndexUpdates: [update],
      }),
    );
    await waitUntilIndexesSettle(client, tableName);
  }
}

/**
 * Creates every table that does not exist yet, and waits until each is active;
 * a table that exists has its indexes brought to the definition (syncIndexes).
 *
 * @param client - a DynamoDB client (DynamoDB Local here)
 * @param names - physical table names
 */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    Object.values(TABLES).map(async (definition) => {
      const tableName = names[definition.id];
      try {
        await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
        await syncIndexes(client, definition, tableName);
        return;
      }
      await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
      if (definition.ttlAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
          }),
        );
      }
    }),
  );
}

/** Deletes the tables (tests clean up after themselves). */
export async function deleteTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    Object.values(names).map((TableName) =>
      client.send(new DeleteTableCommand({ TableName })).catch(() => undefined),
    ),
  );
}
