/**
 * The appointment routes of the staff API: views with local times, the
 * list by period, and the message timeline. Booking and status changes go
 * through the pipeline's own use case (shared/use-cases/appointments.ts).
 */
import {
  type AppointmentPage,
  type AppointmentView,
  type ListAppointmentsQuery,
  ListAppointmentsQuerySchema,
  type LocalTimes,
  type Timeline,
  type TimelineMessage,
} from '../../api/schemas';
import { NotFoundError } from '../../domain/errors';
import { ACCEPTED_STATUSES, type Appointment, type Clinic, type Message } from '../../domain/model';
import { isFallbackId, originalIdOf } from '../../domain/planning';
import type { Clock } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type {
  AppointmentRepository,
  ClinicRepository,
  MessageRepository,
  PatientRepository,
} from '../../ports/repositories';
import {
  type AppointmentIds,
  changeAppointmentStatus,
  type StatusChange,
  saveAppointment,
} from '../appointments';
import type { Saved } from '../versions';
import { loadClinic, localIso } from './common';
import { resolvePeriod } from './period';

export interface StaffAppointmentDeps {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
  clock: Clock;
}

/** The longest period one list request may span. */
export const MAX_LIST_DAYS = 366;

/**
 * The API view of an appointment: the record plus its start on the clinic's clock.
 *
 * @param appointment - the stored appointment
 * @param clinic - its clinic
 */
export function toAppointmentView(appointment: Appointment, clinic: Clinic): AppointmentView {
  return {
    ...appointment,
    timeZone: clinic.timeZone,
    startLocal: localIso(appointment.startAt, clinic.timeZone),
  };
}

async function loadAppointment(deps: StaffAppointmentDeps, ids: AppointmentIds): Promise<Appointment> {
  const appointment = await deps.appointments.get(ids.clinicId, ids.appointmentId);
  if (!appointment) {
    throw new NotFoundError(`appointment ${ids.appointmentId} does not exist in clinic ${ids.clinicId}`);
  }
  return appointment;
}

/**
 * One appointment.
 *
 * @param deps - repositories
 * @param ids - clinic and appointment id
 */
export async function getAppointment(
  deps: StaffAppointmentDeps,
  ids: AppointmentIds,
): Promise<AppointmentView> {
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  return toAppointmentView(await loadAppointment(deps, ids), clinic);
}

function viewOf(result: Saved<Appointment>, clinic: Clinic): Saved<AppointmentView> {
  return { record: toAppointmentView(result.record, clinic), outcome: result.outcome };
}

/**
 * Books or changes an appointment ({@link saveAppointment}) and answers with
 * its view on the clinic's clock (a change must name the version it was made against).
 *
 * Primary course:
 * 1. Check the clinic exists.
 * 2. Save through the booking use case (version check, past-start rule, patient must exist).
 *
 * @param deps - repositories and clock
 * @param ids - clinic and appointment id
 * @param body - the request body
 * @param expectedVersion - the version the caller read
 */
export async function saveAppointmentView(
  deps: StaffAppointmentDeps,
  ids: AppointmentIds,
  body: unknown,
  expectedVersion: number | undefined,
): Promise<Saved<AppointmentView>> {
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  return viewOf(await saveAppointment(deps, ids, body, expectedVersion), clinic);
}

/**
 * Cancels, completes or marks a no-show ({@link changeAppointmentStatus};
 * repeating it changes nothing) and answers with the view.
 *
 * @param deps - repositories and clock
 * @param ids - clinic and appointment id
 * @param change - the new status
 * @param expectedVersion - the version the caller read, optional here
 */
export async function changeAppointmentStatusView(
  deps: StaffAppointmentDeps,
  ids: AppointmentIds,
  change: StatusChange,
  expectedVersion: number | undefined,
): Promise<Saved<AppointmentView>> {
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  return viewOf(await changeAppointmentStatus(deps, ids, change, expectedVersion), clinic);
}

/**
 * Appointments starting in a period, in start order, a page at a time.
 *
 * Primary course:
 * 1. Check the query; read the clinic for its zone.
 * 2. Resolve local dates to UTC in that zone.
 * 3. Read one page from the start-time index.
 *
 * @param deps - repositories
 * @param clinicId - the clinic in the path
 * @param query - the query string
 */
