/**
 * plan(): the messages an appointment calls for, as a pure function of the
 * appointment, the patient, the clinic's policy and the planning instant.
 *
 * Every (kind, offset) the rules call for appears exactly once, pending or
 * skipped with a reason, so the staff timeline explains everything. Which
 * messages appear (their ids) depends only on the appointment and the policy;
 * `now` decides only whether one is still worth sending. Due times of
 * at-once notices come from the appointment's own timestamps, so a replay
 * plans the very same messages.
 */
import { DateTime } from 'luxon';
import { DEFAULT_PRIORITY, type MessageKind } from '../constants';
import type { Appointment, Clinic } from '../model';
import { formatOffset, minusOffset, parseOffset, parseUtc, plusOffset, toUtcIso } from '../time';
import { applyFrequencyCap } from './frequency-cap';
import { messageIdFor } from './ids';
import { earliestAllowedAtOrAfter, latestAllowedAtOrBefore } from './quiet-hours';
import {
  CHANGE_NOTICE_EXEMPT_HOURS,
  CHANGE_NOTICE_KINDS,
  type MoveReason,
  type PlanSkipReason,
  plannedChannel,
  reminderOffsetsFor,
  resolveLanguage,
  SURVEY_VALIDITY_HOURS,
  TIMING,
  zoneFor,
} from './rules';
import type { Plan, PlanInput, PlannedMessage } from './types';

/** A message the rules call for, before timing and channel are settled. */
interface Draft {
  kind: MessageKind;
  offset?: string;
  /** The version in its id. */
  version: number;
  plannedAt: DateTime;
  notAfter: DateTime;
  /** A reason known from the rules alone. */
  skip?: PlanSkipReason;
}

/** When the visit starts and ends. */
function visitTimes(appointment: Appointment): { start: DateTime; end: DateTime } {
  const start = parseUtc(appointment.startAt);
  return { start, end: start.plus({ minutes: appointment.durationMinutes }) };
}

/** The messages a booked appointment calls for. */
function bookedDrafts(appointment: Appointment, clinic: Clinic, zone: string): Draft[] {
  const { policy } = clinic;
  const { start } = visitTimes(appointment);
  const drafts: Draft[] = [];
  if (appointment.scheduleVersion === 1 && policy.confirmation.enabled) {
    // Booking time, not planning time, decides: the id set must not depend on `now`.
    const bookedAt = parseUtc(appointment.createdAt);
    const lead = start.diff(bookedAt, 'minutes').minutes;
    drafts.push({
      kind: 'confirmation',
      version: 1,
      plannedAt: bookedAt,
      notAfter: start,
      ...(lead < policy.confirmation.minLeadMinutes ? { skip: 'too-close-to-visit' as const } : {}),
    });
  }
  if (appointment.scheduleVersion > 1) {
    drafts.push({
      kind: 'reschedule',
      version: appointment.scheduleVersion,
      plannedAt: parseUtc(appointment.updatedAt),
      notAfter: start,
    });
  }
  for (const offset of reminderOffsetsFor(appointment, policy)) {
    drafts.push({
      kind: 'reminder',
      offset: formatOffset(offset),
      version: appointment.scheduleVersion,
      plannedAt: minusOffset(start, offset, zone),
      notAfter: start,
    });
  }
  return drafts;
}

/** The messages an appointment calls for, by status. */
function drafts(appointment: Appointment, clinic: Clinic, zone: string): Draft[] {
  const { start, end } = visitTimes(appointment);
  switch (appointment.status) {
    case 'booked':
      return bookedDrafts(appointment, clinic, zone);
    case 'cancelled':
      // A patient who cancelled knows; an unknown canceller is announced, because
      // a patient who travels to a cancelled visit is the worse mistake.
      if (appointment.cancelledBy === 'patient') return [];
      return [
        {
          kind: 'cancellation',
          version: appointment.version,
          plannedAt: parseUtc(appointment.updatedAt),
          notAfter: start,
        },
      ];
    case 'completed': {
      const { survey } = clinic.policy;
      const delay = parseOffset(survey.delay);
      if (!survey.enabled) return [];
      if (!delay) throw new RangeError(`invalid survey delay in clinic policy: ${survey.delay}`);
      const plannedAt = plusOffset(end, delay, zone);
      return [
        {
          kind: 'survey',
          offset: formatOffset(delay),
          version: appointment.version,
          plannedAt,
          notAfter: plannedAt.plus({ hours: SURVEY_VALIDITY_HOURS }),
        },
      ];
    }
    case 'no-show':
      return [];
  }
}

