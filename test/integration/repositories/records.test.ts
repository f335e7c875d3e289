import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeRepositories, type Repositories } from '../../../shared/adapters/dynamodb/repositories';
import { ConflictError, ValidationError } from '../../../shared/domain/errors';
import { INDEX } from '../../../shared/tables';
import { makeAppointment, makeClinic, makePatient } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
const repos = (): Repositories => makeRepositories(tables.clients.doc, tables.names);

async function countItems(table: string): Promise<number> {
  const { Count = 0 } = await tables.clients.doc.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
  return Count;
}

/** Expects a ValidationError that names `path`, and returns it. */
async function expectInvalid(write: Promise<unknown>, path: string): Promise<ValidationError> {
  const error = await write.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  const validation = error as ValidationError;
  expect(validation.issues.map((issue) => issue.path)).toContain(path);
  return validation;
}

describe('clinic repository', () => {
  it('creates a clinic, reads it back and updates it at the expected version', async () => {
    const { clinics } = repos();
    const clinic = makeClinic({ clinicId: 'rec-clinic-1' });

    await clinics.put(clinic, null);
    await clinics.put({ ...clinic, name: 'Riverside Clinic East', version: 2 }, 1);

    const stored = await clinics.get('rec-clinic-1');
    expect(stored?.name).toBe('Riverside Clinic East');
    expect(stored?.version).toBe(2);
    expect(stored?.policy.reminderOffsets.default).toEqual(['3d', '1d', '2h']);
  });

  it('refuses to create a clinic that exists, and to update from a stale version', async () => {
    const { clinics } = repos();
    const clinic = makeClinic({ clinicId: 'rec-clinic-2' });
    await clinics.put(clinic, null);

    await expect(clinics.put(clinic, null)).rejects.toThrow(ConflictError);
    await expect(clinics.put({ ...clinic, name: 'Stale', version: 6 }, 5)).rejects.toThrow(
      /is at version 1, not 5/,
    );
    await expect(clinics.put({ ...makeClinic({ clinicId: 'rec-missing' }), version: 2 }, 1)).rejects.toThrow(
      /does not exist/,
    );

    expect((await clinics.get('rec-clinic-2'))?.name).toBe(clinic.name);
  });

  it('answers undefined for a clinic that does not exist', async () => {
    expect(await repos().clinics.get('nobody-here')).toBeUndefined();
  });

  it("refuses a clinic with a field the record does not have and writes nothing (its rules are the edge's)", async () => {
    const { clinics } = repos();
    const before = await countItems(tables.names.clinics);

    await expectInvalid(
      clinics.put({ ...makeClinic({ clinicId: 'bad-field' }), favouriteColour: 'teal' } as never, null),
      'clinic.favouriteColour',
    );

    expect(await countItems(tables.names.clinics)).toBe(before);
  });

  it('refuses a write whose version does not follow the expected one (a programming error)', async () => {
    await expect(repos().clinics.put(makeClinic({ clinicId: 'rec-skip', version: 3 }), null)).rejects.toThrow(
      RangeError,
    );
  });
});

