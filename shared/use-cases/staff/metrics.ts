/**
 * Clinic figures for a period, read from the daily counters (design.md
 * decision 9; issue 13 items 4 and 5): one query of at most one counter
 * item per local day of the period (92 at most), plus the clinic's
 * unresolved cases for the figures "now". No appointment or message is read.
 *
 * What "in the period" means: the events that happened on the clinic's local
 * days of the period (a message on the day its send ended, a confirmation on
 * the day the patient sent it, a visit's outcome on the day it started, a
 * case's change on its day). A period given in UTC instants is widened to the
 * whole local days it touches.
 */
import { DateTime } from 'luxon';
import type { Metrics } from '../../api/schemas';
import { MetricsQuerySchema } from '../../api/schemas';
import {
  addCounts,
  CASE_MINUTE_BUCKETS,
  COUNTER,
  type Counts,
  csatAnswers,
  type DayCounts,
  histogramQuantile,
  LAG_SECOND_BUCKETS,
  localDayOf,
  MESSAGE_OUTCOMES,
  type MessageOutcome,
  npsFigures,
  parseMessageCounter,
  sumOf,
  weekOf,
} from '../../domain/counters';
import { ValidationError } from '../../domain/errors';
import { type Channel, ChannelSchema, MESSAGE_KINDS, type MessageKind } from '../../domain/model';
import { rateOf } from '../../domain/surveys';
import { type Clock, parseUtc, toUtcIso } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type { CaseRepository } from '../../ports/cases';
import type { DailyCounters } from '../../ports/counters';
import type { ClinicRepository } from '../../ports/repositories';
import { caseFiguresNow } from './case-figures';
import { loadClinic } from './common';
import { resolvePeriod } from './period';

export interface MetricsDeps {
  clinics: ClinicRepository;
  counters: DailyCounters;
  cases: CaseRepository;
  clock: Clock;
}

export const MAX_METRICS_DAYS = 92;

export const METRICS_METHOD =
  'From the daily counters per clinic (one item per local day, written where each event happens, each ' +
  'event counted once under retries and duplicated deliveries): the sum over the local days of the period ' +
  `(at most ${MAX_METRICS_DAYS}; UTC bounds are widened to whole local days), and per week (Monday to Sunday ` +
  'in the clinic zone, clipped to the period). Rates are null when their denominator is 0. Figures "now" ' +
  '(cases open, acknowledged, overdue) read the unresolved cases at the time of the request.';

export const FIGURE_METHODS = {
  nps:
    'Answers to NPS surveys (0–10) on the day they were received: promoters 9–10, passives 7–8, detractors ' +
    '0–6; score = % promoters − % detractors, one decimal, null with no responses. responseRate = answers ' +
    '(NPS and CSAT, late ones included) ÷ surveys a provider took, each on its own day.',
  csat: 'Answers to CSAT surveys (1–5) on the day they were received: sum of scores ÷ answers, two decimals.',
  visits:
    'reminded: visits whose first reminder a provider took, on that day (one per visit however many ' +
    'reminders). confirmedByReply: visits the patient confirmed by text, on the day of the text (one per ' +
    'visit). confirmationRate = confirmedByReply ÷ reminded. completed and no-shows: on the day the visit ' +
    'started, one outcome per visit; a no-show is confirmed when the visit held a confirmation by reply when ' +
    'it was marked. noShowRate = no-shows ÷ (completed + no-shows), overall and within confirmed and ' +
    'unconfirmed visits.',
  messages:
    'Sends that ended, on the day they ended, by how (sent: a provider took it, whatever its receipts said ' +
    'later; failed; skipped at send time with a reason; unknown: the provider may have it), channel and ' +
    'kind. Messages skipped or withdrawn by planning, never tried, are not counted.',
  optOuts:
    'Opt-outs recorded on the day they happened (a STOP text, a carrier or mail-server refusal), by channel; ' +
    'rate = opt-outs ÷ messages sent in the period.',
  sendLagSeconds:
    'For sent messages, provider acceptance − due time, counted in fixed buckets (upper bounds ' +
    `${LAG_SECOND_BUCKETS.join(', ')} s and over); median and p99 (nearest rank) are the upper bound of the ` +
    'bucket that holds them.',
  cases:
    'opened, acknowledged, resolved: case changes on their day. Times to acknowledge and to resolve ' +
    '(elapsed minutes from opening) are counted in fixed buckets (upper bounds ' +
    `${CASE_MINUTE_BUCKETS.join(', ')} min and over) on the day of the change; the median is the upper bound ` +
    'of the bucket that holds it. openNow, acknowledgedNow, overdueNow: unresolved cases at the time of the ' +
    'request; overdue ones are past their acknowledgement due time while open, or their resolution due time.',
} as const;

