/**
 * Whether a patient's "C" still confirms the visit the answered message was
 * about (issue 12, item 3). A confirmation is recorded beside the status;
 * it never books, cancels or moves anything, so the only question is
 * whether the visit the patient saw is still the visit that is booked.
 */
import type { Appointment, Message } from '../model';
import { parseMessageId } from '../planning/ids';
import { UPCOMING_VISIT_KINDS } from '../planning/rules';
import { parseUtc } from '../time';

/**
 * Why a confirm does not apply; each gets its own answer to the patient:
 * - `no-visit`: the answered message is about no visit (a broadcast);
 * - `visit-missing`: the appointment is gone;
 * - `cancelled`: the visit was cancelled;
 * - `past`: it has started, or was completed or marked a no-show;
 * - `moved`: its time or place changed after the answered message was sent;
 * - `not-a-visit-notice`: the answered message asked about no upcoming
 *   visit (a survey, a cancellation notice of a visit booked again since).
 */
export const CONFIRM_NOT_APPLIED_REASONS = [
  'no-visit',
  'visit-missing',
  'cancelled',
  'past',
  'moved',
  'not-a-visit-notice',
] as const;
export type ConfirmNotAppliedReason = (typeof CONFIRM_NOT_APPLIED_REASONS)[number];

export type ConfirmVerdict =
  | {
      applies: true;
      appointmentId: string;
      /** The schedule confirmed: record it with the confirmation, so a later move shows it no longer holds. */
      scheduleVersion: number;
    }
  | { applies: false; reason: ConfirmNotAppliedReason };

export interface ConfirmInput {
  /** The message the reply answers (see findAnsweredMessage). */
  message: Pick<Message, 'messageId' | 'kind' | 'appointmentId'>;
  /** That message's appointment as stored now; undefined when it is gone. */
  appointment: Appointment | undefined;
  /** When the patient replied (the SNS envelope `Timestamp`, UTC ISO). */
  repliedAt: string;
}

/**
 * The schedule version a visit notice was about: reminders and reschedule
 * notices carry it in their id; the confirmation is always about the first
 * schedule (a move sends a reschedule notice instead).
 */
function scheduleVersionOf(message: ConfirmInput['message']): number | undefined {
  if (message.kind === 'confirmation') return 1;
  return parseMessageId(message.messageId)?.version;
}

/**
 * Decides whether a confirm applies to the visit of the message it answers.
 *
 * @param input - the answered message, its appointment as stored now, and when the patient replied
 * @returns applies (with the appointment and the schedule confirmed), or the reason it does not
 */
export function confirmationVerdict(input: ConfirmInput): ConfirmVerdict {
  const { message, appointment } = input;
  if (message.appointmentId === undefined) return { applies: false, reason: 'no-visit' };
  if (!appointment || appointment.appointmentId !== message.appointmentId) {
    return { applies: false, reason: 'visit-missing' };
  }
  if (appointment.status === 'cancelled') return { applies: false, reason: 'cancelled' };
  if (appointment.status !== 'booked' || parseUtc(appointment.startAt) <= parseUtc(input.repliedAt)) {
    return { applies: false, reason: 'past' };
  }
  if (!UPCOMING_VISIT_KINDS.has(message.kind)) return { applies: false, reason: 'not-a-visit-notice' };
  const about = scheduleVersionOf(message);
  if (about === undefined) return { applies: false, reason: 'not-a-visit-notice' };
  if (about !== appointment.scheduleVersion) return { applies: false, reason: 'moved' };
  return {
    applies: true,
    appointmentId: appointment.appointmentId,
    scheduleVersion: appointment.scheduleVersion,
  };
}
