/**
 * The metrics as GET …/metrics computed them before the daily counters, kept
 * only here for the benchmark's comparison (bench/metrics.ts): every
 * appointment that starts in the period, every message planned for each,
 * and each of their patients, read on request. Without the old cap of 2,000
 * appointments, so it can be timed at the size the counters serve.
 */
import { ACCEPTED_STATUSES, type Appointment, type Message } from '../shared/domain/model';
import type {
  AppointmentRepository,
  MessageRepository,
  PatientRepository,
} from '../shared/ports/repositories';
import { mapWithConcurrency } from '../shared/use-cases/staff/common';

const READS_IN_FLIGHT = 8;

export interface ScanFigures {
  appointments: number;
  completed: number;
  noShows: number;
  messages: number;
  sent: number;
  optOuts: number;
}

/**
 * The old per-request scan of a period.
 *
 * @param deps - repositories
 * @param clinicId - the clinic
 * @param period - UTC bounds [from, to)
 */
export async function scanPeriod(
  deps: { appointments: AppointmentRepository; messages: MessageRepository; patients: PatientRepository },
  clinicId: string,
  period: { from: string; to: string },
): Promise<ScanFigures> {
  const appointments: Appointment[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.appointments.listByStart(clinicId, period, {
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    appointments.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  const messages: Message[] = (
    await mapWithConcurrency(appointments, READS_IN_FLIGHT, (appointment) =>
      deps.messages.listForAppointment(clinicId, appointment.patientId, appointment.appointmentId),
    )
  ).flat();
  const patientIds = [...new Set(appointments.map((appointment) => appointment.patientId))];
  const patients = await mapWithConcurrency(patientIds, READS_IN_FLIGHT, (patientId) =>
    deps.patients.get(clinicId, patientId),
  );
  const inPeriod = (at: string | undefined) => at !== undefined && at >= period.from && at < period.to;
  return {
    appointments: appointments.length,
    completed: appointments.filter((appointment) => appointment.status === 'completed').length,
    noShows: appointments.filter((appointment) => appointment.status === 'no-show').length,
    messages: messages.length,
    sent: messages.filter((message) => ACCEPTED_STATUSES.has(message.status)).length,
    optOuts: patients.filter((patient) => inPeriod(patient?.optOuts.sms?.at)).length,
  };
}
