/**
 * Care reminders (issue 14 item 3): patient-level reminders with no visit
 * (a prescription refill, a recall for a check-up, a vaccination), planned
 * like visit reminders. Pure: the record, how a repeat rolls forward, and
 * the messages one due date calls for.
 *
 * Repeat rule: a due date rolls forward once it is over (the end of that
 * local day in the patient's zone). Days add calendar days. Months and
 * years keep the day of the month of the first due date (`anchorDay`),
 * clamped to the length of the month: 31 January + P1M is 28 February (29
 * in a leap year), then 31 March, 30 April, 31 May. So a monthly refill
 * never drifts to the 28th for the rest of the year, as adding a month to
 * the previous date would. A reminder whose pipeline stood still for a
 * while rolls past every date already over, to the first one still ahead.
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import { LocalDateSchema } from '../broadcasts';
import { DEFAULT_PRIORITY } from '../constants';
import {
  type Clinic,
  ClinicIdSchema,
  E164PhoneSchema,
  EntityIdSchema,
  type Message,
  type MessageStatus,
  type Patient,
  UtcInstantSchema,
} from '../model';
import { fitsCap } from '../planning/frequency-cap';
import { originalIdOf } from '../planning/ids';
import { latestAllowedAtOrBefore } from '../planning/quiet-hours';
import { plannedChannel, resolveLanguage, zoneFor } from '../planning/rules';
import { formatOffset, minusOffset, parseOffset, toUtcIso } from '../time';
import { CARE_KINDS, type CareKind } from './kinds';

/** `active` while it plans its due dates; `stopped` by staff (its messages not sent yet are withdrawn). */
export const CARE_REMINDER_STATUSES = ['active', 'stopped'] as const;
export type CareReminderStatus = (typeof CARE_REMINDER_STATUSES)[number];

/** Largest count of each repeat unit: a year of days, two years of months, ten years. */
const REPEAT_LIMITS = { D: 366, M: 24, Y: 10 } as const;
const REPEAT = /^P([1-9]\d{0,2})([DMY])$/;

export interface Repeat {
  count: number;
  unit: 'days' | 'months' | 'years';
}

/**
 * Reads an ISO 8601 duration of whole days, months or years (`P30D`,
 * `P1M`, `P1Y`); undefined for anything else (weeks, hours, mixed units).
 *
 * @param every - the duration as written
 */
export function parseRepeat(every: string): Repeat | undefined {
  const match = REPEAT.exec(every);
  if (!match) return undefined;
  const count = Number(match[1]);
  const unit = match[2] as keyof typeof REPEAT_LIMITS;
  if (count > REPEAT_LIMITS[unit]) return undefined;
  return { count, unit: unit === 'D' ? 'days' : unit === 'M' ? 'months' : 'years' };
}

export const RepeatSchema = z.strictObject({
  every: z.string().refine((every) => parseRepeat(every) !== undefined, {
    message:
      'must be an ISO 8601 duration of whole days, months or years, such as P30D, P1M or P1Y ' +
      `(at most ${REPEAT_LIMITS.D} days, ${REPEAT_LIMITS.M} months or ${REPEAT_LIMITS.Y} years)`,
  }),
});

/** Longest link a care reminder may carry: with the clinic's name and a 12-character first name it must fit one part. */
export const CARE_LINK_MAX = 40;

/** Where the patient acts on it: a number to call (the pharmacy line) or a short https link. */
export const CareActionSchema = z
  .strictObject({
    phone: E164PhoneSchema.optional(),
    url: z
      .string()
      .max(CARE_LINK_MAX, `must be at most ${CARE_LINK_MAX} characters, so the text fits one SMS part`)
      .regex(/^https:\/\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]*)?$/, {
        message: 'must be an https:// link using only URL characters',
      })
      .optional(),
  })
  .refine((action) => (action.phone === undefined) !== (action.url === undefined), {
    message: 'must be exactly one of {"phone": "+1…"} or {"url": "https://…"}',
  });
