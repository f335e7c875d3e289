/**
 * What `npm run demo` prints, written for a clinic manager rather than a
 * developer: one block per patient, each message at the time that patient
 * reads it, in their own zone with its everyday abbreviation (IST, not
 * GMT+5:30), and a legend that says in plain words why anything was moved
 * or not sent. Pure functions of the messages; the demo script does the I/O.
 */
import { DateTime } from 'luxon';
import { INBOUND_OUTCOMES, MESSAGE_STATUSES } from '../shared/domain/constants';
import type { NpsFigures } from '../shared/domain/counters';
import type { Message } from '../shared/domain/model';
import {
  DECISION_SKIP_REASONS,
  MOVE_REASONS,
  PLAN_SKIP_REASONS,
  WITHDRAW_REASONS,
} from '../shared/domain/planning';
import { SMS_UNDELIVERABLE_EVENTS } from '../shared/domain/receipts';

interface ZoneNames {
  standard: string;
  /** In summer time; absent where the zone keeps one offset all year. */
  daylight?: string;
}

const CET: ZoneNames = { standard: 'CET', daylight: 'CEST' };
const EET: ZoneNames = { standard: 'EET', daylight: 'EEST' };
const AEST: ZoneNames = { standard: 'AEST', daylight: 'AEDT' };

/**
 * Everyday abbreviations of zones for which the platform's Intl (luxon's
 * `ZZZZ` in en-US) gives only an offset (`GMT+5:30`) or a name people do
 * not use (`GMT+1` for London in summer). Zones not listed keep what Intl
 * says, which for the Americas already is the common name (EST, PDT).
 */
export const ZONE_ABBREVIATIONS: Readonly<Record<string, ZoneNames>> = {
  'Asia/Kolkata': { standard: 'IST' },
  'Asia/Calcutta': { standard: 'IST' },
  'Asia/Karachi': { standard: 'PKT' },
  'Asia/Dubai': { standard: 'GST' },
  'Asia/Singapore': { standard: 'SGT' },
  'Asia/Hong_Kong': { standard: 'HKT' },
  'Asia/Tokyo': { standard: 'JST' },
  'Asia/Seoul': { standard: 'KST' },
  'Asia/Jakarta': { standard: 'WIB' },
  'Asia/Manila': { standard: 'PHT' },
  'Europe/London': { standard: 'GMT', daylight: 'BST' },
  'Europe/Dublin': { standard: 'GMT', daylight: 'IST' },
  'Europe/Lisbon': { standard: 'WET', daylight: 'WEST' },
  'Europe/Paris': CET,
  'Europe/Berlin': CET,
  'Europe/Madrid': CET,
  'Europe/Rome': CET,
  'Europe/Amsterdam': CET,
  'Europe/Brussels': CET,
  'Europe/Vienna': CET,
  'Europe/Zurich': CET,
  'Europe/Stockholm': CET,
  'Europe/Oslo': CET,
  'Europe/Copenhagen': CET,
  'Europe/Warsaw': CET,
  'Europe/Prague': CET,
  'Europe/Athens': EET,
  'Europe/Helsinki': EET,
  'Europe/Bucharest': EET,
  'Europe/Kyiv': EET,
  'Europe/Kiev': EET,
  'Africa/Cairo': EET,
  'Europe/Moscow': { standard: 'MSK' },
  'Africa/Lagos': { standard: 'WAT' },
  'Africa/Nairobi': { standard: 'EAT' },
  'Africa/Johannesburg': { standard: 'SAST' },
  'America/Sao_Paulo': { standard: 'BRT' },
  'America/Argentina/Buenos_Aires': { standard: 'ART' },
  'Australia/Sydney': AEST,
  'Australia/Melbourne': AEST,
  'Australia/Hobart': AEST,
  'Australia/Brisbane': { standard: 'AEST' },
  'Australia/Adelaide': { standard: 'ACST', daylight: 'ACDT' },
  'Australia/Darwin': { standard: 'ACST' },
  'Australia/Perth': { standard: 'AWST' },
  'Pacific/Auckland': { standard: 'NZST', daylight: 'NZDT' },
};

