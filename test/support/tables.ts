import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { type DynamoClients, makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { createTables, deleteTables } from '../../shared/adapters/dynamodb/create-tables';
import { prefixedTableNames, type TableNames } from '../../shared/tables';

export interface TestTables {
  clients: DynamoClients;
  names: TableNames;
}

/**
 * Gives a test file its own set of tables in the shared DynamoDB Local
 * (created before the file's tests, deleted after). The returned object is
 * filled in by `beforeAll`; read it inside tests and hooks only.
 */
export function useTestTables(): TestTables {
  const context = {} as TestTables;
  beforeAll(async () => {
    context.clients = makeDynamoClients({ endpoint: inject('dynamoEndpoint') });
    context.names = prefixedTableNames(`t${randomUUID().slice(0, 8)}-`);
    await createTables(context.clients.raw, context.names);
  });
  afterAll(async () => {
    await deleteTables(context.clients.raw, context.names);
    context.clients.raw.destroy();
  });
  return context;
}
