import { describe, expect, it } from 'vitest';
import type { Appointment, Message } from '../../../../shared/domain/model';
import { type PlannedMessage, plan, reconcile, WITHDRAW_REASONS } from '../../../../shared/domain/planning';
import { parseUtc } from '../../../../shared/domain/time';
import { makeAppointment, makeClinic, makeMessage, makePatient } from '../../../support/factories';

const clinic = makeClinic();
const patient = makePatient();

function desiredFor(appointment: Appointment, clinicOverride = clinic): PlannedMessage[] {
  return plan({
    appointment,
    patient,
    clinic: clinicOverride,
    now: parseUtc(appointment.updatedAt),
    otherMessages: [],
  }).messages;
}

/** The stored form of planned messages, as the pipeline writes them. */
function store(planned: PlannedMessage[], planVersion: number, status?: Message['status']): Message[] {
  return planned.map((message) =>
    makeMessage({
      messageId: message.messageId,
      kind: message.kind,
      offset: message.offset,
      dueAt: message.dueAt,
      plannedAt: message.plannedAt,
      notAfter: message.notAfter,
      status: status ?? message.status,
      reason: message.reason,
      planVersion,
    }),
  );
}

const booked = makeAppointment();

describe('reconcile', () => {
  it('creates every desired message on the first plan', () => {
    const desired = desiredFor(booked);
    expect(reconcile(desired, [], booked)).toEqual({ create: desired, withdraw: [] });
  });

  it('changes nothing when the same version is replayed', () => {
    const desired = desiredFor(booked);
    expect(reconcile(desired, store(desired, 1), booked)).toEqual({ create: [], withdraw: [] });
  });

  it('on a move, withdraws the old reminders and confirmation as appointment-moved and plans new ones plus one notice', () => {
    const stored = store(desiredFor(booked), 1);
    const moved = makeAppointment({ startAt: '2026-12-09T15:00:00.000Z', version: 2, scheduleVersion: 2 });
    const { create, withdraw } = reconcile(desiredFor(moved), stored, moved);
    expect(create.map((message) => message.messageId)).toEqual([
      'a-1#reschedule#-#v2',
      'a-1#reminder#3d#v2',
      'a-1#reminder#1d#v2',
      'a-1#reminder#2h#v2',
    ]);
    expect(withdraw).toEqual([
      { messageId: 'a-1#confirmation#-#v1', reason: 'appointment-moved' },
      { messageId: 'a-1#reminder#3d#v1', reason: 'appointment-moved' },
      { messageId: 'a-1#reminder#1d#v1', reason: 'appointment-moved' },
      { messageId: 'a-1#reminder#2h#v1', reason: 'appointment-moved' },
    ]);
  });

  it('withdraws the notice of an earlier move when the visit moves again', () => {
    const once = makeAppointment({ version: 2, scheduleVersion: 2 });
    const twice = makeAppointment({ startAt: '2026-12-10T15:00:00.000Z', version: 3, scheduleVersion: 3 });
    const { withdraw } = reconcile(desiredFor(twice), store(desiredFor(once), 2), twice);
    expect(withdraw).toContainEqual({ messageId: 'a-1#reschedule#-#v2', reason: 'appointment-moved' });
  });

  it('on a cancellation, withdraws everything pending or queued and plans one cancellation notice', () => {
    const stored = store(desiredFor(booked), 1);
    stored[1] = { ...(stored[1] as Message), status: 'queued' };
    const cancelled = makeAppointment({ status: 'cancelled', cancelledBy: 'clinic', version: 2 });
    const { create, withdraw } = reconcile(desiredFor(cancelled), stored, cancelled);
    expect(create.map((message) => message.messageId)).toEqual(['a-1#cancellation#-#v2']);
    expect(withdraw.map((w) => w.reason)).toEqual(Array(4).fill('appointment-cancelled'));
  });

  it('never withdraws what is being sent or finished', () => {
    const stored = store(desiredFor(booked), 1).map(
      (message, index): Message => ({
        ...message,
        status: (['sending', 'sent', 'failed', 'unknown'] as const)[index] ?? 'skipped',
      }),
    );
    const cancelled = makeAppointment({ status: 'cancelled', cancelledBy: 'patient', version: 2 });
    expect(reconcile(desiredFor(cancelled), stored, cancelled)).toEqual({ create: [], withdraw: [] });
  });

  it('names completed and no-show visits, and calls anything else a policy change', () => {
    const stored = store(desiredFor(booked), 1);
    const completed = makeAppointment({ status: 'completed', version: 2 });
    expect(
      new Set(reconcile(desiredFor(completed), stored, completed).withdraw.map((w) => w.reason)),
    ).toEqual(new Set(['appointment-completed']));
    const noShow = makeAppointment({ status: 'no-show', version: 2 });
    expect(new Set(reconcile([], stored, noShow).withdraw.map((w) => w.reason))).toEqual(
      new Set(['appointment-no-show']),
    );
    const fewer = makeClinic({ policy: { reminderOffsets: { default: ['1d'], byType: {} } } });
    const touched = makeAppointment({ version: 2 });
    expect(reconcile(desiredFor(touched, fewer), stored, touched).withdraw).toEqual([
      { messageId: 'a-1#reminder#3d#v1', reason: 'policy-changed' },
      { messageId: 'a-1#reminder#2h#v1', reason: 'policy-changed' },
    ]);
  });

  it('changes nothing for a record older than the one already planned', () => {
    const moved = makeAppointment({ version: 2, scheduleVersion: 2 });
    const stored = store(desiredFor(moved), 2);
    expect(reconcile(desiredFor(booked), stored, booked)).toEqual({ create: [], withdraw: [] });
  });

  it('sends at most one cancellation notice even if a cancelled appointment is touched again', () => {
    const cancelled = makeAppointment({ status: 'cancelled', cancelledBy: 'clinic', version: 2 });
    const touched = makeAppointment({ status: 'cancelled', cancelledBy: 'clinic', version: 3 });
    // Already on its way: it stands for the new one.
    for (const status of ['queued', 'sending', 'sent', 'unknown', 'failed'] as const) {
      const stored = store(desiredFor(cancelled), 2, status);
      expect(reconcile(desiredFor(touched), stored, touched), status).toEqual({ create: [], withdraw: [] });
    }
    // Still pending: replaced, so the patient gets exactly one.
    const pending = store(desiredFor(cancelled), 2, 'pending');
    const { create, withdraw } = reconcile(desiredFor(touched), pending, touched);
    expect(create.map((message) => message.messageId)).toEqual(['a-1#cancellation#-#v3']);
    expect(withdraw).toEqual([{ messageId: 'a-1#cancellation#-#v2', reason: 'superseded' }]);
  });

  it('lists its reasons', () => {
    expect(WITHDRAW_REASONS).toEqual([
      'appointment-moved',
      'appointment-cancelled',
      'appointment-completed',
      'appointment-no-show',
      'superseded',
      'policy-changed',
    ]);
  });
});