/**
 * The zone abbreviation a person in that zone would write for that instant:
 * IST in Kolkata, BST in a London summer, EST in a New York winter. Zones
 * without a common abbreviation show their offset (`GMT+5:45`).
 *
 * @param at - an instant already set to the zone it is read in
 */
export function zoneAbbreviation(at: DateTime): string {
  const names = ZONE_ABBREVIATIONS[at.zoneName ?? ''];
  if (names) return at.isInDST && names.daylight ? names.daylight : names.standard;
  return at.setLocale('en-US').toFormat('ZZZZ');
}

/** Every reason a message can carry, in the words of a clinic manager. */
export const REASON_WORDS: Readonly<Record<string, string>> = {
  // Moved, and still sent.
  'quiet-hours':
    'it fell in the patient’s quiet hours (21:00–08:00 by default, in their own zone): a reminder goes earlier, a survey later; it is skipped only when no allowed time is left',
  // Not sent, decided when it was planned.
  'too-late':
    'its time had already passed when the visit was booked or changed (a 3-day reminder for a visit 2 days away)',
  'too-close-to-visit': 'the visit was booked too close to its start for a confirmation to help',
  'visit-already-past': 'the visit had already started when this notice was planned',
  'quiet-hours-no-window': 'quiet hours left no moment to send it while it still mattered',
  'no-allowed-channel':
    'the patient has no way to be reached that they allow (no phone or email, or opted out)',
  'survey-spacing':
    'the patient had a survey within the clinic’s spacing (at most one in 30 days by default), so this visit gets none',
  'frequency-cap':
    'the clinic’s limit of reminders per patient (1 a day, 3 a week by default) was reached; the reminder nearest each visit is kept first',
  // Not sent, decided at the moment of sending or when the visit changed.
  'appointment-missing': 'the appointment was deleted',
  'patient-missing': 'the patient’s record was deleted',
  'appointment-cancelled': 'the visit was cancelled (the cancellation notice itself still goes out)',
  'appointment-completed': 'the visit is over (marked completed)',
  'appointment-no-show': 'the patient did not come (marked no-show)',
  'appointment-moved': 'the visit moved; the reminders for its new time replace this one',
  superseded: 'a newer notice replaced it',
  'policy-changed': 'the clinic changed its reminder settings after this was planned',
  'past-visit': 'the visit had started by the time it could go out',
  expired: 'by the time it could go out it was no longer useful',
  'opted-out': 'the patient opted out (replied STOP, or asked the clinic)',
  'invalid-message-id': 'not a message this system planned',
  'over-segment-budget':
    'the text would not fit the clinic’s SMS length budget, even with the first name shortened or left out',
  // Answers to a patient's text that were not sent.
  'hourly-limit': 'the number had already had 3 automatic answers in the last hour',
  'looks-automated': 'the text looked automated (another system’s auto-reply), so it got no answer',
  // Delivery receipts from the carrier (End User Messaging SMS events).
  ...Object.fromEntries(
    SMS_UNDELIVERABLE_EVENTS.map((event) => [
      event,
      `the carrier reported the text undeliverable (${event}); the patient’s next allowed channel got a copy`,
    ]),
  ),
};

/**
 * The words for a reason code; a code without words (a provider's own
 * refusal code) is shown as it is.
 *
 * @param reason - a message's stored reason
 */
export function describeReason(reason: string): string {
  return (
    REASON_WORDS[reason] ??
    `the provider or pipeline gave the code "${reason}" (docs/api.md, message reasons)`
  );
}

/** The reasons the domain can give, for the test that every one has words. */
export const KNOWN_REASONS: readonly string[] = [
  ...new Set([
    ...MOVE_REASONS,
    ...PLAN_SKIP_REASONS,
    ...DECISION_SKIP_REASONS,
    ...WITHDRAW_REASONS,
    'over-segment-budget',
    'hourly-limit',
    'looks-automated',
    ...SMS_UNDELIVERABLE_EVENTS,
  ]),
];

export interface ReportPatient {
  patientId: string;
  name: string;
  /** The zone the patient reads times in (their own, else the clinic's). */
  zone: string;
  channels: readonly string[];
}

