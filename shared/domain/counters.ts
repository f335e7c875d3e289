/**
 * Daily counters per clinic (issue 13 items 4 and 5; design.md decision 9),
 * the pure part: which counts an event adds, on which local day, under which
 * event id, and the figures read back from a run of days. No I/O, no clock.
 *
 * Every counted event has a deterministic id (the message, visit, case or
 * text it is about, and what happened), so the store can add it once: a
 * retried or duplicated delivery brings the same id and adds nothing
 * (shared/adapters/dynamodb/daily-counters.ts says how). The same builders
 * serve the write sites and {@link recountFromRaw}, which recomputes every
 * counter from the stored items (the invariant the integration test and
 * the simulator check).
 *
 * The day of an event is the clinic's local calendar day (explicit IANA
 * zone) of the instant it happened: a message's finish, a reply's envelope
 * time, a case's change; a visit's outcome counts on the day the visit
 * started.
 */
import { DateTime } from 'luxon';
import type { FeedbackCase } from './cases/case';
import { ACCEPTED_STATUSES, CHANNELS, type Channel, MESSAGE_KINDS, type MessageKind } from './constants';
import type { Appointment, Message, Patient } from './model';
import {
  type NpsCounts,
  netPromoterScore,
  rateOf,
  SCORE_CLASSES,
  type ScoreClass,
  type SurveyScale,
} from './surveys';
import { parseUtc } from './time';

/** Counts by counter name; a day item holds one number per name that ever happened that day. */
export type Counts = Record<string, number>;

/** One thing that happened, with what it adds to its day. */
export interface CounterEvent {
  clinicId: string;
  /** Deterministic: the same happening always has the same id (at most 200 characters). */
  eventId: string;
  /** The clinic's local day, `YYYY-MM-DD`. */
  day: string;
  counts: Counts;
}

/** One day's counters as read back. */
export interface DayCounts {
  day: string;
  counts: Counts;
}

/** How a send ended, as counted: a provider took it (whatever its receipts say later), or not. */
export const MESSAGE_OUTCOMES = ['sent', 'failed', 'skipped', 'unknown'] as const;
export type MessageOutcome = (typeof MESSAGE_OUTCOMES)[number];

/**
 * Upper bounds, in minutes, of the buckets that times to acknowledge and to
 * resolve a case are counted in (the last one holds everything longer).
 * Fixed, so days add up; a median from them is the bound of the bucket
 * that holds the middle case.
 */
export const CASE_MINUTE_BUCKETS = [
  15, 30, 60, 120, 240, 480, 720, 1440, 2880, 4320, 7200, 10080, 20160, 43200,
] as const;
/** Upper bounds, in seconds, of the send-lag buckets (dueAt → the provider took it). */
export const LAG_SECOND_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400] as const;
/** The name of the open-ended last bucket. */
export const OVER = 'over';

/** The counter names, built in one place so writers and readers cannot disagree. */
export const COUNTER = {
  message: (outcome: MessageOutcome, channel: Channel, kind: MessageKind) =>
    `msg:${outcome}:${channel}:${kind}`,
  sendLag: (bucket: string) => `lag:${bucket}`,
  visitReminded: 'visit:reminded',
  visitConfirmed: 'visit:confirmed',
  visitCompleted: (confirmed: boolean) => `visit:completed:${confirmed ? 'confirmed' : 'unconfirmed'}`,
  visitNoShow: (confirmed: boolean) => `visit:no-show:${confirmed ? 'confirmed' : 'unconfirmed'}`,
  surveyAnswered: (scale: SurveyScale, cls: ScoreClass) => `survey:${scale}:${cls}`,
  csatSum: 'survey:csat:sum',
  optOut: (channel: Channel) => `opt-out:${channel}`,
  caseOpened: 'case:opened',
  caseAcknowledged: 'case:acknowledged',
  caseResolved: 'case:resolved',
  acknowledgeMinutes: (bucket: string) => `case:ack-min:${bucket}`,
  resolveMinutes: (bucket: string) => `case:resolve-min:${bucket}`,
} as const;

