import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DynamoClients, makeDynamoClients } from '../../../shared/adapters/dynamodb/client';
import {
  ClinicScopeError,
  guardClinicScope,
  guardSendNowCounters,
  isClinicKey,
} from '../../../shared/adapters/dynamodb/clinic-scope';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { makeRepositories, type Repositories } from '../../../shared/adapters/dynamodb/repositories';
import { DynamoSendNowBudget, SEND_NOW_PARTITION } from '../../../shared/adapters/dynamodb/send-now-budget';
import { inClinicScope } from '../../../shared/clinic-scope';
import { makeAppointment, makeClinic, makeInbound, makeMessage, makePatient } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
let guarded: DynamoClients;
let counters: DynamoClients;
let repos: Repositories;
let inbound: DynamoInboundRepository;

const NORTH = 'north';
const SOUTH = 'south';

beforeAll(async () => {
  // Data of two clinics, written without a guard.
  const open = makeRepositories(tables.clients.doc, tables.names);
  for (const clinicId of [NORTH, SOUTH]) {
    await open.clinics.put(makeClinic({ clinicId }), null);
    await open.patients.put(makePatient({ clinicId }), null);
    await open.appointments.put(makeAppointment({ clinicId }), null);
    await open.messages.create(makeMessage({ clinicId }));
    await new DynamoInboundRepository(tables.clients.doc, tables.names.inbound).record(
      makeInbound({ clinicId, state: 'open', outcome: 'free-text', intent: { kind: 'free-text' } }),
    );
  }
  guarded = makeDynamoClients({ endpoint: inject('dynamoEndpoint') });
  guardClinicScope(guarded.raw, tables.names, { required: true });
  repos = makeRepositories(guarded.doc, tables.names);
  inbound = new DynamoInboundRepository(guarded.doc, tables.names.inbound);
  counters = makeDynamoClients({ endpoint: inject('dynamoEndpoint') });
  guardSendNowCounters(counters.raw, tables.names.messages);
});

afterAll(() => {
  guarded.raw.destroy();
  counters.raw.destroy();
});

const range = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-31T00:00:00.000Z' };

/** Every repository call the staff API makes (test/infra/least-privilege.test.ts lists its table uses), for one clinic. */
const STAFF_API_CALLS: Record<string, (clinicId: string) => Promise<unknown>> = {
  'clinics.get (GetItem)': (clinicId) => repos.clinics.get(clinicId),
  'clinics.put (PutItem)': async (clinicId) => {
    const clinic = await repos.clinics.get(NORTH);
    if (!clinic) throw new Error('no clinic');
    // Writes north's record under the other id: the guard sees only the key.
    return repos.clinics.put({ ...clinic, clinicId, version: clinic.version + 1 }, clinic.version);
  },
  'patients.get (GetItem)': (clinicId) => repos.patients.get(clinicId, 'p-1'),
  'patients.put (PutItem)': (clinicId) =>
    repos.patients.put(makePatient({ clinicId, patientId: 'p-new' }), null),
  'patients.findByPhone (Query byPhone)': (clinicId) => repos.patients.findByPhone(clinicId, '+14155552671'),
  'appointments.get (GetItem)': (clinicId) => repos.appointments.get(clinicId, 'a-1'),
  'appointments.put (PutItem)': (clinicId) =>
    repos.appointments.put(makeAppointment({ clinicId, appointmentId: 'a-new' }), null),
  'appointments.listByStart (Query byStartKeys, then GetItem)': (clinicId) =>
    repos.appointments.listByStart(clinicId, range),
  'messages.listForAppointment (Query)': (clinicId) =>
    repos.messages.listForAppointment(clinicId, 'p-1', 'a-1'),
  'messages.listForPatient (Query)': (clinicId) => repos.messages.listForPatient(clinicId, 'p-1'),
  'messages.create (PutItem, a staff reply)': (clinicId) =>
    repos.messages.create(makeMessage({ clinicId, messageId: '~staff-reply#scope-1', kind: 'staff-reply' })),
  'inbound.listByState (Query inbox)': (clinicId) => inbound.listByState(clinicId, 'open'),
  'inbound.listForPatient (Query byParty)': (clinicId) => inbound.listForPatient(clinicId, 'p-1'),
  'inbound.setState (GetItem, UpdateItem)': (clinicId) =>
    inbound.setState(clinicId, 'in-1', { state: 'done', at: '2026-12-01T15:00:00.000Z', by: 'staff-user-1' }),
};