describe('patient repository', () => {
  it('stores a patient and finds them by phone number within the clinic only', async () => {
    const { patients } = repos();
    await patients.put(
      makePatient({ clinicId: 'clinic-a', patientId: 'p-phone-1', phone: '+14155550111' }),
      null,
    );
    await patients.put(
      makePatient({ clinicId: 'clinic-b', patientId: 'p-phone-2', phone: '+14155550111' }),
      null,
    );

    const found = await patients.findByPhone('clinic-a', '+14155550111');

    expect(found.map((p) => p.patientId)).toEqual(['p-phone-1']);
    expect(await patients.findByPhone('clinic-a', '+14155550199')).toEqual([]);
  });

  it('stops finding a patient by an old number after the number changed', async () => {
    const { patients } = repos();
    const patient = makePatient({ clinicId: 'clinic-c', patientId: 'p-move', phone: '+14155550122' });
    await patients.put(patient, null);
    await patients.put({ ...patient, phone: '+14155550133', version: 2 }, 1);

    expect(await patients.findByPhone('clinic-c', '+14155550122')).toEqual([]);
    expect((await patients.findByPhone('clinic-c', '+14155550133')).map((p) => p.patientId)).toEqual([
      'p-move',
    ]);
  });

  it('stores and reads back by shape: a phone number the current rules reject is refused at the edge, not here', async () => {
    // Prepare: the staff API and imports refuse +11234567890 (no such US area code); storage does not judge it.
    const { patients } = repos();

    // Act
    await patients.put(makePatientUnchecked({ patientId: 'p-old-phone', phone: '+11234567890' }), null);

    // Assess
    expect((await patients.get('demo-clinic', 'p-old-phone'))?.phone).toBe('+11234567890');
  });

  it('keeps the stored patient when an update conflicts', async () => {
    const { patients } = repos();
    const patient = makePatient({ patientId: 'p-race' });
    await patients.put(patient, null);
    await patients.put({ ...patient, firstName: 'First', version: 2 }, 1);

    await expect(patients.put({ ...patient, firstName: 'Second', version: 2 }, 1)).rejects.toThrow(
      ConflictError,
    );
    expect((await patients.get('demo-clinic', 'p-race'))?.firstName).toBe('First');
  });
});