export type CareAction = z.infer<typeof CareActionSchema>;

/** What staff send to create or change a care reminder. */
export const CareReminderFieldsSchema = z.strictObject({
  kind: z.enum(CARE_KINDS),
  /** The due date, a calendar date in the patient's zone. */
  dueOn: LocalDateSchema,
  repeat: RepeatSchema.optional(),
  action: CareActionSchema.optional(),
});
export type CareReminderFields = z.output<typeof CareReminderFieldsSchema>;

export const CareReminderSchema = CareReminderFieldsSchema.extend({
  clinicId: ClinicIdSchema,
  patientId: EntityIdSchema,
  reminderId: EntityIdSchema,
  status: z.enum(CARE_REMINDER_STATUSES),
  /** The day of the month that monthly and yearly repeats keep (that of the due date staff set). */
  anchorDay: z.int().min(1).max(31),
  /** 1 for the due date staff set, one more for each roll forward. */
  occurrence: z.int().min(1),
  /** When the pipeline plans it next (now, after a change; the end of the due date, to roll); absent: nothing to do. */
  planAt: UtcInstantSchema.optional(),
  /** When its current due date was last planned. */
  plannedAt: UtcInstantSchema.optional(),
  stoppedAt: UtcInstantSchema.optional(),
  /** The staff user who saved it last (an id). */
  updatedBy: z.string().min(1).max(128),
  version: z.int().min(1),
  createdAt: UtcInstantSchema,
  updatedAt: UtcInstantSchema,
});
export type CareReminder = z.infer<typeof CareReminderSchema>;

// ---------------------------------------------------------------------------
// Message ids
// ---------------------------------------------------------------------------

/** The prefix of every care reminder message's id (in the patient's partition). */
export const CARE_MESSAGE_PREFIX = '~care#';

/**
 * A care reminder message's id: reminder, kind, due date and offset, so
 * planning a due date again (a retry, a second sweep) finds what it made,
 * and a new due date or kind makes new ids. The kind is in the id so that
 * a reply to the message can be read (a refill request) without a read of
 * the reminder.
 *
 * @param reminderId - the care reminder
 * @param kind - its kind
 * @param dueOn - the due date the message is for
 * @param offset - its canonical offset before the due date
 */
export function careMessageId(reminderId: string, kind: CareKind, dueOn: string, offset: string): string {
  return `${careMessagePrefix(reminderId)}${kind}#${dueOn}#${offset}`;
}

/**
 * The prefix of one care reminder's messages.
 *
 * @param reminderId - the care reminder
 */
export function careMessagePrefix(reminderId: string): string {
  return `${CARE_MESSAGE_PREFIX}${reminderId}#`;
}

export interface CareMessageIdParts {
  reminderId: string;
  kind: CareKind;
  dueOn: string;
  offset: string;
}

/**
 * The parts of a care reminder message's id, or undefined for any other id.
 * The copy of one on another channel (`…#via-email`) has the parts of the
 * message it copies: it is about the same occurrence.
 *
 * @param messageId - a message id
 */
export function parseCareMessageId(messageId: string): CareMessageIdParts | undefined {
  const id = originalIdOf(messageId);
  if (!id.startsWith(CARE_MESSAGE_PREFIX)) return undefined;
  const [reminderId = '', kind = '', dueOn = '', offset = '', ...rest] = id
    .slice(CARE_MESSAGE_PREFIX.length)
    .split('#');
  if (rest.length > 0 || !reminderId || !/^\d{4}-\d{2}-\d{2}$/.test(dueOn) || !parseOffset(offset))
    return undefined;
  if (!(CARE_KINDS as readonly string[]).includes(kind)) return undefined;
  return { reminderId, kind: kind as CareKind, dueOn, offset };
}

// ---------------------------------------------------------------------------
// Due dates
// ---------------------------------------------------------------------------

