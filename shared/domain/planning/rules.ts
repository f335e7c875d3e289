/**
 * Small rules shared by planning (plan time) and decide (send time), so the
 * two never disagree about a channel, a language, a zone or a kind's timing.
 */
import type { Appointment, Channel, Clinic, MessageKind, MessagingPolicy, Patient } from '../model';
import { formatOffset, type Offset, parseOffset } from '../time';

/** How long after its planned time a survey is still worth sending (quiet hours may hold it back). */
export const SURVEY_VALIDITY_HOURS = 24;

/** A change notice for a visit this close ignores quiet hours: the patient needs it before they travel. */
export const CHANGE_NOTICE_EXEMPT_HOURS = 12;

/**
 * When a message is due, relative to the visit:
 * - `before-visit`: reminders; moved earlier out of quiet hours;
 * - `at-once`: sent when the change happens; cannot move earlier, so moved later;
 * - `after-visit`: the survey; moved later.
 */
export type Timing = 'before-visit' | 'at-once' | 'after-visit';

export const TIMING: Record<MessageKind, Timing> = {
  reminder: 'before-visit',
  confirmation: 'at-once',
  reschedule: 'at-once',
  cancellation: 'at-once',
  'keyword-reply': 'at-once',
  broadcast: 'at-once',
  'staff-reply': 'at-once',
  survey: 'after-visit',
  // Before its due date, like a reminder before its visit (shared/domain/care/reminder.ts).
  'care-reminder': 'before-visit',
};

/** Kinds that announce a change; never frequency-capped, exempt from quiet hours close to the visit. */
export const CHANGE_NOTICE_KINDS: ReadonlySet<MessageKind> = new Set(['reschedule', 'cancellation']);

/** Kinds that are about a visit still to come: pointless once it started, was cancelled or moved. */
export const UPCOMING_VISIT_KINDS: ReadonlySet<MessageKind> = new Set([
  'confirmation',
  'reminder',
  'reschedule',
]);

/** Why plan() marks a message skipped. */
export const PLAN_SKIP_REASONS = [
  /** Its due time had passed when it was planned (a late booking, a late "completed"). */
  'too-late',
  /** Booked with less lead time than `policy.confirmation.minLeadMinutes`. */
  'too-close-to-visit',
  /** A notice about a visit that had already started when it was planned. */
  'visit-already-past',
  /** Quiet hours left no allowed moment between now (or the change) and the point it stops making sense. */
  'quiet-hours-no-window',
  /** The patient has no channel that is not opted out and has an address. */
  'no-allowed-channel',
  /** Over the clinic's reminders-per-day or per-week cap for this patient. */
  'frequency-cap',
] as const;
export type PlanSkipReason = (typeof PLAN_SKIP_REASONS)[number];

/**
 * Why a message that still goes out goes at another time than planned. The
 * reason stays on the message while it waits and after it is sent, so the
 * timeline says why `dueAt` differs from `plannedAt`.
 */
export const MOVE_REASONS = [
  /** Moved out of the patient's quiet hours (at plan time, or deferred at send time). */
  'quiet-hours',
] as const;
export type MoveReason = (typeof MOVE_REASONS)[number];

/**
 * True when a stored reason explains a move rather than a retry or a failure.
 *
 * @param reason - a message's stored reason, if any
 */
export function isMoveReason(reason: string | undefined): reason is MoveReason {
  return (MOVE_REASONS as readonly string[]).includes(reason ?? '');
}

/**
 * The zone a patient's local times are read in: the patient's own, else the clinic's.
 *
 * @param patient - gives the patient's own zone, if any
 * @param clinic - gives the clinic's zone
 */
export function zoneFor(patient: Pick<Patient, 'timeZone'>, clinic: Pick<Clinic, 'timeZone'>): string {
  return patient.timeZone ?? clinic.timeZone;
}

/**
 * The language to write to a patient in: theirs if the clinic offers it
 * (exactly, or by primary subtag: `es-MX` → `es`), else the clinic's default.
 *
 * @param patient - the patient
 * @param policy - the clinic's messaging policy
 */
export function resolveLanguage(patient: Pick<Patient, 'language'>, policy: MessagingPolicy): string {
  if (policy.languages.includes(patient.language)) return patient.language;
  const primary = patient.language.split('-')[0] ?? patient.language;
  const sameFamily = policy.languages.find((language) => language.split('-')[0] === primary);
  return sameFamily ?? policy.defaultLanguage;
}

/**
 * The address of a channel, if the patient has one.
 *
 * @param patient - the patient's phone and email
 * @param channel - sms or email
 */
export function addressFor(patient: Pick<Patient, 'phone' | 'email'>, channel: Channel): string | undefined {
  return channel === 'sms' ? patient.phone : patient.email;
}

type ChannelPatient = Pick<Patient, 'channels' | 'phone' | 'email' | 'optOuts' | 'undeliverable'>;

/**
 * The patient's channels in order of preference that have an address, are
 * not opted out and whose address has not been found undeliverable.
 *
 * @param patient - channels, addresses, opt-outs and undeliverable marks as stored now
 */
export function allowedChannels(patient: ChannelPatient): Channel[] {
  return patient.channels.filter(
    (channel) =>
      addressFor(patient, channel) &&
      !patient.optOuts[channel] &&
      !(channel === 'email' && patient.undeliverable?.email),
  );
}

/**
 * The channel to use: the first allowed one that has not failed for good.
 *
 * @param patient - the patient as now stored
 * @param failedChannels - channels a provider refused for good for this message
 */
export function chooseChannel(
  patient: ChannelPatient,
  failedChannels: readonly Channel[] = [],
): Channel | undefined {
  return allowedChannels(patient).find((channel) => !failedChannels.includes(channel));
}

/**
 * The channel a message is planned on: the first allowed one; else, when
 * every channel with an address is opted out or found undeliverable, the
 * first of those. An opt-out is not forever (START, or staff lifting it)
 * and neither is a bounced address, so planning does not skip for them: the
 * message waits pending, and the send-time decision skips it `opted-out`
 * (or sends it, the patient having opted back in by then). Undefined only
 * when no channel the patient lists has an address.
 *
 * @param patient - the patient as now stored
 */
export function plannedChannel(patient: ChannelPatient): Channel | undefined {
  return chooseChannel(patient) ?? patient.channels.find((channel) => addressFor(patient, channel));
}

/**
 * The reminder offsets for an appointment's type (else the clinic default),
 * in canonical form and without repeats.
 *
 * @param appointment - gives the type
 * @param policy - the clinic's messaging policy
 */
export function reminderOffsetsFor(
  appointment: Pick<Appointment, 'type'>,
  policy: MessagingPolicy,
): Offset[] {
  const texts = policy.reminderOffsets.byType[appointment.type] ?? policy.reminderOffsets.default;
  const seen = new Set<string>();
  const offsets: Offset[] = [];
  for (const text of texts) {
    const offset = parseOffset(text);
    // The schema admits only valid offsets; a bad one here is corrupt data, not input.
    if (!offset) throw new RangeError(`invalid reminder offset in clinic policy: ${text}`);
    const canonical = formatOffset(offset);
    if (seen.has(canonical)) continue;
    seen.add(canonical);
    offsets.push(offset);
  }
  return offsets;
}