/** The figures of a sum of days (the weekly series and the period share them). */
function figuresOf(counts: Counts) {
  const byOutcome = Object.fromEntries(MESSAGE_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
    (typeof MESSAGE_OUTCOMES)[number],
    number
  >;
  const byChannel = Object.fromEntries(ChannelSchema.options.map((channel) => [channel, 0])) as Record<
    (typeof ChannelSchema.options)[number],
    number
  >;
  const byKind = Object.fromEntries(MESSAGE_KINDS.map((kind) => [kind, 0])) as Record<
    (typeof MESSAGE_KINDS)[number],
    number
  >;
  const breakdown: { kind: MessageKind; channel: Channel; outcome: MessageOutcome; count: number }[] = [];
  for (const [name, count] of Object.entries(counts)) {
    const parsed = parseMessageCounter(name);
    if (!parsed || count === 0) continue;
    byOutcome[parsed.outcome] += count;
    byChannel[parsed.channel] += count;
    byKind[parsed.kind] += count;
    breakdown.push({ ...parsed, count });
  }
  breakdown.sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) ||
      a.channel.localeCompare(b.channel) ||
      a.outcome.localeCompare(b.outcome),
  );
  const total = byOutcome.sent + byOutcome.failed + byOutcome.skipped + byOutcome.unknown;
  const reminded = counts[COUNTER.visitReminded] ?? 0;
  const confirmedByReply = counts[COUNTER.visitConfirmed] ?? 0;
  const completedConfirmed = counts[COUNTER.visitCompleted(true)] ?? 0;
  const completed = completedConfirmed + (counts[COUNTER.visitCompleted(false)] ?? 0);
  const noShows = {
    confirmed: counts[COUNTER.visitNoShow(true)] ?? 0,
    unconfirmed: counts[COUNTER.visitNoShow(false)] ?? 0,
  };
  const optOuts = { sms: counts[COUNTER.optOut('sms')] ?? 0, email: counts[COUNTER.optOut('email')] ?? 0 };
  const csatResponses = csatAnswers(counts);
  const csatSum = counts[COUNTER.csatSum] ?? 0;
  return {
    nps: npsFigures(counts),
    csat: {
      mean: csatResponses === 0 ? null : Math.round((csatSum / csatResponses) * 100) / 100,
      responses: csatResponses,
    },
    visits: {
      reminded,
      confirmedByReply,
      confirmationRate: rateOf(confirmedByReply, reminded),
      completed,
      noShows,
      noShowRate: {
        all: rateOf(
          noShows.confirmed + noShows.unconfirmed,
          completed + noShows.confirmed + noShows.unconfirmed,
        ),
        confirmed: rateOf(noShows.confirmed, completedConfirmed + noShows.confirmed),
        unconfirmed: rateOf(noShows.unconfirmed, completed - completedConfirmed + noShows.unconfirmed),
      },
    },
    messages: { total, byOutcome, byChannel, byKind, breakdown },
    optOuts: { ...optOuts, rate: rateOf(optOuts.sms + optOuts.email, byOutcome.sent) },
    sendLagSeconds: {
      count: sumOf(counts, COUNTER.sendLag('')),
      median: histogramQuantile(counts, COUNTER.sendLag, LAG_SECOND_BUCKETS, 0.5),
      p99: histogramQuantile(counts, COUNTER.sendLag, LAG_SECOND_BUCKETS, 0.99),
    },
    cases: {
      opened: counts[COUNTER.caseOpened] ?? 0,
      acknowledged: counts[COUNTER.caseAcknowledged] ?? 0,
      resolved: counts[COUNTER.caseResolved] ?? 0,
      medianMinutesToAcknowledge: histogramQuantile(
        counts,
        COUNTER.acknowledgeMinutes,
        CASE_MINUTE_BUCKETS,
        0.5,
      ),
      medianMinutesToResolve: histogramQuantile(counts, COUNTER.resolveMinutes, CASE_MINUTE_BUCKETS, 0.5),
    },
  };
}