export interface ReportVisit {
  appointmentId: string;
  patientId: string;
  /** The visit's start as it stands at the end (UTC ISO). */
  startAt: string;
  /** What happened to it, in a few words. */
  note: string;
}

/**
 * When the patient reads a message: when it went out if it did, else when
 * it was due (for a skipped one, when it would have gone).
 *
 * @param message - a planned message
 */
export function readAt(message: Message): DateTime {
  const sent = message.status === 'sent' || message.status === 'delivered';
  return DateTime.fromISO(sent ? (message.finishedAt ?? message.dueAt) : message.dueAt, { zone: 'utc' });
}

function localStamp(at: DateTime, zone: string): string {
  const local = at.setZone(zone).setLocale('en-US');
  return `${local.toFormat('ccc dd LLL HH:mm')} ${zoneAbbreviation(local)}`;
}

function kindLabel(message: Message): string {
  return `${message.kind}${message.offset ? ` ${message.offset}` : ''}`;
}

/** Why a row is as it is: its reason code, and for a move, the time it was planned for. */
function whyOf(message: Message, zone: string): string {
  if (!message.reason) return '';
  if (message.plannedAt === message.dueAt) return message.reason;
  const planned = DateTime.fromISO(message.plannedAt, { zone: 'utc' }).setZone(zone).setLocale('en-US');
  return `${message.reason} (planned for ${planned.toFormat('ccc HH:mm')})`;
}

/**
 * The timeline, one block per patient in the order given; in each block
 * the patient's visits, then every message in the order the patient reads
 * it, times in the patient's zone.
 *
 * @param patients - who, in the order to print them
 * @param visits - each visit with a note
 * @param messages - every planned message of those visits
 */
export function timelineLines(
  patients: readonly ReportPatient[],
  visits: readonly ReportVisit[],
  messages: readonly Message[],
): string[] {
  const lines = [
    'Timeline by patient: each message at the time the patient reads it, in their own zone',
    '(a skipped message shows when it would have gone; reasons are explained below)',
  ];
  for (const patient of patients) {
    const own = messages
      .filter((message) => message.patientId === patient.patientId)
      .map((message) => ({ message, at: readAt(message) }))
      .sort(
        (a, b) => a.at.toMillis() - b.at.toMillis() || a.message.messageId.localeCompare(b.message.messageId),
      );
    const now = DateTime.fromISO(own[0]?.message.dueAt ?? '2026-01-01T00:00:00Z', { zone: 'utc' });
    lines.push(
      '',
      `${patient.name} · ${patient.zone} (${zoneAbbreviation(now.setZone(patient.zone))}) · ${patient.channels.join(', ')}`,
    );
    for (const visit of visits.filter((v) => v.patientId === patient.patientId)) {
      const start = DateTime.fromISO(visit.startAt, { zone: 'utc' });
      lines.push(`  visit ${visit.appointmentId}  ${localStamp(start, patient.zone)}  ${visit.note}`);
    }
    for (const { message, at } of own) {
      lines.push(
        `    ${localStamp(at, patient.zone).padEnd(24)}${(message.appointmentId ?? '').padEnd(7)}${kindLabel(message).padEnd(16)}${message.channel.padEnd(7)}${message.status.padEnd(15)}${whyOf(message, patient.zone)}`.trimEnd(),
      );
    }
  }
  return lines;
}

/**
 * The legend: each reason that occurs in `messages`, once, in the order
 * the timeline first shows it, with its plain words.
 *
 * @param patients - the timeline's order
 * @param messages - every message of the timeline
 */
export function legendLines(patients: readonly ReportPatient[], messages: readonly Message[]): string[] {
  const order = new Map(patients.map((patient, index) => [patient.patientId, index]));
  const seen = [
    ...new Set(
      [...messages]
        .sort(
          (a, b) =>
            (order.get(a.patientId) ?? 0) - (order.get(b.patientId) ?? 0) ||
            readAt(a).toMillis() - readAt(b).toMillis(),
        )
        .flatMap((message) => (message.reason ? [message.reason] : [])),
    ),
  ];
  if (seen.length === 0) return [];
  const width = Math.max(...seen.map((reason) => reason.length)) + 2;
  return [
    'Why (the reasons in this timeline)',
    ...seen.map((reason) => `  ${reason.padEnd(width)}${describeReason(reason)}`),
  ];
}