/**
 * The clinic-local day of an instant.
 *
 * @param at - a UTC ISO instant
 * @param zone - the clinic's IANA zone
 */
export function localDayOf(at: string, zone: string): string {
  return parseUtc(at).setZone(zone).toISODate() ?? at.slice(0, 10);
}

/** The bucket a value falls in: the first bound it does not exceed, else {@link OVER}. */
export function bucketOf(value: number, bounds: readonly number[]): string {
  const bound = bounds.find((upper) => value <= upper);
  return bound === undefined ? OVER : String(bound);
}

/** How a finished message is counted, or undefined while it is not finished by a send attempt. */
export function messageOutcomeOf(message: Message): MessageOutcome | undefined {
  // Only what send-message finished: it marks `sending` first, so sendingAt is
  // set; a message skipped or withdrawn by planning is not sending, and an
  // attempt given back to pending (a throttle, a retry) clears it (sim seed 121).
  if (!message.sendingAt || !message.finishedAt) return undefined;
  // The send ended unknown; a receipt that settled it later does not change how it ended (sim seed 2125).
  if (message.unknownAt) return 'unknown';
  if (ACCEPTED_STATUSES.has(message.status)) return 'sent';
  if (message.status === 'failed' || message.status === 'skipped' || message.status === 'unknown') {
    return message.status;
  }
  return undefined;
}

/**
 * The counts a message's end adds: its outcome by channel and kind, and for
 * a sent one its send lag. One event per message (a message ends once).
 *
 * @param message - the message as stored after its last send-time transition
 * @param zone - the clinic's zone
 */
export function messageOutcomeEvent(message: Message, zone: string): CounterEvent | undefined {
  const outcome = messageOutcomeOf(message);
  if (!outcome || !message.finishedAt) return undefined;
  const counts: Counts = { [COUNTER.message(outcome, message.channel, message.kind)]: 1 };
  if (outcome === 'sent') {
    const lag = Math.max(0, parseUtc(message.finishedAt).diff(parseUtc(message.dueAt), 'seconds').seconds);
    counts[COUNTER.sendLag(bucketOf(lag, LAG_SECOND_BUCKETS))] = 1;
  }
  return {
    clinicId: message.clinicId,
    eventId: `msg#${message.patientId}#${message.messageId}`,
    day: localDayOf(message.finishedAt, zone),
    counts,
  };
}

/**
 * A visit reminded: the first reminder of an appointment that a provider
 * took. Every later reminder of it brings the same id, so a visit counts once.
 *
 * @param message - a sent reminder
 * @param zone - the clinic's zone
 */
export function visitRemindedEvent(message: Message, zone: string): CounterEvent | undefined {
  if (message.kind !== 'reminder' || !message.appointmentId || messageOutcomeOf(message) !== 'sent') {
    return undefined;
  }
  return {
    clinicId: message.clinicId,
    eventId: `visit#${message.appointmentId}#reminded`,
    day: localDayOf(message.finishedAt ?? message.dueAt, zone),
    counts: { [COUNTER.visitReminded]: 1 },
  };
}

/**
 * What an appointment change adds: a confirmation by reply that it did not
 * have, or an outcome (completed, no-show split by whether the patient had
 * confirmed). A visit counts each once (a moved visit confirmed again is
 * still one confirmed visit).
 *
 * @param before - the appointment before the change (undefined when created)
 * @param after - the appointment after it
 * @param zone - the clinic's zone
 */
