import { AppError } from '../domain/errors';
import type { Appointment, Clinic, Message, MessageStatus } from '../domain/model';
import { type PlannedMessage, parseMessageId, plan, reconcile } from '../domain/planning';
import { type Clock, toUtcIso } from '../domain/time';
import type { AppLogger, Telemetry } from '../ports/outbound';
import {
  type MessageRepository,
  MessageTransitionError,
  type PatientRepository,
} from '../ports/repositories';
import type { ClinicCache } from './clinic-cache';
import { createAndEnqueueDueNow, type SendNowPorts } from './enqueue-due-now';

/**
 * A change that can never be planned however often it is retried (unknown
 * clinic or patient, malformed record). The stream handler sets it aside
 * instead of blocking the shard for a day of retries.
 */
export class UnplannableChangeError extends AppError {
  constructor(
    message: string,
    readonly reason: 'malformed-record' | 'unknown-clinic' | 'unknown-patient',
  ) {
    super(message);
  }
}

/** States in which a message has, or may have, reached the patient. */
const REACHED_PATIENT: ReadonlySet<MessageStatus> = new Set(['sending', 'sent', 'delivered', 'unknown']);

export interface PlanDeps {
  clinics: ClinicCache;
  patients: PatientRepository;
  messages: MessageRepository;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
  /**
   * The send queue and budget for what is due at once. Absent (the replay
   * of failed changes), everything planned waits for the sweep.
   */
  sendNow?: SendNowPorts;
}

export type PlanOutcome =
  | {
      status: 'planned';
      created: number;
      replayed: number;
      withdrawn: number;
      reinstated: number;
      lostRaces: number;
    }
  | { status: 'ignored'; reason: 'older-version' };

/** The outbox item for a planned message, as first stored. */
function toMessage(planned: PlannedMessage, appointment: Appointment, clinic: Clinic, now: string): Message {
  return {
    clinicId: appointment.clinicId,
    patientId: appointment.patientId,
    appointmentId: appointment.appointmentId,
    messageId: planned.messageId,
    kind: planned.kind,
    ...(planned.offset ? { offset: planned.offset } : {}),
    priority: planned.priority,
    channel: planned.channel,
    // The clinic's texts then wait in its number's lane of the due index.
    ...(clinic.originationIdentity ? { ownNumber: true } : {}),
    language: planned.language,
    dueAt: planned.dueAt,
    plannedAt: planned.plannedAt,
    notAfter: planned.notAfter,
    status: planned.status,
    ...(planned.reason ? { reason: planned.reason } : {}),
    attempts: 0,
    planVersion: appointment.version,
    rev: 1,
    createdAt: now,
    updatedAt: now,
    ...(planned.status === 'skipped' ? { finishedAt: now } : {}),
  };
}

/**
 * Brings an appointment's planned messages in line with its current version.
 *
 * Primary course:
 * 1. Load the clinic and the patient; either missing makes the change unplannable.
 * 2. Read the patient's stored messages: this appointment's, and the others for the frequency cap.
 * 3. Plan the desired messages and reconcile them with the stored ones
 *    (an older version than one already planned changes nothing).
 * 4. Create what is missing (conditional: a replay finds its ids and writes
 *    nothing), handing what is due now (a confirmation, a change notice) to
 *    the send queue at once under the sweep's claim; withdraw what is
 *    obsolete (conditional: a message already being sent is left to the
 *    send-time decision, which re-reads the appointment).
 * 5. Withdraw the pending reminders that give way under the frequency cap
 *    (another visit's far-ahead ones), with reason `frequency-cap`, and give
 *    back to pending the other visits' capped reminders that fit again.
 *
 * @param deps - repositories, clock, logger, telemetry
 * @param appointment - the appointment as the change left it
 */