/**
 * The due date after `dueOn` (see the module comment for the rule).
 *
 * @param dueOn - the current due date (YYYY-MM-DD)
 * @param every - the repeat (`P30D`, `P1M`, `P1Y`)
 * @param anchorDay - the day of the month that months and years keep
 */
export function nextDueOn(dueOn: string, every: string, anchorDay: number): string {
  const repeat = parseRepeat(every);
  if (!repeat) throw new RangeError(`not a repeat: ${every}`);
  // Calendar arithmetic on a date: no zone, so no DST day to skip or double.
  const date = DateTime.fromISO(dueOn, { zone: 'utc' });
  if (repeat.unit === 'days') return date.plus({ days: repeat.count }).toISODate() ?? dueOn;
  const month = date.startOf('month').plus({ [repeat.unit]: repeat.count });
  return month.set({ day: Math.min(anchorDay, month.daysInMonth ?? 28) }).toISODate() ?? dueOn;
}

/**
 * When a due date is over: the start of the next local day in the zone.
 *
 * @param dueOn - the due date
 * @param zone - the patient's zone (else the clinic's)
 */
export function dueDateEnds(dueOn: string, zone: string): DateTime {
  return DateTime.fromISO(dueOn, { zone }).plus({ days: 1 }).startOf('day');
}

/**
 * The due date and occurrence in force at `now`: a repeating reminder whose
 * due date is over rolls forward to the first date still ahead.
 *
 * @param reminder - the due date, repeat and anchor day
 * @param zone - the patient's zone (else the clinic's)
 * @param now - the planning instant
 */
export function currentDueDate(
  reminder: Pick<CareReminder, 'dueOn' | 'repeat' | 'anchorDay' | 'occurrence'>,
  zone: string,
  now: DateTime,
): { dueOn: string; occurrence: number } {
  let { dueOn, occurrence } = reminder;
  if (!reminder.repeat) return { dueOn, occurrence };
  while (dueDateEnds(dueOn, zone) <= now) {
    dueOn = nextDueOn(dueOn, reminder.repeat.every, reminder.anchorDay);
    occurrence += 1;
  }
  return { dueOn, occurrence };
}

// ---------------------------------------------------------------------------
// Planning one due date
// ---------------------------------------------------------------------------

/** The care offsets of a kind in a clinic's policy, canonical and without repeats. */
export function careOffsetsFor(policy: Clinic['policy'], kind: CareKind): string[] {
  const texts = policy.careReminders.offsets[kind];
  return [
    ...new Set(
      texts.map((text) => {
        const offset = parseOffset(text);
        if (!offset) throw new RangeError(`invalid care reminder offset in clinic policy: ${text}`);
        return formatOffset(offset);
      }),
    ),
  ];
}

/** A stored care reminder message that reached, or may have reached, the patient: it counts against the cap. */
const GONE_OUT: ReadonlySet<MessageStatus> = new Set(['queued', 'sending', 'sent', 'delivered', 'unknown']);

export interface CarePlanInput {
  reminder: CareReminder;
  /** The due date to plan (after rolling forward: {@link currentDueDate}). */
  dueOn: string;
  patient: Patient;
  clinic: Clinic;
  /** The planning instant (from the injected clock). */
  now: DateTime;
  /** The patient's stored messages (the other care reminders' count against the care cap). */
  stored: readonly Pick<Message, 'messageId' | 'kind' | 'dueAt' | 'status'>[];
}

/**
 * The messages one due date of a care reminder calls for, pending or
 * skipped with a reason, as they would be stored: one per offset of its
 * kind, at the clinic's send time that many days before the due date in the
 * patient's zone, moved earlier out of quiet hours (as a visit reminder
 * is), on the patient's first allowed channel and in their language, and
 * within the care reminders' own frequency cap (nearest the due date first).
 *
 * @param input - the reminder and due date, patient, clinic, instant and the patient's stored messages
 */
