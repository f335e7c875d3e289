import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CapacityMeter } from '../../../bench/capacity-meter';
import { type DynamoClients, makeDynamoClients } from '../../../shared/adapters/dynamodb/client';
import { ClinicScopeError, guardClinicScope } from '../../../shared/adapters/dynamodb/clinic-scope';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { inClinicScope } from '../../../shared/clinic-scope';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import { makeInbound, TEST_NOW } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
let repo: DynamoInboundRepository;

beforeAll(() => {
  repo = new DynamoInboundRepository(tables.clients.doc, tables.names.inbound);
});

const at = (minute: number) => `2026-12-01T15:${String(minute).padStart(2, '0')}:00.000Z`;

describe('inbound repository', () => {
  it('stores a text once per inbound id: a second delivery changes nothing', async () => {
    // Prepare
    const first = makeInbound({ inboundMessageId: 'dup-1', body: 'C' });
    // Act
    const created = await repo.record(first);
    const again = await repo.record({ ...first, body: 'changed', outcome: 'free-text', state: 'open' });
    // Assess
    expect(created).toBe(true);
    expect(again).toBe(false);
    expect(await repo.get('demo-clinic', 'dup-1')).toEqual(first);
  });

  it('refuses a record that is not in the stored shape, naming the field, and writes nothing', async () => {
    const bad = { ...makeInbound({ inboundMessageId: 'bad-1' }), receivedAt: '2026-12-01T15:00:00Z' };
    await expect(repo.record(bad)).rejects.toThrow(ValidationError);
    await expect(repo.record(bad)).rejects.toThrow(/receivedAt/);
    expect(await repo.get('demo-clinic', 'bad-1')).toBeUndefined();
  });

  it('lists the inbox of one state newest first, in pages, and only texts that need a person', async () => {
    // Prepare
    const clinicId = 'inbox-clinic';
    for (let minute = 0; minute < 5; minute++) {
      await repo.record(
        makeInbound({
          clinicId,
          inboundMessageId: `q-${minute}`,
          receivedAt: at(minute),
          intent: { kind: 'free-text' },
          outcome: 'free-text',
          state: 'open',
        }),
      );
    }
    await repo.record(makeInbound({ clinicId, inboundMessageId: 'confirm-1', receivedAt: at(9) }));
    // Act
    const first = await repo.listByState(clinicId, 'open', { limit: 3 });
    const second = await repo.listByState(clinicId, 'open', { limit: 3, cursor: first.cursor });
    // Assess
    expect(first.items.map((item) => item.inboundMessageId)).toEqual(['q-4', 'q-3', 'q-2']);
    expect(second.items.map((item) => item.inboundMessageId)).toEqual(['q-1', 'q-0']);
    expect(second.cursor).toBeUndefined();
    expect((await repo.listByState(clinicId, 'done')).items).toEqual([]);
  });

  it("refuses another list's cursor with a clear error", async () => {
    const clinicId = 'cursor-clinic';
    for (const id of ['c-1', 'c-2']) {
      await repo.record(makeInbound({ clinicId, inboundMessageId: id, state: 'open', outcome: 'free-text' }));
    }
    const page = await repo.listByState(clinicId, 'open', { limit: 1 });
    await expect(repo.listByState(clinicId, 'done', { cursor: page.cursor })).rejects.toThrow(
      /cursor: is not a cursor returned by this API/,
    );
    await expect(repo.listByState('other-clinic', 'open', { cursor: page.cursor })).rejects.toThrow(
      ValidationError,
    );
  });

  it('moves a text to done and back to open, recording who and when; done leaves the open list', async () => {
    // Prepare
    const clinicId = 'done-clinic';
    await repo.record(
      makeInbound({ clinicId, inboundMessageId: 'r-1', state: 'open', outcome: 'reschedule-requested' }),
    );
    // Act
    const done = await repo.setState(clinicId, 'r-1', { state: 'done', at: at(30), by: 'staff-7' });
    const repeated = await repo.setState(clinicId, 'r-1', { state: 'done', at: at(31), by: 'staff-8' });
    // Assess
    expect(done).toMatchObject({ state: 'done', doneAt: at(30), doneBy: 'staff-7', version: 2 });
    expect(repeated).toEqual(done);
    expect((await repo.listByState(clinicId, 'open')).items).toEqual([]);
    expect((await repo.listByState(clinicId, 'done')).items.map((item) => item.inboundMessageId)).toEqual([
      'r-1',
    ]);
    const reopened = await repo.setState(clinicId, 'r-1', { state: 'open', at: at(40), by: 'staff-7' });
    expect(reopened).toMatchObject({ state: 'open', version: 3 });
    expect(reopened.doneAt).toBeUndefined();
    expect(reopened.doneBy).toBeUndefined();
  });

  it('refuses to move a text that is not in the inbox, or that does not exist', async () => {
    await repo.record(makeInbound({ clinicId: 'plain-clinic', inboundMessageId: 'ok-1' }));
    await expect(
      repo.setState('plain-clinic', 'ok-1', { state: 'done', at: TEST_NOW, by: 's' }),
    ).rejects.toThrow(ConflictError);
    await expect(
      repo.setState('plain-clinic', 'missing', { state: 'done', at: TEST_NOW, by: 's' }),
    ).rejects.toThrow(NotFoundError);
  });

  it("reads a patient's texts in time order, and a number's unmatched texts apart from them", async () => {
    // Prepare
    const clinicId = 'party-clinic';
    await repo.record(makeInbound({ clinicId, inboundMessageId: 'p-late', receivedAt: at(20) }));
    await repo.record(makeInbound({ clinicId, inboundMessageId: 'p-early', receivedAt: at(10) }));
    await repo.record(
      makeInbound({ clinicId, inboundMessageId: 'other', patientId: 'p-2', receivedAt: at(15) }),
    );
    const unmatched = {
      clinicId,
      patientId: undefined,
      appointmentId: undefined,
      answeredMessageId: undefined,
      matchedBy: undefined,
      from: '+14155550000',
      outcome: 'unmatched' as const,
      state: 'open' as const,
    };
    await repo.record(makeInbound({ ...unmatched, inboundMessageId: 'u-1', receivedAt: at(5) }));
    await repo.record(makeInbound({ ...unmatched, inboundMessageId: 'u-2', receivedAt: at(25) }));
    // Act
    const conversation = await repo.listForPatient(clinicId, 'p-1');
    const latestFirst = await repo.listForPatient(clinicId, 'p-1', { newestFirst: true, limit: 1 });
    const since = await repo.listForPatientSince(clinicId, 'p-1', at(15));
    const fromNumber = await repo.listUnmatchedFromNumber(clinicId, '+14155550000', at(0));
    // Assess
    expect(conversation.items.map((item) => item.inboundMessageId)).toEqual(['p-early', 'p-late']);
    expect(latestFirst.items.map((item) => item.inboundMessageId)).toEqual(['p-late']);
    await expect(repo.listForPatient(clinicId, 'p-1', { cursor: latestFirst.cursor })).rejects.toThrow(
      /other order/,
    );
    expect(since.map((item) => item.inboundMessageId)).toEqual(['p-late']);
    expect(fromNumber.map((item) => item.inboundMessageId)).toEqual(['u-1', 'u-2']);
  });

  it("keeps a number's texted opt-out state with optimistic concurrency", async () => {
    const state = {
      optOut: { at: TEST_NOW, source: 'patient' as const, inboundMessageId: 'stop-1' },
      lastReply: { kind: 'opt-out' as const, at: TEST_NOW, inboundMessageId: 'stop-1' },
    };
    const record = { clinicId: 'num-clinic', number: '+14155550001', state, version: 1, updatedAt: TEST_NOW };
    await repo.putNumberOptState(record, null);
    await expect(repo.putNumberOptState(record, null)).rejects.toThrow(ConflictError);
    expect(await repo.getNumberOptState('num-clinic', '+14155550001')).toEqual(record);
    await repo.putNumberOptState({ ...record, state: { lastReply: state.lastReply }, version: 2 }, 1);
    expect((await repo.getNumberOptState('num-clinic', '+14155550001'))?.state.optOut).toBeUndefined();
    expect(await repo.getNumberOptState('num-clinic', '+14155559999')).toBeUndefined();
  });

  it('costs 2 write units for a text that needs nobody and 3 for one that enters the inbox', async () => {
    // Prepare
    const clients: DynamoClients = makeDynamoClients({ endpoint: inject('dynamoEndpoint') });
    const meter = new CapacityMeter();
    meter.attach(clients.raw);
    const metered = new DynamoInboundRepository(clients.doc, tables.names.inbound);
    // Act
    await meter.during('plain', () =>
      metered.record(makeInbound({ clinicId: 'cost', inboundMessageId: 'w-1' })),
    );
    await meter.during('inbox', () =>
      metered.record(
        makeInbound({ clinicId: 'cost', inboundMessageId: 'w-2', state: 'open', outcome: 'free-text' }),
      ),
    );
    // Assess
    expect(meter.usage.get('plain')?.writeUnits).toBe(2);
    expect(meter.usage.get('inbox')?.writeUnits).toBe(3);
    clients.raw.destroy();
  });

  describe('in a clinic-scoped client (the staff API)', () => {
    let guarded: DynamoClients;
    let scoped: DynamoInboundRepository;
    beforeAll(async () => {
      await repo.record(
        makeInbound({ clinicId: 'north', inboundMessageId: 'n-1', state: 'open', outcome: 'free-text' }),
      );
      guarded = makeDynamoClients({ endpoint: inject('dynamoEndpoint') });
      guardClinicScope(guarded.raw, tables.names, { required: true });
      scoped = new DynamoInboundRepository(guarded.doc, tables.names.inbound);
    });
    afterAll(() => guarded.raw.destroy());

    it("reads its own clinic's inbox and conversation and is refused another clinic's", async () => {
      const own = await inClinicScope('north', () => scoped.listByState('north', 'open'));
      expect(own.items.map((item) => item.inboundMessageId)).toEqual(['n-1']);
      await inClinicScope('north', () => scoped.listForPatient('north', 'p-1'));
      await inClinicScope('north', () =>
        scoped.setState('north', 'n-1', { state: 'done', at: TEST_NOW, by: 's' }),
      );
      await expect(inClinicScope('south', () => scoped.listByState('north', 'open'))).rejects.toThrow(
        ClinicScopeError,
      );
      await expect(inClinicScope('south', () => scoped.get('north', 'n-1'))).rejects.toThrow(
        ClinicScopeError,
      );
    });
  });
});