interface Timed {
  dueAt: DateTime;
  skip?: PlanSkipReason;
  /** Set when it goes at another time than planned. */
  moved?: MoveReason;
}

/** The outcome of a quiet-hours search: as planned, moved (and why), or no window at all. */
function outOfQuietHours(plannedAt: DateTime, found: DateTime | undefined): Timed {
  if (!found) return { dueAt: plannedAt, skip: 'quiet-hours-no-window' };
  return found.equals(plannedAt) ? { dueAt: found } : { dueAt: found, moved: 'quiet-hours' };
}

/** Settles when a draft goes out: too late, moved out of quiet hours, or as planned. */
function timing(draft: Draft, clinic: Clinic, zone: string, floor: DateTime): Timed {
  const { quietHours } = clinic.policy;
  const { plannedAt, notAfter } = draft;
  if (draft.skip) return { dueAt: plannedAt, skip: draft.skip };
  switch (TIMING[draft.kind]) {
    case 'before-visit': {
      if (plannedAt < floor) return { dueAt: plannedAt, skip: 'too-late' };
      return outOfQuietHours(plannedAt, latestAllowedAtOrBefore(plannedAt, quietHours, zone, floor));
    }
    case 'at-once': {
      if (floor >= notAfter) return { dueAt: plannedAt, skip: 'visit-already-past' };
      const exempt =
        CHANGE_NOTICE_KINDS.has(draft.kind) &&
        notAfter.diff(plannedAt, 'hours').hours <= CHANGE_NOTICE_EXEMPT_HOURS;
      if (exempt) return { dueAt: plannedAt };
      return outOfQuietHours(plannedAt, earliestAllowedAtOrAfter(plannedAt, quietHours, zone, notAfter));
    }
    case 'after-visit': {
      if (floor > notAfter) return { dueAt: plannedAt, skip: 'too-late' };
      return outOfQuietHours(plannedAt, earliestAllowedAtOrAfter(plannedAt, quietHours, zone, notAfter));
    }
  }
}

/**
 * Plans the messages for one appointment.
 *
 * @param input - the appointment, its patient and clinic, the planning
 *   instant, and the patient's messages for other appointments (for the cap)
 * @returns every message the rules call for, pending or skipped with a
 *   reason, ordered by planned time then id; and the stored reminders that
 *   give way under the frequency cap
 */
export function plan(input: PlanInput): Plan {
  const { appointment, patient, clinic, now } = input;
  const zone = zoneFor(patient, clinic);
  const channel = plannedChannel(patient);
  const language = resolveLanguage(patient, clinic.policy);
  // Nothing can be sent before the plan exists, nor before the change it follows.
  const floor = DateTime.max(now, parseUtc(appointment.updatedAt));

  const planned = drafts(appointment, clinic, zone).map((draft): PlannedMessage => {
    const timed = timing(draft, clinic, zone, floor);
    const skip = timed.skip ?? (channel ? undefined : 'no-allowed-channel');
    const reason = skip ?? timed.moved;
    return {
      messageId: messageIdFor({
        appointmentId: appointment.appointmentId,
        kind: draft.kind,
        offset: draft.offset,
        version: draft.version,
      }),
      appointmentId: appointment.appointmentId,
      kind: draft.kind,
      ...(draft.offset ? { offset: draft.offset } : {}),
      priority: DEFAULT_PRIORITY[draft.kind],
      // With no channel that has an address the message is skipped; it records the preferred one.
      channel: channel ?? patient.channels[0] ?? 'sms',
      language,
      dueAt: toUtcIso(timed.dueAt),
      plannedAt: toUtcIso(draft.plannedAt),
      notAfter: toUtcIso(draft.notAfter),
      status: skip ? 'skipped' : 'pending',
      ...(reason ? { reason } : {}),
    };
  });

  const capped = applyFrequencyCap(planned, input.otherMessages, clinic.policy.frequencyCap, zone, now);
  return {
    messages: capped.messages.sort(
      (a, b) => a.plannedAt.localeCompare(b.plannedAt) || a.messageId.localeCompare(b.messageId),
    ),
    capWithdrawals: capped.withdraw,
    capReinstatements: capped.reinstate,
  };
}