describe('appointment repository', () => {
  it('lists a clinic’s appointments in start order within [from, to), page by page', async () => {
    const { appointments } = repos();
    const starts = [
      '2027-01-10T14:00:00.000Z',
      '2027-01-10T09:00:00.000Z',
      '2027-01-11T09:00:00.000Z',
      '2027-01-12T09:00:00.000Z',
    ];
    for (const [index, startAt] of starts.entries()) {
      await appointments.put(
        makeAppointment({ clinicId: 'list-clinic', appointmentId: `a-list-${index}`, startAt }),
        null,
      );
    }
    await appointments.put(
      makeAppointment({ clinicId: 'other-clinic', appointmentId: 'a-other', startAt: starts[0] }),
      null,
    );

    const range = { from: '2027-01-10T00:00:00.000Z', to: '2027-01-12T09:00:00.000Z' };
    const first = await appointments.listByStart('list-clinic', range, { limit: 2 });
    const second = await appointments.listByStart('list-clinic', range, { limit: 2, cursor: first.cursor });

    expect(first.items.map((a) => a.startAt)).toEqual([
      '2027-01-10T09:00:00.000Z',
      '2027-01-10T14:00:00.000Z',
    ]);
    expect(second.items.map((a) => a.appointmentId)).toEqual(['a-list-2']);
    expect(second.cursor).toBeUndefined();
  });

  it('lists whole appointments through the keys-only start index: a confirmation, written to the table alone (1 write unit), is in the list; a visit moved out of the period is not', async () => {
    // Arrange: write units by index, for the appointments table only.
    const { appointments } = repos();
    const units: Record<string, number>[] = [];
    tables.clients.raw.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as Record<string, unknown>;
        const watched = input.TableName === tables.names.appointments && input.Item !== undefined;
        if (watched) input.ReturnConsumedCapacity = 'INDEXES';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity;
        if (watched && consumed) {
          units.push({
            table: consumed.Table?.CapacityUnits ?? 0,
            ...Object.fromEntries(
              Object.entries(consumed.GlobalSecondaryIndexes ?? {}).map(([name, used]) => [
                name,
                used.CapacityUnits ?? 0,
              ]),
            ),
          });
        }
        return result;
      },
      { step: 'initialize', name: 'appointmentUnits' },
    );
    try {
      const booked = makeAppointment({
        clinicId: 'keys-clinic',
        appointmentId: 'a-keys-1',
        startAt: '2027-03-01T15:00:00.000Z',
      });
      const moved = makeAppointment({
        clinicId: 'keys-clinic',
        appointmentId: 'a-keys-2',
        startAt: '2027-03-01T16:00:00.000Z',
      });
      await appointments.put(booked, null);
      await appointments.put(moved, null);

      // Act: confirm the first; move the second to the next day.
      const confirmed = {
        ...booked,
        confirmation: {
          at: '2027-02-27T12:00:00.000Z',
          via: 'sms' as const,
          messageId: 'a-keys-1#confirmation#1',
          inboundMessageId: 'in-keys-1',
          scheduleVersion: 1,
        },
        version: booked.version + 1,
      };
      await appointments.put(confirmed, booked.version);
      await appointments.put(
        { ...moved, startAt: '2027-03-02T16:00:00.000Z', scheduleVersion: 2, version: moved.version + 1 },
        moved.version,
      );
      const day = await appointments.listByStart('keys-clinic', {
        from: '2027-03-01T00:00:00.000Z',
        to: '2027-03-02T00:00:00.000Z',
      });

      // Assess: two creates and a move write the index; the confirmation does not.
      expect(units).toEqual([
        { table: 1, [INDEX.appointmentsByStart]: 1 },
        { table: 1, [INDEX.appointmentsByStart]: 1 },
        { table: 1 },
        { table: 1, [INDEX.appointmentsByStart]: 2 },
      ]);
      expect(day.items).toEqual([confirmed]);
    } finally {
      tables.clients.raw.middlewareStack.remove('appointmentUnits');
    }
  });

  it('rejects a bad cursor by name', async () => {
    await expectInvalid(
      repos().appointments.listByStart(
        'list-clinic',
        { from: '2027-01-01T00:00:00.000Z', to: '2027-02-01T00:00:00.000Z' },
        { cursor: 'not-a-cursor' },
      ),
      'cursor',
    );
  });

  it('refuses a cursor forged for another clinic or with a key it never hands out', async () => {
    const range = { from: '2027-01-01T00:00:00.000Z', to: '2027-02-01T00:00:00.000Z' };
    const forge = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

    await expectInvalid(
      repos().appointments.listByStart('list-clinic', range, {
        cursor: forge({
          clinicId: 'other-clinic',
          appointmentId: 'a-other',
          startAt: '2027-01-10T14:00:00.000Z',
        }),
      }),
      'cursor',
    );
    await expectInvalid(
      repos().appointments.listByStart('list-clinic', range, {
        cursor: forge({ clinicId: 'list-clinic', appointmentId: 7 }),
      }),
      'cursor',
    );
  });

  it('rejects a start not in the stored UTC format and a field the record does not have (a diagnosis), writing nothing', async () => {
    const { appointments } = repos();
    const before = await countItems(tables.names.appointments);

    await expectInvalid(
      appointments.put(
        { ...makeAppointment({ appointmentId: 'a-bad-1' }), startAt: '2026-12-08T10:00:00-05:00' },
        null,
      ),
      'appointment.startAt',
    );
    await expectInvalid(
      appointments.put({ ...makeAppointment({ appointmentId: 'a-bad-3' }), diagnosis: 'flu' } as never, null),
      'appointment.diagnosis',
    );

    expect(await countItems(tables.names.appointments)).toBe(before);
  });

  it('applies updates in version order and refuses a stale one', async () => {
    const { appointments } = repos();
    const booked = makeAppointment({ appointmentId: 'a-versions' });
    await appointments.put(booked, null);
    const moved = { ...booked, startAt: '2026-12-09T15:00:00.000Z', version: 2, scheduleVersion: 2 };
    await appointments.put(moved, 1);

    await expect(appointments.put({ ...booked, location: 'Room 9', version: 2 }, 1)).rejects.toThrow(
      /is at version 2, not 1/,
    );
    expect(await appointments.get('demo-clinic', 'a-versions')).toEqual(moved);
  });
});

/** A patient record that skips validation, to hand bad data to the repository. */
function makePatientUnchecked(overrides: Record<string, unknown>) {
  return { ...makePatient(), ...overrides } as ReturnType<typeof makePatient>;
}
