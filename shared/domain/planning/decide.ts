/**
 * decide(): the last word before a message goes to a provider. The sender
 * re-reads the appointment and the patient and asks again, because whatever
 * changed after planning (a cancellation, a move, an opt-out, a new channel,
 * a later quiet-hours window) must win.
 */
import type { DateTime } from 'luxon';
import type { Appointment, Channel, Clinic, Message, Patient } from '../model';
import { maySurveyAgain } from '../surveys';
import { formatOffset, parseUtc, toUtcIso } from '../time';
import { parseMessageId } from './ids';
import { earliestAllowedAtOrAfter } from './quiet-hours';
import {
  addressFor,
  allowedChannels,
  CHANGE_NOTICE_EXEMPT_HOURS,
  CHANGE_NOTICE_KINDS,
  chooseChannel,
  reminderOffsetsFor,
  UPCOMING_VISIT_KINDS,
  zoneFor,
} from './rules';

/** Why decide() skips a message. */
export const DECISION_SKIP_REASONS = [
  'appointment-missing',
  'patient-missing',
  /** Every kind but the cancellation notice. */
  'appointment-cancelled',
  /** Messages about a visit still to come, once it is over. */
  'appointment-completed',
  'appointment-no-show',
  /** A reminder or confirmation of an earlier schedule. */
  'appointment-moved',
  /** A reschedule notice of an earlier move, or a notice whose status no longer holds. */
  'superseded',
  /** Its offset, or its kind, is no longer in the clinic's policy. */
  'policy-changed',
  /** A message about a visit that has started (now > notAfter). */
  'past-visit',
  /** Any other message past its notAfter. */
  'expired',
  /** The patient opted out of every channel they list. */
  'opted-out',
  /** No channel left: none has an address, or every allowed one failed for good. */
  'no-allowed-channel',
  /** Inside quiet hours, and they end too late for the message to matter. */
  'quiet-hours',
  /** An appointment message whose id was not made by messageIdFor(). */
  'invalid-message-id',
  /** A survey to a patient surveyed within the clinic's policy.survey.minDaysBetween days. */
  'survey-spacing',
] as const;
export type DecisionSkipReason = (typeof DECISION_SKIP_REASONS)[number];

export type Decision =
  | {
      action: 'send';
      channel: Channel;
      address: string;
      /** True when a permanent failure on the preferred channel moved it to this one. */
      fallback: boolean;
    }
  | { action: 'skip'; reason: DecisionSkipReason }
  | { action: 'defer'; until: string; reason: 'quiet-hours' };

export interface DecideInput {
  message: Message;
  /** The appointment as stored now; undefined when it is gone. */
  appointment: Appointment | undefined;
  /** The patient as stored now; undefined when they are gone. */
  patient: Patient | undefined;
  clinic: Clinic;
  /** The decision instant, in UTC. */
  now: DateTime;
  /** Channels a provider refused for good for this message. */
  failedChannels?: readonly Channel[];
  /** For a survey: when each other survey to the patient went out (UTC ISO); the sender reads them only for surveys. */
  earlierSurveysSentAt?: readonly string[];
}

const skip = (reason: DecisionSkipReason): Decision => ({ action: 'skip', reason });

/** Whether the message still fits the appointment as it is now. */
function appointmentVerdict(
  message: Message,
  appointment: Appointment,
  clinic: Clinic,
): DecisionSkipReason | undefined {
  const { kind } = message;
  const { policy } = clinic;
  if (appointment.status === 'cancelled')
    return kind === 'cancellation' ? undefined : 'appointment-cancelled';
  if (kind === 'cancellation') return 'superseded';
  if (UPCOMING_VISIT_KINDS.has(kind) && appointment.status === 'completed') return 'appointment-completed';
  if (appointment.status === 'no-show') return 'appointment-no-show';
  if (kind === 'survey') {
    if (appointment.status !== 'completed') return 'superseded';
    return policy.survey.enabled ? undefined : 'policy-changed';
  }
  const parsed = parseMessageId(message.messageId);
  if (!parsed) return 'invalid-message-id';
  if (kind === 'reschedule') return parsed.version === appointment.scheduleVersion ? undefined : 'superseded';
  if (kind === 'confirmation') {
    // Only the first schedule is confirmed; a move sends a reschedule notice instead.
    if (appointment.scheduleVersion !== 1) return 'appointment-moved';
    return policy.confirmation.enabled ? undefined : 'policy-changed';
  }
  if (kind === 'reminder') {
    if (parsed.version !== appointment.scheduleVersion) return 'appointment-moved';
    const offsets = reminderOffsetsFor(appointment, policy).map(formatOffset);
    return parsed.offset && offsets.includes(parsed.offset) ? undefined : 'policy-changed';
  }
  return undefined;
}

/**
 * Decides, at send time, whether to send a message, on which channel, or to
 * skip or defer it.
 *
 * @param input - the message, the appointment and patient as stored now, the
 *   clinic, the decision instant, and the channels that already failed for good
 */
export function decide(input: DecideInput): Decision {
  const { message, appointment, patient, clinic, now } = input;
  const failedChannels = input.failedChannels ?? [];
  // Broadcasts and keyword replies have no appointment to check.
  if (message.appointmentId !== undefined) {
    if (!appointment) return skip('appointment-missing');
  }
  if (!patient) return skip('patient-missing');
  if (message.appointmentId !== undefined && appointment) {
    const verdict = appointmentVerdict(message, appointment, clinic);
    if (verdict) return skip(verdict);
  }

  if (
    message.kind === 'survey' &&
    !maySurveyAgain(input.earlierSurveysSentAt ?? [], toUtcIso(now), clinic.policy.survey.minDaysBetween)
  ) {
    return skip('survey-spacing');
  }

  if (now > parseUtc(message.notAfter)) {
    return skip(
      UPCOMING_VISIT_KINDS.has(message.kind) || message.kind === 'cancellation' ? 'past-visit' : 'expired',
    );
  }

  let channel: Channel | undefined;
  let fallback = false;
  if (message.kind === 'keyword-reply') {
    // A reply to the patient's own text goes back where it came from, even
    // right after STOP: carriers require the opt-out to be acknowledged.
    channel =
      addressFor(patient, message.channel) && !failedChannels.includes(message.channel)
        ? message.channel
        : undefined;
  } else {
    if (
      allowedChannels(patient).length === 0 &&
      patient.channels.every((listed) => patient.optOuts[listed])
    ) {
      return skip('opted-out');
    }
    channel = chooseChannel(patient, failedChannels);
    fallback = channel !== undefined && channel !== chooseChannel(patient);
  }
  const address = channel && addressFor(patient, channel);
  if (!channel || !address) return skip('no-allowed-channel');

  const exempt =
    message.kind === 'keyword-reply' ||
    (CHANGE_NOTICE_KINDS.has(message.kind) &&
      appointment !== undefined &&
      parseUtc(appointment.startAt).diff(now, 'hours').hours <= CHANGE_NOTICE_EXEMPT_HOURS);
  if (!exempt) {
    const notAfter = parseUtc(message.notAfter);
    const until = earliestAllowedAtOrAfter(now, clinic.policy.quietHours, zoneFor(patient, clinic), notAfter);
    if (!until) return skip('quiet-hours');
    if (until > now) return { action: 'defer', until: toUtcIso(until), reason: 'quiet-hours' };
  }
  return { action: 'send', channel, address, fallback };
}
