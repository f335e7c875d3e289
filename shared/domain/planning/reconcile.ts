/**
 * reconcile(): what to write so that the stored messages of an appointment
 * match the desired ones. Stored items are never updated: an id is created
 * once, and an obsolete one that has not started sending is withdrawn (marked
 * skipped with a reason, which the pipeline does with a conditional write).
 */
import type { Appointment, Message, MessageKind, MessageStatus } from '../model';
import { originalIdOf, parseMessageId } from './ids';
import type { PlannedMessage } from './types';

/** Why reconcile() withdraws a stored message. */
export const WITHDRAW_REASONS = [
  /** The visit moved: reminders, confirmation or reschedule notice of an earlier schedule. */
  'appointment-moved',
  'appointment-cancelled',
  'appointment-completed',
  'appointment-no-show',
  /** A newer notice of the same one-per-appointment kind replaces it (cancellation, survey). */
  'superseded',
  /** Anything else: offsets, confirmation or survey settings, or the appointment type changed. */
  'policy-changed',
] as const;
export type WithdrawReason = (typeof WITHDRAW_REASONS)[number];

/** What reconcile() needs to know about the appointment. */
export type ReconcileAppointment = Pick<Appointment, 'version' | 'scheduleVersion' | 'status'>;

/** The fields of a stored message that reconcile() reads. */
export type StoredMessage = Pick<Message, 'messageId' | 'kind' | 'status' | 'planVersion'> &
  Partial<Pick<Message, 'reason'>>;

export interface Withdrawal {
  messageId: string;
  reason: WithdrawReason;
}

export interface Reconciliation {
  create: PlannedMessage[];
  withdraw: Withdrawal[];
}

/** Statuses a withdrawal may still stop. */
const WITHDRAWABLE: ReadonlySet<MessageStatus> = new Set(['pending', 'queued']);

/**
 * A message a withdrawal may still stop: pending or queued, or a reminder
 * the frequency cap skipped (room freed later may bring it back) when its
 * visit is cancelled or moved. A completed or missed visit's capped
 * reminders were due before it and cannot come back: they keep saying why
 * they were not sent.
 */
function stillOpen(message: StoredMessage, appointment: ReconcileAppointment): boolean {
  if (WITHDRAWABLE.has(message.status)) return true;
  if (message.status !== 'skipped' || message.reason !== 'frequency-cap') return false;
  const version = parseMessageId(message.messageId)?.version ?? appointment.scheduleVersion;
  return appointment.status === 'cancelled' || version < appointment.scheduleVersion;
}

/**
 * A cancellation notice or survey is sent at most once per appointment. Their
 * ids carry the version at which the appointment reached that status, so a
 * later touch of a closed appointment would otherwise plan a second one.
 */
const ONE_PER_APPOINTMENT: ReadonlySet<MessageKind> = new Set(['cancellation', 'survey']);

/** A one-per-appointment message in one of these has gone (or may have gone) to the provider. */
const UNDER_WAY: ReadonlySet<MessageStatus> = new Set([
  'queued',
  'sending',
  'sent',
  'delivered',
  'undeliverable',
  'unknown',
  'failed',
]);

/** Kinds whose id version is the schedule version (a move makes them obsolete). */
const SCHEDULE_BOUND: ReadonlySet<MessageKind> = new Set(['reminder', 'confirmation', 'reschedule']);

function withdrawReason(
  message: StoredMessage,
  appointment: ReconcileAppointment,
  replaced: boolean,
): WithdrawReason {
  if (appointment.status === 'cancelled' && message.kind !== 'cancellation') return 'appointment-cancelled';
  if (appointment.status === 'completed' && message.kind !== 'survey') return 'appointment-completed';
  if (appointment.status === 'no-show') return 'appointment-no-show';
  if (replaced) return 'superseded';
  const parsed = parseMessageId(message.messageId);
  if (parsed && SCHEDULE_BOUND.has(parsed.kind) && parsed.version < appointment.scheduleVersion) {
    return 'appointment-moved';
  }
  return 'policy-changed';
}

/**
 * Compares the desired messages of an appointment with the stored ones.
 *
 * @param desired - the output of plan() for this appointment version
 * @param stored - this appointment's stored messages
 * @param appointment - the appointment version that was planned (version,
 *   schedule version, status: they name the withdrawal reasons)
 * @returns the messages to create and the ones to withdraw; both empty when a
 *   stored message was planned by a newer version (this record is older)
 */
export function reconcile(
  desired: readonly PlannedMessage[],
  stored: readonly StoredMessage[],
  appointment: ReconcileAppointment,
): Reconciliation {
  if (stored.some((message) => message.planVersion > appointment.version))
    return { create: [], withdraw: [] };

  const storedIds = new Set(stored.map((message) => message.messageId));
  const desiredIds = new Set(desired.map((message) => message.messageId));
  const desiredKinds = new Set(desired.map((message) => message.kind));
  const underWay = new Set(
    stored
      .filter((message) => ONE_PER_APPOINTMENT.has(message.kind) && UNDER_WAY.has(message.status))
      .map((message) => message.kind),
  );

  const create = desired.filter(
    (message) =>
      !storedIds.has(message.messageId) &&
      !(ONE_PER_APPOINTMENT.has(message.kind) && underWay.has(message.kind)),
  );
  // A fallback copy (another channel, after an undeliverable receipt) stands
  // or falls with the message it copies.
  const withdraw = stored
    .filter((message) => stillOpen(message, appointment) && !desiredIds.has(originalIdOf(message.messageId)))
    .filter((message) => {
      // A queued notice of a one-per-appointment kind stands for the desired one.
      const standsIn =
        message.status === 'queued' &&
        ONE_PER_APPOINTMENT.has(message.kind) &&
        desiredKinds.has(message.kind);
      return !standsIn;
    })
    .map((message) => ({
      messageId: message.messageId,
      reason: withdrawReason(
        message,
        appointment,
        ONE_PER_APPOINTMENT.has(message.kind) && desiredKinds.has(message.kind),
      ),
    }));
  return { create, withdraw };
}