describe('clinic scope: the staff API reaches only the clinic of its request', () => {
  it.each(Object.keys(STAFF_API_CALLS))('lets %s through for the request’s own clinic', async (name) => {
    const call = STAFF_API_CALLS[name];
    if (!call) throw new Error(name);
    await expect(inClinicScope(NORTH, () => call(NORTH))).resolves.not.toThrow();
  });

  it.each(Object.keys(STAFF_API_CALLS))(
    'refuses %s for another clinic, before it reaches DynamoDB',
    async (name) => {
      const call = STAFF_API_CALLS[name];
      if (!call) throw new Error(name);
      await expect(inClinicScope(NORTH, () => call(SOUTH))).rejects.toBeInstanceOf(ClinicScopeError);
    },
  );

  it('left the other clinic as it was: nothing was written for it', async () => {
    const open = makeRepositories(tables.clients.doc, tables.names);
    expect((await open.clinics.get(SOUTH))?.version).toBe(1);
    expect(await open.patients.get(SOUTH, 'p-new')).toBeUndefined();
    expect(await open.appointments.get(SOUTH, 'a-new')).toBeUndefined();
  });

  it('refuses any request made outside a clinic’s request', async () => {
    await expect(repos.clinics.get(NORTH)).rejects.toThrow(/outside a clinic's request/);
  });

  it('refuses the due index, which is keyed by channel and shard, not by clinic', async () => {
    await expect(
      inClinicScope(NORTH, async () => {
        for await (const entry of repos.messages.dueOldestFirst(
          [{ channel: 'sms', lane: 'shared' }],
          'high',
          'z',
          10,
        ))
          return entry;
        return undefined;
      }),
    ).rejects.toThrow(/refused: no dueShard|keyed by another clinic/);
  });

  it('refuses scans and batches, which can span every clinic', async () => {
    await expect(
      inClinicScope(NORTH, () => guarded.raw.send(new ScanCommand({ TableName: tables.names.patients }))),
    ).rejects.toThrow(/ScanCommand is not allowed/);
    await expect(
      inClinicScope(NORTH, () =>
        guarded.doc.send(
          new BatchGetCommand({ RequestItems: { [tables.names.clinics]: { Keys: [{ clinicId: NORTH }] } } }),
        ),
      ),
    ).rejects.toThrow(/BatchGetItemCommand is not allowed/);
  });

  it('refuses the immediate-send counter, whose key names the number or the account, not a clinic', async () => {
    const budget = new DynamoSendNowBudget(guarded.doc, tables.names.messages);
    await expect(
      inClinicScope(NORTH, () => budget.take('sms', '2026-12-01', { from: 0, until: 10 }, 1)),
    ).rejects.toThrow(/UpdateItemCommand on messages is keyed by another clinic/);
  });

  it('gives the staff API a counters client that takes a send-now counter and refuses anything else', async () => {
    // Prepare
    const budget = new DynamoSendNowBudget(counters.doc, tables.names.messages);

    // Act and assess: the counter, inside or outside a clinic's request.
    await expect(
      inClinicScope(NORTH, () => budget.take('sms@north#3', '2026-12-01', { from: 0, until: 10 }, 1)),
    ).resolves.toEqual({ first: 0, count: 1 });
    await expect(budget.take('sms', '2026-12-01', { from: 0, until: 10 }, 2)).resolves.toEqual({
      first: 0,
      count: 2,
    });
    // A clinic's data, a write of another shape under the counters' partition, another table, a scan.
    await expect(
      inClinicScope(NORTH, () =>
        counters.doc.send(
          new GetCommand({ TableName: tables.names.patients, Key: { clinicId: NORTH, patientId: 'p-1' } }),
        ),
      ),
    ).rejects.toThrow(/only takes send-now counters/);
    await expect(
      counters.doc.send(
        new PutCommand({
          TableName: tables.names.messages,
          Item: { pk: SEND_NOW_PARTITION, sk: 'sms#x', taken: 0 },
        }),
      ),
    ).rejects.toThrow(/PutItemCommand refused/);
    await expect(
      counters.doc.send(
        new GetCommand({
          TableName: tables.names.messages,
          Key: { pk: 'north#p-1', sk: 'a-1#reminder#1d#v1' },
        }),
      ),
    ).rejects.toBeInstanceOf(ClinicScopeError);
    await expect(counters.raw.send(new ScanCommand({ TableName: tables.names.messages }))).rejects.toThrow(
      /ScanCommand refused/,
    );
  });

  it('tells a clinic’s own composite keys from another clinic whose id starts the same', () => {
    expect(isClinicKey('north#p-1', NORTH)).toBe(true);
    expect(isClinicKey('north', NORTH)).toBe(true);
    expect(isClinicKey('north-annex#p-1', NORTH)).toBe(false);
    expect(isClinicKey('north-annex', NORTH)).toBe(false);
  });
});