const plusDays = (day: string, days: number) =>
  DateTime.fromISO(day, { zone: 'utc' }).plus({ days }).toISODate() as string;

/** The period's weeks, each with the sum of its days inside the period. */
function weeksOf(days: readonly DayCounts[], fromDay: string, toDay: string) {
  const weeks: { week: string; from: string; to: string; counts: Counts }[] = [];
  for (let week = weekOf(fromDay); week <= toDay; week = plusDays(week, 7)) {
    const end = plusDays(week, 6);
    weeks.push({ week, from: week < fromDay ? fromDay : week, to: end > toDay ? toDay : end, counts: {} });
  }
  for (const day of days) {
    const target = weeks.find((week) => day.day >= week.from && day.day <= week.to);
    if (target) addCounts(target.counts, day.counts);
  }
  return weeks;
}

/**
 * The figures of a clinic for a period, from its daily counters.
 *
 * Primary course:
 * 1. Check the query; read the clinic for its zone; resolve the period to whole local days.
 * 2. Read the period's day items (one query, at most one item a day) and the unresolved cases.
 * 3. Sum the days for the period and per week; derive each figure.
 *
 * @param deps - the clinics, counters, cases and clock
 * @param clinicId - the clinic in the path
 * @param query - the query string (`from`, `to`)
 */
export async function clinicMetrics(
  deps: MetricsDeps,
  clinicId: string,
  query: Record<string, string>,
): Promise<Metrics> {
  const parsed = parseOrThrow(MetricsQuerySchema, query);
  const clinic = await loadClinic(deps.clinics, clinicId);
  const zone = clinic.timeZone;
  const period = resolvePeriod(parsed, zone, MAX_METRICS_DAYS);
  const fromDay = localDayOf(period.from, zone);
  const toDay = parseUtc(period.to).minus({ milliseconds: 1 }).setZone(zone).toISODate() as string;
  const dayCount =
    DateTime.fromISO(toDay, { zone: 'utc' }).diff(DateTime.fromISO(fromDay, { zone: 'utc' }), 'days').days +
    1;
  if (dayCount > MAX_METRICS_DAYS) {
    throw ValidationError.field('to', `must be at most ${MAX_METRICS_DAYS} local days after from`);
  }
  const [days, now] = await Promise.all([
    deps.counters.readDays(clinicId, fromDay, toDay),
    caseFiguresNow(deps.cases, clinicId, deps.clock.now()),
  ]);
  const total: Counts = {};
  for (const day of days) addCounts(total, day.counts);
  const figures = figuresOf(total);
  return {
    clinicId,
    from: toUtcIso(DateTime.fromISO(fromDay, { zone })),
    to: toUtcIso(DateTime.fromISO(plusDays(toDay, 1), { zone })),
    timeZone: zone,
    days: { from: fromDay, to: toDay, counterItemsRead: days.length },
    nps: { ...figures.nps, method: FIGURE_METHODS.nps },
    csat: { ...figures.csat, method: FIGURE_METHODS.csat },
    visits: { ...figures.visits, method: FIGURE_METHODS.visits },
    messages: { ...figures.messages, method: FIGURE_METHODS.messages },
    optOuts: { ...figures.optOuts, method: FIGURE_METHODS.optOuts },
    sendLagSeconds: { ...figures.sendLagSeconds, method: FIGURE_METHODS.sendLagSeconds },
    cases: {
      ...figures.cases,
      openNow: now.open,
      acknowledgedNow: now.acknowledged,
      overdueNow: now.overdue,
      method: FIGURE_METHODS.cases,
    },
    weeks: weeksOf(days, fromDay, toDay).map(({ counts, ...week }) => ({ ...week, ...figuresOf(counts) })),
    method: METRICS_METHOD,
  };
}
