import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DynamoClients, makeDynamoClients } from '../../../shared/adapters/dynamodb/client';
import {
  createTableInput,
  createTables,
  deleteTables,
} from '../../../shared/adapters/dynamodb/create-tables';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import { prefixedTableNames, TABLES, type TableNames } from '../../../shared/tables';
import { makeAppointment } from '../../support/factories';

let clients: DynamoClients;
let names: TableNames;

beforeAll(() => {
  clients = makeDynamoClients({ endpoint: inject('dynamoEndpoint') });
  names = prefixedTableNames(`t${randomUUID().slice(0, 8)}-`);
});

afterAll(async () => {
  await deleteTables(clients.raw, names);
  clients.raw.destroy();
});

describe('createTables over tables kept from an earlier run (local mode’s data folder)', () => {
  it('replaces the appointments’ old byStart index (every attribute) with byStartKeys (keys only), keeping the data, and lists by start again', async () => {
    // Arrange: the appointments table as a release before byStartKeys created it, with a visit in it.
    const old = { ...TABLES.appointments, globalIndexes: TABLES.appointments.retiredIndexes ?? [] };
    await clients.raw.send(new CreateTableCommand(createTableInput(old, names.appointments)));
    const visit = makeAppointment({
      clinicId: 'kept-clinic',
      appointmentId: 'a-kept',
      startAt: '2027-04-01T15:00:00.000Z',
    });
    await makeRepositories(clients.doc, names).appointments.put(visit, null);

    // Act
    await createTables(clients.raw, names);

    // Assess
    const { Table } = await clients.raw.send(new DescribeTableCommand({ TableName: names.appointments }));
    expect(
      (Table?.GlobalSecondaryIndexes ?? []).map((index) => [
        index.IndexName,
        index.Projection?.ProjectionType,
        index.IndexStatus,
      ]),
    ).toEqual([['byStartKeys', 'KEYS_ONLY', 'ACTIVE']]);
    const listed = await makeRepositories(clients.doc, names).appointments.listByStart('kept-clinic', {
      from: '2027-04-01T00:00:00.000Z',
      to: '2027-04-02T00:00:00.000Z',
    });
    expect(listed.items).toEqual([visit]);
  });

  it('leaves tables whose indexes match alone, and is safe to run again', async () => {
    // Act
    await createTables(clients.raw, names);
    const { Table } = await clients.raw.send(new DescribeTableCommand({ TableName: names.inbound }));

    // Assess
    expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual([
      'byParty',
      'inbox',
    ]);
  });
});
