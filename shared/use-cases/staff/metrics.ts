/**
 * Clinic figures for a period, computed from the tables on request.
 *
 * What "in the period" means: the appointments that START in [from, to),
 * and every message planned for those appointments (a 3-day reminder of a
 * visit on the 2nd counts in the period that holds the 2nd, even if it went
 * out on the 29th). Broadcasts and keyword replies, which belong to no
 * appointment, are not counted. Opt-outs are those recorded in the period by
 * the patients of those appointments; a patient without a visit in the
 * period is not seen. A period holds at most MAX_METRICS_APPOINTMENTS
 * appointments, so one request stays within the API's time limit.
 */
import type { Metrics } from '../../api/schemas';
import { MetricsQuerySchema } from '../../api/schemas';
import { ValidationError } from '../../domain/errors';
import {
  ACCEPTED_STATUSES,
  type Appointment,
  AppointmentStatusSchema,
  ChannelSchema,
  MESSAGE_KINDS,
  MESSAGE_STATUSES,
  type Message,
} from '../../domain/model';
import { parseUtc } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type {
  AppointmentRepository,
  ClinicRepository,
  MessageRepository,
  PatientRepository,
} from '../../ports/repositories';
import { loadClinic, mapWithConcurrency } from './common';
import { resolvePeriod } from './period';

export interface MetricsDeps {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
}

export const MAX_METRICS_DAYS = 92;
export const MAX_METRICS_APPOINTMENTS = 2000;
const READS_IN_FLIGHT = 8;

export const METRICS_METHOD =
  'Appointments starting in [from, to) and every message planned for them, wherever its due time falls; ' +
  'broadcasts and keyword replies are not included. noShowRate = no-shows ÷ (completed + no-shows). ' +
  "Opt-outs: those recorded in [from, to) by these appointments' patients. sendLagSeconds: for sent " +
  'messages, provider acceptance (sentAt) − dueAt; median of all, p99 by nearest rank. ' +
  `At most ${MAX_METRICS_DAYS} days and ${MAX_METRICS_APPOINTMENTS} appointments per request.`;

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** The value at quantile `q` of ascending `sorted`, by nearest rank. */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? null;
}

/** The median of ascending `sorted` (mean of the two middle values for an even count). */
export function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

async function appointmentsIn(
  deps: MetricsDeps,
  clinicId: string,
  period: { from: string; to: string },
): Promise<Appointment[]> {
  const appointments: Appointment[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.appointments.listByStart(clinicId, period, {
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    appointments.push(...page.items);
    if (appointments.length > MAX_METRICS_APPOINTMENTS) {
      throw ValidationError.field(
        'to',
        `the period holds more than ${MAX_METRICS_APPOINTMENTS} appointments; ask for a shorter one`,
      );
    }
    cursor = page.cursor;
  } while (cursor);
  return appointments;
}

function sendLags(messages: readonly Message[]): number[] {
  return messages
    .filter((message) => ACCEPTED_STATUSES.has(message.status) && message.finishedAt)
    .map((message) =>
      parseUtc(message.finishedAt ?? message.dueAt)
        .diff(parseUtc(message.dueAt))
        .as('seconds'),
    )
    .sort((a, b) => a - b);
}

/**
 * The figures of a clinic for a period.
 *
 * Primary course:
 * 1. Check the query; read the clinic for its zone; resolve the period.
 * 2. Read the appointments that start in it (bounded).
 * 3. Read their messages and their patients, a few at a time.
 * 4. Count.
 *
 * @param deps - repositories
 * @param clinicId - the clinic in the path
 * @param query - the query string (`from`, `to`)
 */
export async function clinicMetrics(
  deps: MetricsDeps,
  clinicId: string,
  query: Record<string, string>,
): Promise<Metrics> {
  const parsed = parseOrThrow(MetricsQuerySchema, query);
  const clinic = await loadClinic(deps.clinics, clinicId);
  const period = resolvePeriod(parsed, clinic.timeZone, MAX_METRICS_DAYS);
  const appointments = await appointmentsIn(deps, clinicId, period);

  const messages = (
    await mapWithConcurrency(appointments, READS_IN_FLIGHT, (appointment) =>
      deps.messages.listForAppointment(clinicId, appointment.patientId, appointment.appointmentId),
    )
  ).flat();
  const patientIds = [...new Set(appointments.map((appointment) => appointment.patientId))];
  const patients = await mapWithConcurrency(patientIds, READS_IN_FLIGHT, (patientId) =>
    deps.patients.get(clinicId, patientId),
  );

  const byStatus = zeroCounts(AppointmentStatusSchema.options);
  for (const appointment of appointments) byStatus[appointment.status] += 1;
  const outcomes = byStatus.completed + byStatus['no-show'];

  const byKind = zeroCounts(MESSAGE_KINDS);
  const byChannel = zeroCounts(ChannelSchema.options);
  const byMessageStatus = zeroCounts(MESSAGE_STATUSES);
  const breakdown = new Map<string, Metrics['messages']['breakdown'][number]>();
  for (const message of messages) {
    byKind[message.kind] += 1;
    byChannel[message.channel] += 1;
    byMessageStatus[message.status] += 1;
    const key = `${message.kind}|${message.channel}|${message.status}`;
    const row = breakdown.get(key) ?? {
      kind: message.kind,
      channel: message.channel,
      status: message.status,
      count: 0,
    };
    row.count += 1;
    breakdown.set(key, row);
  }

  const inPeriod = (at: string | undefined) => at !== undefined && at >= period.from && at < period.to;
  const optOuts = { sms: 0, email: 0, patients: 0 };
  for (const patient of patients) {
    if (!patient) continue;
    const sms = inPeriod(patient.optOuts.sms?.at);
    const email = inPeriod(patient.optOuts.email?.at);
    optOuts.sms += sms ? 1 : 0;
    optOuts.email += email ? 1 : 0;
    optOuts.patients += sms || email ? 1 : 0;
  }

  const lags = sendLags(messages);
  return {
    clinicId,
    ...period,
    timeZone: clinic.timeZone,
    appointments: {
      total: appointments.length,
      byStatus,
      noShowRate: outcomes === 0 ? null : byStatus['no-show'] / outcomes,
    },
    messages: {
      total: messages.length,
      byKind,
      byChannel,
      byStatus: byMessageStatus,
      breakdown: [...breakdown.values()].sort(
        (a, b) =>
          a.kind.localeCompare(b.kind) ||
          a.channel.localeCompare(b.channel) ||
          a.status.localeCompare(b.status),
      ),
    },
    optOuts,
    sendLagSeconds: { count: lags.length, median: median(lags), p99: nearestRank(lags, 0.99) },
    method: METRICS_METHOD,
  };
}