export function appointmentChangeEvents(
  before: Appointment | undefined,
  after: Appointment,
  zone: string,
): CounterEvent[] {
  const events: CounterEvent[] = [];
  const base = { clinicId: after.clinicId };
  if (after.confirmation && !before?.confirmation) {
    events.push({
      ...base,
      eventId: `visit#${after.appointmentId}#confirmed`,
      day: localDayOf(after.confirmation.at, zone),
      counts: { [COUNTER.visitConfirmed]: 1 },
    });
  }
  if (after.status !== before?.status && (after.status === 'completed' || after.status === 'no-show')) {
    events.push({
      ...base,
      // One outcome per visit: completing a no-show (or the reverse) is not a second visit.
      eventId: `visit#${after.appointmentId}#outcome`,
      day: localDayOf(after.startAt, zone),
      counts: {
        [after.status === 'completed'
          ? COUNTER.visitCompleted(after.confirmation !== undefined)
          : COUNTER.visitNoShow(after.confirmation !== undefined)]: 1,
      },
    });
  }
  return events;
}

/**
 * Days back that a site counts what it finds already stored (an earlier
 * delivery's change it may not have counted): a redelivery comes within SQS's
 * 14-day retention. Markers live longer (daily-counters.ts), so whatever a
 * site counts again within this window finds its marker.
 */
export const RECOUNT_WINDOW_DAYS = 14;

/** The message counter a name is, if it is one (`msg:sent:sms:reminder`). */
export function parseMessageCounter(
  name: string,
): { outcome: MessageOutcome; channel: Channel; kind: MessageKind } | undefined {
  const [head, outcome, channel, kind] = name.split(':');
  if (head !== 'msg') return undefined;
  if (!(MESSAGE_OUTCOMES as readonly string[]).includes(outcome ?? '')) return undefined;
  if (!(CHANNELS as readonly string[]).includes(channel ?? '')) return undefined;
  if (!(MESSAGE_KINDS as readonly string[]).includes(kind ?? '')) return undefined;
  return { outcome: outcome as MessageOutcome, channel: channel as Channel, kind: kind as MessageKind };
}

/**
 * A survey's answer (its first score; the comment after it adds nothing):
 * by scale and class, and the score into the CSAT sum on that scale.
 *
 * @param message - the survey message as stored with its answer
 * @param zone - the clinic's zone
 */
export function surveyAnswerEvent(message: Message, zone: string): CounterEvent | undefined {
  const answer = message.surveyAnswer;
  if (message.kind !== 'survey' || !answer) return undefined;
  return {
    clinicId: message.clinicId,
    eventId: `survey#${message.patientId}#${message.messageId}`,
    day: localDayOf(answer.answeredAt, zone),
    counts: {
      [COUNTER.surveyAnswered(answer.scale, answer.class)]: 1,
      ...(answer.scale === 'csat' ? { [COUNTER.csatSum]: answer.score } : {}),
    },
  };
}

/**
 * The opt-outs a patient record holds, one event per channel and instant
 * (the same opt-out seen again is the same event; a later one is new).
 *
 * @param patient - the patient as stored
 * @param zone - the clinic's zone
 * @param since - only opt-outs at or after this UTC ISO instant (undefined: all)
 */
export function optOutEvents(patient: Patient, zone: string, since?: string): CounterEvent[] {
  const events: CounterEvent[] = [];
  for (const channel of CHANNELS) {
    const optOut = patient.optOuts[channel];
    if (!optOut || (since !== undefined && optOut.at < since)) continue;
    events.push({
      clinicId: patient.clinicId,
      eventId: `opt-out#${patient.patientId}#${channel}#${optOut.at}`,
      day: localDayOf(optOut.at, zone),
      counts: { [COUNTER.optOut(channel)]: 1 },
    });
  }
  return events;
}

/**
 * The opt-outs a patient change adds: each one on the record after it that
 * the record before it did not hold (a channel newly opted out, or opted out
 * again at a new instant), as {@link optOutEvents} counts them.
 *
 * @param before - the patient before the change (undefined when created)
 * @param after - the patient as stored after it
 * @param zone - the clinic's zone
 */
