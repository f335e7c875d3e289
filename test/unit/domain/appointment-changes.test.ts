import { describe, expect, it } from 'vitest';
import {
  applyBooking,
  applyStatusChange,
  EARLY_COMPLETION_MINUTES,
} from '../../../shared/domain/appointment-changes';
import { ConflictError, ValidationError } from '../../../shared/domain/errors';
import { parseUtc } from '../../../shared/domain/time';
import { makeAppointment, TEST_NOW } from '../../support/factories';

const ids = { clinicId: 'demo-clinic', appointmentId: 'a-1' };
const now = parseUtc(TEST_NOW);
const fields = {
  patientId: 'p-1',
  startAt: '2026-12-08T15:00:00.000Z',
  durationMinutes: 30,
  type: 'default',
  location: '12 River Road, Suite 3',
};

describe('applyBooking', () => {
  it('books a new appointment at version 1 with its schedule at version 1', () => {
    expect(applyBooking(ids, undefined, fields, now)).toEqual({
      ...fields,
      ...ids,
      status: 'booked',
      version: 1,
      scheduleVersion: 1,
      createdAt: TEST_NOW,
      updatedAt: TEST_NOW,
    });
  });

  it('refuses a new booking in the past and invalid fields', () => {
    expect(() => applyBooking(ids, undefined, { ...fields, startAt: TEST_NOW }, now)).toThrow(
      ValidationError,
    );
    expect(() => applyBooking(ids, undefined, { ...fields, durationMinutes: 0 }, now)).toThrow(
      ValidationError,
    );
  });

  it('returns the stored record unchanged when nothing changed, so nothing is replanned', () => {
    const current = makeAppointment();
    expect(applyBooking(ids, current, fields, now)).toBe(current);
  });

  it('moves the schedule version along with a change of time or place, and drops a removed location', () => {
    const current = makeAppointment();
    const moved = applyBooking(ids, current, { ...fields, startAt: '2026-12-09T15:00:00.000Z' }, now);
    expect(moved).toMatchObject({ version: 2, scheduleVersion: 2, updatedAt: TEST_NOW });
    const video = applyBooking(
      ids,
      current,
      { ...fields, location: undefined, videoLink: 'https://v.example.org/1' },
      now,
    );
    expect(video.location).toBeUndefined();
    expect(video).toMatchObject({ version: 2, scheduleVersion: 2, videoLink: 'https://v.example.org/1' });
  });

  it('keeps the schedule version when only the type changes', () => {
    const retyped = applyBooking(ids, makeAppointment(), { ...fields, type: 'follow-up' }, now);
    expect(retyped).toMatchObject({ version: 2, scheduleVersion: 1, type: 'follow-up' });
  });

  it('refuses to move a visit into the past or to another patient', () => {
    const current = makeAppointment();
    expect(() => applyBooking(ids, current, { ...fields, startAt: '2026-11-30T15:00:00.000Z' }, now)).toThrow(
      ValidationError,
    );
    expect(() => applyBooking(ids, current, { ...fields, patientId: 'p-2' }, now)).toThrow(ValidationError);
  });

  it('refuses to change a cancelled, completed or missed appointment', () => {
    for (const status of ['cancelled', 'completed', 'no-show'] as const) {
      const closed = makeAppointment({ status, version: 2 });
      expect(() => applyBooking(ids, closed, { ...fields, durationMinutes: 45 }, now), status).toThrow(
        ConflictError,
      );
    }
  });
});

describe('applyStatusChange', () => {
  it('cancels with the canceller and a new version, and repeating it changes nothing', () => {
    const cancelled = applyStatusChange(makeAppointment(), { to: 'cancelled', by: 'clinic' }, now);
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'clinic',
      version: 2,
      scheduleVersion: 1,
    });
    expect(applyStatusChange(cancelled, { to: 'cancelled', by: 'clinic' }, now)).toBe(cancelled);
  });

  it('refuses to move a closed appointment to another status', () => {
    const cancelled = makeAppointment({ status: 'cancelled', cancelledBy: 'patient', version: 2 });
    expect(() =>
      applyStatusChange(cancelled, { to: 'completed' }, parseUtc('2026-12-08T16:00:00.000Z')),
    ).toThrow(ConflictError);
  });

  it(`completes a visit from ${EARLY_COMPLETION_MINUTES} minutes before its start, and marks a no-show only once it started`, () => {
    const current = makeAppointment();
    const early = parseUtc('2026-12-08T14:00:00.000Z');
    expect(applyStatusChange(current, { to: 'completed' }, early)).toMatchObject({
      status: 'completed',
      version: 2,
    });
    expect(() => applyStatusChange(current, { to: 'completed' }, early.minus({ minutes: 1 }))).toThrow(
      ValidationError,
    );
    expect(() => applyStatusChange(current, { to: 'no-show' }, early)).toThrow(ValidationError);
    const started = parseUtc('2026-12-08T15:00:00.000Z');
    expect(applyStatusChange(current, { to: 'no-show' }, started)).toMatchObject({
      status: 'no-show',
      version: 2,
    });
  });
});
