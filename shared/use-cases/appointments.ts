import {
  type AppointmentFields,
  applyBooking,
  applyStatusChange,
  type StatusChange,
} from '../domain/appointment-changes';
import { NotFoundError, ValidationError } from '../domain/errors';
import type { Appointment } from '../domain/model';
import type { Clock } from '../domain/time';
import type { AppointmentRepository, PatientRepository } from '../ports/repositories';
import { checkExpectedVersion, type Saved } from './versions';

export interface AppointmentDeps {
  appointments: AppointmentRepository;
  patients: PatientRepository;
  clock: Clock;
}

export interface AppointmentIds {
  clinicId: string;
  appointmentId: string;
}

/**
 * Books a new appointment or changes a booked one.
 *
 * Primary course:
 * 1. Read the stored appointment; an existing one needs the version the caller read.
 * 2. Check that the patient exists in this clinic.
 * 3. Work out the next version (a reschedule moves the schedule version too).
 * 4. Store it conditionally; the stream then plans its messages.
 *
 * @param deps - repositories and clock
 * @param ids - clinic and appointment id
 * @param input - the appointment fields as sent
 * @param expectedVersion - the version the caller read, required for an existing appointment
 */
export async function saveAppointment(
  deps: AppointmentDeps,
  ids: AppointmentIds,
  input: unknown,
  expectedVersion: number | undefined,
): Promise<Saved<Appointment>> {
  const current = await deps.appointments.get(ids.clinicId, ids.appointmentId);
  checkExpectedVersion(`appointment ${ids.appointmentId}`, current, expectedVersion);
  const next = applyBooking(ids, current, input, deps.clock.now());
  if (next === current) return { record: current, outcome: 'unchanged' };
  const patient = await deps.patients.get(ids.clinicId, next.patientId);
  if (!patient) throw ValidationError.field('patientId', 'no patient with this id in this clinic');
  await deps.appointments.put(next, current?.version ?? null);
  return { record: next, outcome: current ? 'updated' : 'created' };
}

/**
 * Cancels, completes or marks a no-show; repeating the same change is a no-op.
 *
 * @param deps - repositories and clock
 * @param ids - clinic and appointment id
 * @param change - the status change
 * @param expectedVersion - the version the caller read, if it named one
 */
export async function changeAppointmentStatus(
  deps: AppointmentDeps,
  ids: AppointmentIds,
  change: StatusChange,
  expectedVersion?: number,
): Promise<Saved<Appointment>> {
  const current = await deps.appointments.get(ids.clinicId, ids.appointmentId);
  if (!current) throw new NotFoundError(`appointment ${ids.appointmentId} does not exist`);
  if (expectedVersion !== undefined)
    checkExpectedVersion(`appointment ${ids.appointmentId}`, current, expectedVersion);
  const next = applyStatusChange(current, change, deps.clock.now());
  if (next === current) return { record: current, outcome: 'unchanged' };
  await deps.appointments.put(next, current.version);
  return { record: next, outcome: 'updated' };
}

export type { AppointmentFields, StatusChange };