export function optOutChangeEvents(
  before: Patient | undefined,
  after: Patient,
  zone: string,
): CounterEvent[] {
  const held = new Set(before ? optOutEvents(before, zone).map((event) => event.eventId) : []);
  return optOutEvents(after, zone).filter((event) => !held.has(event.eventId));
}

function minutesBetween(from: string, to: string): number {
  return Math.max(0, parseUtc(to).diff(parseUtc(from), 'minutes').minutes);
}

/**
 * What a case change adds: its opening, its acknowledgement and its
 * resolution (each once, with the elapsed minutes from opening in a bucket).
 *
 * @param before - the case before the change (undefined when created)
 * @param after - the case as stored after it
 * @param zone - the clinic's zone
 */
export function caseChangeEvents(
  before: FeedbackCase | undefined,
  after: FeedbackCase,
  zone: string,
): CounterEvent[] {
  const events: CounterEvent[] = [];
  const base = { clinicId: after.clinicId };
  if (!before) {
    events.push({
      ...base,
      eventId: `case#${after.caseId}#opened`,
      day: localDayOf(after.openedAt, zone),
      counts: { [COUNTER.caseOpened]: 1 },
    });
  }
  if (after.acknowledgedAt && !before?.acknowledgedAt) {
    const minutes = minutesBetween(after.openedAt, after.acknowledgedAt);
    events.push({
      ...base,
      eventId: `case#${after.caseId}#acknowledged`,
      day: localDayOf(after.acknowledgedAt, zone),
      counts: {
        [COUNTER.caseAcknowledged]: 1,
        [COUNTER.acknowledgeMinutes(bucketOf(minutes, CASE_MINUTE_BUCKETS))]: 1,
      },
    });
  }
  if (after.resolvedAt && !before?.resolvedAt) {
    const minutes = minutesBetween(after.openedAt, after.resolvedAt);
    events.push({
      ...base,
      eventId: `case#${after.caseId}#resolved`,
      day: localDayOf(after.resolvedAt, zone),
      counts: {
        [COUNTER.caseResolved]: 1,
        [COUNTER.resolveMinutes(bucketOf(minutes, CASE_MINUTE_BUCKETS))]: 1,
      },
    });
  }
  return events;
}

/** Adds `more` into `into`. */
export function addCounts(into: Counts, more: Counts): Counts {
  for (const [name, value] of Object.entries(more)) into[name] = (into[name] ?? 0) + value;
  return into;
}

/** The raw items a clinic's counters are recounted from. */
export interface RawItems {
  /** Every message of the clinic. */
  messages: readonly Message[];
  /** Every appointment of the clinic as stored now. */
  appointments: readonly Appointment[];
  /** Every patient of the clinic (their opt-outs). */
  patients?: readonly Patient[];
  /** Every feedback case of the clinic. */
  cases?: readonly FeedbackCase[];
}

/**
 * Every counter of a clinic, recomputed from its stored items, by day: what
 * the daily counters must hold after any run, however often its deliveries
 * were repeated or its functions crashed (exported for the simulator's
 * invariant). Appointment events are read from the stored appointment
 * (a confirmation it still carries, its outcome), so a visit moved after
 * it was confirmed, which drops the confirmation, recounts lower than it
 * was counted: compare on runs without such moves, or recount from the
 * stream's history.
 *
 * @param raw - the clinic's messages and appointments
 * @param zone - the clinic's zone
 */
