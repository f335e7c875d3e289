/**
 * How staff changes turn into the next version of an appointment. Pure: the
 * caller passes the current record (if any) and `now`.
 *
 * Versions: every real change bumps `version`; a change of start, duration,
 * location or video link also sets `scheduleVersion` to the new version,
 * which is what makes reminders of the old time obsolete. A change that
 * changes nothing returns the record as it is (no new version, no stream
 * event, no planning).
 */
import type { DateTime } from 'luxon';
import { ConflictError, ValidationError } from './errors';
import { type Appointment, AppointmentFieldsSchema, type AppointmentStatus } from './model';
import { parseUtc, toUtcIso } from './time';
import { parseOrThrow } from './validation';

export type AppointmentFields = ReturnType<typeof AppointmentFieldsSchema.parse>;

const SCHEDULE_FIELDS = ['startAt', 'durationMinutes', 'location', 'videoLink'] as const;
const ALL_FIELDS = ['patientId', ...SCHEDULE_FIELDS, 'type'] as const;

/** How long before the start a visit may already be marked completed (it began early). */
export const EARLY_COMPLETION_MINUTES = 60;

function same(a: unknown, b: unknown): boolean {
  return a === b;
}

/**
 * The appointment after staff booked or edited it.
 *
 * @param ids - clinic and appointment id (from the URL)
 * @param current - the stored appointment, or undefined for a new booking
 * @param input - the fields as sent (validated here)
 * @param now - the current instant
 */
export function applyBooking(
  ids: { clinicId: string; appointmentId: string },
  current: Appointment | undefined,
  input: unknown,
  now: DateTime,
): Appointment {
  const fields = parseOrThrow(AppointmentFieldsSchema, input);
  const at = toUtcIso(now);
  if (!current) {
    if (parseUtc(fields.startAt) <= now)
      throw ValidationError.field('startAt', 'must be in the future for a new booking');
    return {
      ...fields,
      ...ids,
      status: 'booked',
      version: 1,
      scheduleVersion: 1,
      createdAt: at,
      updatedAt: at,
    };
  }
  if (current.status !== 'booked') {
    throw new ConflictError(
      `appointment ${current.appointmentId} is ${current.status}; it cannot be changed (book a new one)`,
      current.version,
    );
  }
  if (fields.patientId !== current.patientId) {
    throw ValidationError.field(
      'patientId',
      'cannot change on an existing appointment; cancel it and book anew',
    );
  }
  const scheduleChanged = SCHEDULE_FIELDS.some((field) => !same(fields[field], current[field]));
  const anyChanged = ALL_FIELDS.some((field) => !same(fields[field], current[field]));
  if (!anyChanged) return current;
  if (scheduleChanged && parseUtc(fields.startAt) <= now && fields.startAt !== current.startAt) {
    throw ValidationError.field('startAt', 'cannot move a visit into the past');
  }
  const version = current.version + 1;
  // A confirmation holds for the schedule the patient confirmed: a move drops it.
  const { location: _location, videoLink: _videoLink, confirmation, ...kept } = current;
  return {
    ...kept,
    ...(confirmation && !scheduleChanged ? { confirmation } : {}),
    ...fields,
    version,
    scheduleVersion: scheduleChanged ? version : current.scheduleVersion,
    updatedAt: at,
  };
}

export type StatusChange =
  | { to: 'cancelled'; by: 'clinic' | 'patient' }
  | { to: 'completed' }
  | { to: 'no-show' };

/**
 * The appointment after a status change. Repeating the same change is a
 * no-op (a retried POST /cancel does not create a second notice).
 *
 * @param current - the stored appointment
 * @param change - the new status (and who cancelled)
 * @param now - the current instant
 */
export function applyStatusChange(current: Appointment, change: StatusChange, now: DateTime): Appointment {
  if (current.status === change.to) return current;
  if (current.status !== 'booked') {
    throw new ConflictError(
      `appointment ${current.appointmentId} is ${current.status}; it cannot become ${change.to}`,
      current.version,
    );
  }
  const start = parseUtc(current.startAt);
  if (change.to === 'completed' && now < start.minus({ minutes: EARLY_COMPLETION_MINUTES })) {
    throw ValidationError.field('status', 'cannot be completed before the visit starts');
  }
  if (change.to === 'no-show' && now < start) {
    throw ValidationError.field('status', 'cannot be a no-show before the visit starts');
  }
  const status: AppointmentStatus = change.to;
  return {
    ...current,
    status,
    ...(change.to === 'cancelled' ? { cancelledBy: change.by } : {}),
    version: current.version + 1,
    updatedAt: toUtcIso(now),
  };
}