export async function listAppointments(
  deps: StaffAppointmentDeps,
  clinicId: string,
  query: Record<string, string>,
): Promise<AppointmentPage> {
  const parsed: ListAppointmentsQuery = parseOrThrow(ListAppointmentsQuerySchema, query);
  const clinic = await loadClinic(deps.clinics, clinicId);
  const period = resolvePeriod(parsed, clinic.timeZone, MAX_LIST_DAYS);
  // The repository's cursor names the period it belongs to and refuses another.
  const page = await deps.appointments.listByStart(clinicId, period, {
    limit: parsed.limit,
    ...(parsed.cursor ? { cursor: parsed.cursor } : {}),
  });
  return {
    ...period,
    timeZone: clinic.timeZone,
    items: page.items.map((appointment) => toAppointmentView(appointment, clinic)),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

function localTimes(message: Message, zone: string): LocalTimes {
  const at = (utc: string | undefined) => (utc === undefined ? undefined : localIso(utc, zone));
  const times: LocalTimes = {
    timeZone: zone,
    dueAt: localIso(message.dueAt, zone),
    plannedAt: localIso(message.plannedAt, zone),
    notAfter: localIso(message.notAfter, zone),
    createdAt: localIso(message.createdAt, zone),
  };
  const optional = {
    queuedAt: at(message.queuedAt),
    sendingAt: at(message.sendingAt),
    sentAt: ACCEPTED_STATUSES.has(message.status) ? at(message.finishedAt) : undefined,
    finishedAt: at(message.finishedAt),
    receiptAt: at(message.receipt?.at),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) times[key as keyof typeof optional] = value;
  }
  return times;
}

function toTimelineMessage(message: Message, zone: string, clinicZone: string): TimelineMessage {
  const optional = {
    offset: message.offset,
    reason: message.reason,
    failedChannels: message.failedChannels,
    queuedAt: message.queuedAt,
    sendingAt: message.sendingAt,
    sentAt: ACCEPTED_STATUSES.has(message.status) ? message.finishedAt : undefined,
    finishedAt: message.finishedAt,
    receipt: message.receipt,
    fallbackOf: isFallbackId(message.messageId) ? originalIdOf(message.messageId) : undefined,
    surveyAnswer: message.surveyAnswer,
  };
  return {
    messageId: message.messageId,
    kind: message.kind,
    priority: message.priority,
    channel: message.channel,
    language: message.language,
    status: message.status,
    attempts: message.attempts,
    planVersion: message.planVersion,
    dueAt: message.dueAt,
    plannedAt: message.plannedAt,
    notAfter: message.notAfter,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    local: localTimes(message, zone),
    clinicLocal: localTimes(message, clinicZone),
  };
}

/**
 * Every message planned for an appointment (pending, sent, skipped with its
 * reason, …), in due order, with its times in UTC, in the zone it is
 * planned in, and in the clinic's zone.
 *
 * Primary course:
 * 1. Read the clinic and the appointment.
 * 2. Read the patient for their zone (a deleted patient falls back to the clinic's).
 * 3. Read the appointment's messages from the patient's partition.
 *
 * @param deps - repositories
 * @param ids - clinic and appointment id
 */
export async function appointmentTimeline(
  deps: StaffAppointmentDeps,
  ids: AppointmentIds,
): Promise<Timeline> {
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  const appointment = await loadAppointment(deps, ids);
  const [patient, messages] = await Promise.all([
    deps.patients.get(ids.clinicId, appointment.patientId),
    deps.messages.listForAppointment(ids.clinicId, appointment.patientId, ids.appointmentId),
  ]);
  const zone = patient?.timeZone ?? clinic.timeZone;
  const ordered = [...messages].sort(
    (a, b) => a.dueAt.localeCompare(b.dueAt) || a.messageId.localeCompare(b.messageId),
  );
  return {
    clinicId: ids.clinicId,
    appointmentId: ids.appointmentId,
    patientId: appointment.patientId,
    appointmentStatus: appointment.status,
    startAt: appointment.startAt,
    timeZone: zone,
    clinicTimeZone: clinic.timeZone,
    messages: ordered.map((message) => toTimelineMessage(message, zone, clinic.timeZone)),
  };
}