export function recountFromRaw(raw: RawItems, zone: string): Map<string, Counts> {
  const byEvent = new Map<string, CounterEvent>();
  const note = (event: CounterEvent | undefined) => {
    if (event) byEvent.set(event.eventId, event);
  };
  // Reminders in send order, so a visit's reminded day is its first reminder's.
  const sorted = [...raw.messages].sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
  for (const message of sorted) {
    note(messageOutcomeEvent(message, zone));
    const reminded = visitRemindedEvent(message, zone);
    if (reminded && !byEvent.has(reminded.eventId)) note(reminded);
    note(surveyAnswerEvent(message, zone));
  }
  for (const appointment of raw.appointments) {
    for (const event of appointmentChangeEvents(undefined, appointment, zone)) note(event);
  }
  for (const patient of raw.patients ?? []) for (const event of optOutEvents(patient, zone)) note(event);
  for (const record of raw.cases ?? [])
    for (const event of caseChangeEvents(undefined, record, zone)) note(event);
  const days = new Map<string, Counts>();
  for (const event of byEvent.values())
    addCounts(days.get(event.day) ?? setNew(days, event.day), event.counts);
  return days;
}

function setNew(days: Map<string, Counts>, day: string): Counts {
  const counts: Counts = {};
  days.set(day, counts);
  return counts;
}

/** The sum of every counter whose name starts with `prefix`. */
export function sumOf(counts: Counts, prefix: string): number {
  let total = 0;
  for (const [name, value] of Object.entries(counts)) if (name.startsWith(prefix)) total += value;
  return total;
}

/**
 * The median of a bucketed histogram: the upper bound of the bucket that
 * holds the middle value (null when empty; the open-ended bucket answers
 * its lower bound, the last finite one).
 *
 * @param counts - the counters
 * @param name - the counter name of a bucket
 * @param bounds - the buckets' upper bounds
 */
export function histogramMedian(
  counts: Counts,
  name: (bucket: string) => string,
  bounds: readonly number[],
): number | null {
  return histogramQuantile(counts, name, bounds, 0.5);
}

/** The bucket bound at quantile `q` (nearest rank) of a bucketed histogram; null when empty. */
export function histogramQuantile(
  counts: Counts,
  name: (bucket: string) => string,
  bounds: readonly number[],
  q: number,
): number | null {
  const buckets = [
    ...bounds.map((bound) => ({ key: String(bound), value: bound })),
    { key: OVER, value: bounds.at(-1) ?? 0 },
  ];
  const total = buckets.reduce((sum, bucket) => sum + (counts[name(bucket.key)] ?? 0), 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bucket of buckets) {
    seen += counts[name(bucket.key)] ?? 0;
    if (seen >= rank) return bucket.value;
  }
  return null;
}

/** The `nps` object of the metrics. */
export interface NpsFigures {
  score: number | null;
  promoters: number;
  passives: number;
  detractors: number;
  responses: number;
  responseRate: number | null;
}

/** NPS figures from counters (the `nps` object of the metrics). */
export function npsFigures(counts: Counts): NpsFigures {
  const classes: NpsCounts = {
    promoters: counts[COUNTER.surveyAnswered('nps', 'promoter')] ?? 0,
    passives: counts[COUNTER.surveyAnswered('nps', 'passive')] ?? 0,
    detractors: counts[COUNTER.surveyAnswered('nps', 'detractor')] ?? 0,
  };
  const responses = classes.promoters + classes.passives + classes.detractors;
  const csatResponses = csatAnswers(counts);
  const surveysSent = CHANNELS.reduce(
    (sum, channel) => sum + (counts[COUNTER.message('sent', channel, 'survey')] ?? 0),
    0,
  );
  return {
    score: netPromoterScore(classes),
    ...classes,
    responses,
    responseRate: rateOf(responses + csatResponses, surveysSent),
  };
}

/** CSAT answers counted (every class on the CSAT scale). */
export function csatAnswers(counts: Counts): number {
  return SCORE_CLASSES.reduce((sum, cls) => sum + (counts[COUNTER.surveyAnswered('csat', cls)] ?? 0), 0);
}

/** The Monday (ISO week start) of a local day. */
export function weekOf(day: string): string {
  return DateTime.fromISO(day, { zone: 'utc' }).startOf('week').toISODate() ?? day;
}