/**
 * A count with its noun in the right number: `1 visit`, `2 visits`.
 *
 * @param count - how many
 * @param one - the noun for one
 * @param many - the noun for any other count, 0 included
 */
export function counted(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * The summary: messages by kind and status (only the statuses that
 * occur), then what went out by channel.
 *
 * @param messages - every message of the timeline
 */
export function summaryLines(messages: readonly Message[]): string[] {
  const kinds = [...new Set(messages.map((message) => message.kind))];
  const statuses = MESSAGE_STATUSES.filter((status) => messages.some((message) => message.status === status));
  const lines = ['Summary', `${'kind'.padEnd(14)}${statuses.map((status) => status.padStart(14)).join('')}`];
  for (const kind of kinds) {
    const counts = statuses.map(
      (status) => messages.filter((message) => message.kind === kind && message.status === status).length,
    );
    lines.push(`${kind.padEnd(14)}${counts.map((count) => String(count).padStart(14)).join('')}`);
  }
  const out = (channel: string) =>
    messages.filter(
      (message) =>
        (message.status === 'sent' || message.status === 'delivered') && message.channel === channel,
    ).length;
  lines.push('', `sent by SMS ${out('sms')}, by email ${out('email')}`);
  return lines;
}

/** A text a patient sent the clinic in the demo, and what handle-inbound made of it. */
export interface ReportReply {
  /** When it came in (UTC ISO). */
  at: string;
  /** Who it matched; absent for a number the clinic does not know. */
  patientId?: string;
  /** What was texted: the demo's own made-up words, printed so the story reads. */
  text: string;
  /** The stored outcome (INBOUND_OUTCOMES): confirmed, opted-out, help, … */
  outcome: string;
  /** Its staff inbox state, when it needs a person. */
  state?: 'open' | 'done';
  /** Whether an answer was texted back at once. */
  answered: boolean;
}

/** A delivery receipt the demo ran, and the copy it led to. */
export interface ReportReceipt {
  at: string;
  patientId: string;
  messageId: string;
  /** The provider's event type (TEXT_CARRIER_BLOCKED, Delivery, …). */
  event: string;
  /** The copy on the patient's next channel, when one was made. */
  copy?: { messageId: string; channel: string; status: string };
}

/**
 * The two-way part of the story: each text a patient sent and each receipt,
 * in time order, in the clinic's zone, with what it did.
 *
 * @param patients - names by id
 * @param replies - the texts patients sent
 * @param receipts - the receipts that came back
 * @param zone - the clinic's zone
 */
export function twoWayLines(
  patients: readonly ReportPatient[],
  replies: readonly ReportReply[],
  receipts: readonly ReportReceipt[],
  zone: string,
): string[] {
  const nameOf = (patientId: string | undefined) =>
    patients.find((patient) => patient.patientId === patientId)?.name ?? 'unknown number';
  const width =
    Math.max(
      ...[...replies, ...receipts].map((row) => nameOf(row.patientId).length),
      'unknown number'.length,
    ) + 2;
  const textWidth = Math.max(36, ...replies.map((reply) => JSON.stringify(reply.text).length)) + 2;
  const rows = [
    ...replies.map((reply) => ({
      at: reply.at,
      line: `${nameOf(reply.patientId).padEnd(width)}texted ${JSON.stringify(reply.text).padEnd(textWidth)}${reply.outcome.padEnd(22)}${[
        reply.answered ? 'answered at once' : 'no answer',
        ...(reply.state ? [`inbox ${reply.state}`] : []),
      ].join(', ')}`,
    })),
    ...receipts.map((receipt) => ({
      at: receipt.at,
      line: `${nameOf(receipt.patientId).padEnd(width)}receipt ${receipt.event} for ${receipt.messageId}${
        receipt.copy ? `: copy by ${receipt.copy.channel} ${receipt.copy.status}` : ''
      }`,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return [
    'Two-way SMS: what patients texted back and what came back from the carrier (clinic time)',
    ...rows.map((row) =>
      `  ${localStamp(DateTime.fromISO(row.at, { zone: 'utc' }), zone).padEnd(24)}${row.line}`.trimEnd(),
    ),
  ];
}

/**
 * The two-way counts: replies by outcome (in the order of INBOUND_OUTCOMES),
 * answered at once, left open for staff, receipts by event and the copies
 * they sent.
 *
 * @param replies - the texts patients sent
 * @param receipts - the receipts that came back
 */
export function twoWaySummaryLines(
  replies: readonly ReportReply[],
  receipts: readonly ReportReceipt[],
): string[] {
  const count = <T>(items: readonly T[], key: (item: T) => string, order: readonly string[]) =>
    order
      .map((value) => [value, items.filter((item) => key(item) === value).length] as const)
      .filter(([, n]) => n > 0)
      .map(([value, n]) => `${value} ${n}`)
      .join(', ');
  const events = [...new Set(receipts.map((receipt) => receipt.event))];
  const copiesSent = receipts.filter(
    (receipt) => receipt.copy?.status === 'sent' || receipt.copy?.status === 'delivered',
  ).length;
  return [
    `${counted(replies.length, 'reply', 'replies')}: ${count(replies, (reply) => reply.outcome, INBOUND_OUTCOMES)}`,
    `answered at once ${replies.filter((reply) => reply.answered).length}, left open in the staff inbox ${
      replies.filter((reply) => reply.state === 'open').length
    }`,
    `${counted(receipts.length, 'receipt', 'receipts')}: ${count(receipts, (receipt) => receipt.event, events)}; ${counted(copiesSent, 'copy', 'copies')} sent on the next channel`,
  ];
}

/** The week's figures as GET …/metrics answers them (its `nps` and `visits`), and the surveys it counted as sent. */
export interface SurveyFigures {
  nps: NpsFigures;
  visits: { reminded: number; confirmedByReply: number; confirmationRate: number | null };
  /** Survey messages a provider took (the messages figures of the same route). */
  surveysSent: number;
}

/**
 * The survey part of the summary: each answer (score, class, how it came,
 * the comment's length, never its words), then NPS, response rate and
 * confirmation rate as the metrics route gives them.
 *
 * @param patients - names by id
 * @param messages - every message of the timeline
 * @param figures - the metrics route's figures
 */
export function surveyLines(
  patients: readonly ReportPatient[],
  messages: readonly Message[],
  figures: SurveyFigures,
): string[] {
  const nameOf = (patientId: string) =>
    patients.find((patient) => patient.patientId === patientId)?.name ?? patientId;
  const answers = messages.filter((message) => message.kind === 'survey' && message.surveyAnswer);
  const { nps, visits } = figures;
  const percent = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 1000) / 10}%`);
  return [
    'Surveys: answers by text and through the email link',
    ...answers.map((message) => {
      const answer = message.surveyAnswer as NonNullable<Message['surveyAnswer']>;
      const comment = answer.comment
        ? `, comment (${counted(Array.from(answer.comment.text).length, 'character', 'characters')})`
        : '';
      return `  ${nameOf(message.patientId).padEnd(10)}${String(answer.score).padStart(2)} ${answer.class.padEnd(10)} by ${answer.via}${comment}`;
    }),
    `NPS ${nps.score === null ? 'n/a' : nps.score} (promoters ${nps.promoters}, passives ${nps.passives}, detractors ${nps.detractors})`,
    `response rate ${percent(nps.responseRate)} (${nps.responses} answered of ${counted(figures.surveysSent, 'survey', 'surveys')} sent)`,
    `confirmation rate ${percent(visits.confirmationRate)} (${counted(visits.confirmedByReply, 'visit', 'visits')} confirmed by reply of ${visits.reminded} reminded)`,
    '  (NPS, response rate and confirmation rate as GET …/metrics answers them, from the daily counters)',
  ];
}