export async function planAppointmentMessages(
  deps: PlanDeps,
  appointment: Appointment,
): Promise<PlanOutcome> {
  const ids = {
    clinicId: appointment.clinicId,
    appointmentId: appointment.appointmentId,
    version: appointment.version,
  };
  const [clinic, patient] = await Promise.all([
    deps.clinics.get(appointment.clinicId),
    deps.patients.get(appointment.clinicId, appointment.patientId),
  ]);
  if (!clinic)
    throw new UnplannableChangeError(`clinic ${appointment.clinicId} does not exist`, 'unknown-clinic');
  if (!patient) {
    throw new UnplannableChangeError(
      `patient ${appointment.patientId} of clinic ${appointment.clinicId} does not exist`,
      'unknown-patient',
    );
  }

  const stored = await deps.messages.listForPatient(appointment.clinicId, appointment.patientId);
  const mine = stored.filter((message) => message.appointmentId === appointment.appointmentId);
  if (mine.some((message) => message.planVersion > appointment.version)) {
    // A newer version was planned already (replay or out-of-order delivery).
    deps.logger.info('older appointment version ignored', ids);
    deps.telemetry.count('PlanIgnoredOlderVersion');
    return { status: 'ignored', reason: 'older-version' };
  }
  // The frequency cap weighs what the patient already got or will get: every
  // other appointment's messages, this appointment's reminders of an earlier
  // schedule that went (or may have gone) out before it moved, and this
  // schedule's own stored copies (so a replay neither counts them twice nor
  // brings back one the cap gave up).
  const others = stored.filter((message) => {
    if (message.appointmentId !== appointment.appointmentId) return true;
    const version = parseMessageId(message.messageId)?.version;
    return version === appointment.scheduleVersion || REACHED_PATIENT.has(message.status);
  });
  const now = deps.clock.now();
  const {
    messages: desired,
    capWithdrawals,
    capReinstatements,
  } = plan({
    appointment,
    patient,
    clinic,
    now,
    otherMessages: others,
  });
  const change = reconcile(desired, mine, appointment);

  const at = toUtcIso(now);
  const fresh = change.create.map((planned) => toMessage(planned, appointment, clinic, at));
  const created = deps.sendNow
    ? (await createAndEnqueueDueNow({ ...deps, ...deps.sendNow }, fresh)).created
    : await Promise.all(fresh.map((message) => deps.messages.create(message)));
  const ownPlanVersion = (messageId: string) =>
    mine.some((message) => message.messageId === messageId) ? { planVersion: appointment.version } : {};
  const withdrawals = await Promise.all(
    [
      ...change.withdraw,
      ...capWithdrawals.map((messageId) => ({ messageId, reason: 'frequency-cap' as const })),
    ].map(async ({ messageId, reason }) => {
      try {
        // Another visit's reminder keeps the version of its own appointment.
        await deps.messages.withdraw(
          { clinicId: appointment.clinicId, patientId: appointment.patientId, messageId },
          { reason, at, ...ownPlanVersion(messageId) },
        );
        return true;
      } catch (error) {
        // Already being sent or finished: send-time decide() re-reads the
        // appointment, so a stale reminder is still stopped there.
        if (error instanceof MessageTransitionError) return false;
        throw error;
      }
    }),
  );
  // Room the cap frees goes back to other visits' skipped reminders; one
  // that its visit closed meanwhile (moved, ended) stays closed.
  const storedById = new Map(stored.map((message) => [message.messageId, message]));
  const reinstated = await Promise.all(
    capReinstatements.map(async (messageId) => {
      const message = storedById.get(messageId);
      if (!message) return false;
      try {
        await deps.messages.reinstate(message, at);
        return true;
      } catch (error) {
        if (error instanceof MessageTransitionError) return false;
        throw error;
      }
    }),
  );
  const outcome = {
    status: 'planned' as const,
    reinstated: reinstated.filter(Boolean).length,
    created: created.filter(Boolean).length,
    replayed: created.filter((fresh) => !fresh).length,
    withdrawn: withdrawals.filter(Boolean).length,
    lostRaces: withdrawals.filter((done) => !done).length,
  };
  deps.logger.info('appointment planned', { ...ids, ...outcome });
  deps.telemetry.count('MessagesPlanned', outcome.created);
  deps.telemetry.count('MessagesWithdrawn', outcome.withdrawn);
  deps.telemetry.count('MessagesReinstated', outcome.reinstated);
  return outcome;
}

/**
 * An appointment item was deleted: withdraw everything still pending for it.
 *
 * @param deps - repositories, clock, logger, telemetry
 * @param appointment - the appointment as it was before deletion
 */
export async function withdrawDeletedAppointment(deps: PlanDeps, appointment: Appointment): Promise<number> {
  const stored = await deps.messages.listForAppointment(
    appointment.clinicId,
    appointment.patientId,
    appointment.appointmentId,
  );
  const at = toUtcIso(deps.clock.now());
  let withdrawn = 0;
  for (const message of stored.filter((m) => m.status === 'pending' || m.status === 'queued')) {
    try {
      await deps.messages.withdraw(
        { clinicId: message.clinicId, patientId: message.patientId, messageId: message.messageId },
        { reason: 'appointment-deleted', at },
      );
      withdrawn += 1;
    } catch (error) {
      if (!(error instanceof MessageTransitionError)) throw error;
    }
  }
  deps.logger.info('deleted appointment withdrawn', {
    clinicId: appointment.clinicId,
    appointmentId: appointment.appointmentId,
    withdrawn,
  });
  return withdrawn;
}