export function planCareDueDate(input: CarePlanInput): Message[] {
  const { reminder, dueOn, patient, clinic, now } = input;
  const { policy } = clinic;
  const zone = zoneFor(patient, clinic);
  const channel = plannedChannel(patient);
  const language = resolveLanguage(patient, policy);
  const reference = DateTime.fromISO(`${dueOn}T${policy.careReminders.sendTime}`, { zone });
  const notAfter = dueDateEnds(dueOn, zone);
  const at = toUtcIso(now);
  const prefix = careMessagePrefix(reminder.reminderId);

  const drafts = careOffsetsFor(policy, reminder.kind).map((offset) => {
    const plannedAt = minusOffset(
      reference,
      parseOffset(offset) as NonNullable<ReturnType<typeof parseOffset>>,
      zone,
    );
    let dueAt = plannedAt;
    let reason: string | undefined;
    if (plannedAt < now) reason = 'too-late';
    else if (policy.quietHours.enabled) {
      const found = latestAllowedAtOrBefore(plannedAt, policy.quietHours, zone, now);
      if (!found) reason = 'quiet-hours-no-window';
      else if (!found.equals(plannedAt)) dueAt = found;
    }
    if (!reason && !channel) reason = 'no-allowed-channel';
    return { offset, plannedAt, dueAt, reason };
  });

  // The care reminders' own allowance: other care reminders' messages that went out or wait count.
  const cap = policy.careReminders.frequencyCap;
  const kept = input.stored
    .filter((message) => message.kind === 'care-reminder' && !message.messageId.startsWith(prefix))
    .filter((message) => message.status === 'pending' || GONE_OUT.has(message.status))
    .map((message): DateTime => DateTime.fromISO(message.dueAt, { zone: 'utc' }));
  const byNearest = [...drafts].sort((a, b) => b.dueAt.toMillis() - a.dueAt.toMillis());
  for (const draft of byNearest) {
    if (draft.reason || !cap.enabled) continue;
    if (fitsCap(draft.dueAt, kept, cap, zone)) kept.push(draft.dueAt);
    else draft.reason = 'frequency-cap';
  }

  return drafts
    .sort((a, b) => a.plannedAt.toMillis() - b.plannedAt.toMillis())
    .map((draft): Message => {
      const skipped = draft.reason !== undefined;
      const moved = !skipped && !draft.dueAt.equals(draft.plannedAt);
      return {
        clinicId: reminder.clinicId,
        patientId: reminder.patientId,
        messageId: careMessageId(reminder.reminderId, reminder.kind, dueOn, draft.offset),
        kind: 'care-reminder',
        offset: draft.offset,
        priority: DEFAULT_PRIORITY['care-reminder'],
        // With no allowed channel the message is skipped; it records the preferred one.
        channel: channel ?? patient.channels[0] ?? 'sms',
        ...(clinic.originationIdentity ? { ownNumber: true } : {}),
        language,
        dueAt: toUtcIso(draft.dueAt),
        plannedAt: toUtcIso(draft.plannedAt),
        notAfter: toUtcIso(notAfter),
        status: skipped ? 'skipped' : 'pending',
        ...(draft.reason ? { reason: draft.reason } : moved ? { reason: 'quiet-hours' } : {}),
        attempts: 0,
        planVersion: reminder.version,
        rev: 1,
        createdAt: at,
        updatedAt: at,
        ...(skipped ? { finishedAt: at } : {}),
      };
    });
}

/**
 * Why a care reminder's stored message is no longer wanted, or undefined
 * while it is: the reminder stopped, or its due date or kind changed.
 *
 * @param messageId - the stored message's id
 * @param reminder - the reminder as it is now (undefined: deleted)
 * @param wanted - the ids planned for its current due date
 */
export function careWithdrawReason(
  messageId: string,
  reminder: Pick<CareReminder, 'status'> | undefined,
  wanted: ReadonlySet<string>,
): 'care-reminder-stopped' | 'care-reminder-changed' | undefined {
  if (!reminder || reminder.status === 'stopped') return 'care-reminder-stopped';
  return wanted.has(messageId) ? undefined : 'care-reminder-changed';
}
