/**
 * Turns planning failures into re-planned appointments, or into a record
 * a person can act on. A change the appointments stream mapping gave up on
 * reaches us only as its position in the stream (shard and sequence
 * numbers), and the stream keeps records for 24 hours; so it is read back at
 * once, while the records are still there, and turned into clinic and
 * appointment ids that stay meaningful for as long as they are kept.
 */
import type { DeadLetters } from '../ports/outbound';
import type { AppointmentRepository } from '../ports/repositories';
import type { StreamBatchPosition, StreamChangeReader } from '../ports/stream';
import { type PlanDeps, planAppointmentMessages, UnplannableChangeError } from './plan-appointment-messages';

/** One entry of the planning retry queue, decoded (shared/lambda/plan-failures.ts). */
export type FailedChange =
  | { kind: 'stream-batch'; position: StreamBatchPosition }
  | { kind: 'appointment'; clinicId: string; appointmentId: string }
  | { kind: 'unreadable'; entryId: string };

export interface ReplanDeps extends PlanDeps {
  appointments: AppointmentRepository;
  stream: StreamChangeReader;
  /** The planning dead-letter queue: what could not be re-planned, by ids. */
  deadLetters: DeadLetters;
  /** The appointments stream: entries naming another stream are set aside unread. */
  appointmentsStreamArn: string;
}

export interface ReplanSummary {
  replanned: number;
  setAside: number;
}

const SOURCE = 'replan-failed-changes';

/**
 * Re-plans one appointment from its current record, as re-saving it would;
 * what cannot be planned now is set aside with its ids and why.
 */
async function replanAppointment(
  deps: ReplanDeps,
  ids: { clinicId: string; appointmentId: string },
  summary: ReplanSummary,
): Promise<void> {
  const setAside = async (reason: string) => {
    await deps.deadLetters.setAside({ source: SOURCE, reason, ids });
    deps.logger.warn('appointment could not be re-planned; set aside', { ...ids, reason });
    deps.telemetry.count('ReplanSetAside', 1, { reason });
    summary.setAside += 1;
  };
  const appointment = await deps.appointments.get(ids.clinicId, ids.appointmentId);
  if (!appointment) {
    await setAside('appointment-not-found');
    return;
  }
  try {
    await planAppointmentMessages(deps, appointment);
  } catch (error) {
    await setAside(error instanceof UnplannableChangeError ? error.reason : 'planning-failed');
    return;
  }
  deps.logger.info('appointment re-planned', { ...ids, version: appointment.version });
  deps.telemetry.count('AppointmentReplanned', 1);
  summary.replanned += 1;
}

/**
 * Re-plans what planning failed on.
 *
 * Primary course:
 * 1. A stream batch is read back from the stream into the appointments it
 *    changed (each once: re-planning reads the appointment as it is now).
 * 2. Each appointment is re-planned from its current record; planning is
 *    idempotent, so an appointment planned meanwhile changes nothing.
 * 3. Whatever cannot be re-planned (planning still fails, the appointment
 *    is gone, the stream no longer holds the batch or all of it, the entry is unreadable)
 *    is set aside on the planning dead-letter queue with ids and a reason,
 *    from where a person replays it once the cause is fixed.
 *
 * @param deps - planning dependencies, the stream reader and the dead-letter queue
 * @param change - one decoded entry
 */
export async function replanFailedChange(deps: ReplanDeps, change: FailedChange): Promise<ReplanSummary> {
  const summary: ReplanSummary = { replanned: 0, setAside: 0 };
  if (change.kind === 'appointment') {
    await replanAppointment(
      deps,
      { clinicId: change.clinicId, appointmentId: change.appointmentId },
      summary,
    );
    return summary;
  }
  const setAsideEntry = async (reason: string, ids: Record<string, string>) => {
    await deps.deadLetters.setAside({ source: SOURCE, reason, ids });
    deps.logger.error('planning failure could not be turned into appointments; set aside', {
      ...ids,
      reason,
    });
    deps.telemetry.count('ReplanSetAside', 1, { reason });
    summary.setAside += 1;
  };
  if (change.kind === 'unreadable') {
    await setAsideEntry('unreadable-entry', { entryId: change.entryId });
    return summary;
  }
  const { position } = change;
  const where = {
    shardId: position.shardId,
    startSequenceNumber: position.startSequenceNumber,
    endSequenceNumber: position.endSequenceNumber,
  };
  if (position.streamArn !== deps.appointmentsStreamArn) {
    await setAsideEntry('unknown-stream', where);
    return summary;
  }
  const { keys, complete } = await deps.stream.read(position);
  // What is missing cannot be named any more: its position is all a person gets.
  if (!complete)
    await setAsideEntry(keys.length === 0 ? 'stream-records-gone' : 'stream-records-incomplete', where);
  const seen = new Set<string>();
  for (const { clinicId, appointmentId } of keys) {
    const id = `${clinicId}#${appointmentId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    await replanAppointment(deps, { clinicId, appointmentId }, summary);
  }
  return summary;
}
