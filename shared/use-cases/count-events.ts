/**
 * Counting where events happen (design.md decision 9): each site hands over
 * the record as stored after the change, the domain says what it adds and on
 * which day (shared/domain/counters.ts), the store adds each event once.
 *
 * Each site counts after its own state change is stored and lets a failure
 * to count fail the delivery, so the redelivery (SQS, the stream) comes
 * back, finds the change already made, and counts again: the event id makes
 * the second count a no-op if the first one landed. Nothing is resent for
 * that: send-message counts again on the path that ignores an outdated
 * queue message.
 */
import type { DateTime } from 'luxon';
import type { FeedbackCase } from '../domain/cases/case';
import {
  appointmentChangeEvents,
  type CounterEvent,
  caseChangeEvents,
  messageOutcomeEvent,
  messageOutcomeOf,
  optOutEvents,
  RECOUNT_WINDOW_DAYS,
  surveyAnswerEvent,
  visitRemindedEvent,
} from '../domain/counters';
import type { Appointment, Message, Patient } from '../domain/model';
import { toUtcIso } from '../domain/time';
import type { DailyCounters } from '../ports/counters';
import type { ClinicRepository } from '../ports/repositories';

/** What every counting site needs: the store, and the clinics for the clinic's zone. */
export interface CountingDeps {
  counters: DailyCounters;
  /** The port's own `get`, so the code-access analysis (test/infra) follows it to the table. */
  clinics: Pick<ClinicRepository, 'get'>;
}

async function zoneOf(deps: CountingDeps, clinicId: string): Promise<string | undefined> {
  // A clinic removed since: no one reads its figures.
  return (await deps.clinics.get(clinicId))?.timeZone;
}

/**
 * Records each event; the first failure is thrown (after trying the rest,
 * which are as safe to repeat).
 *
 * @param counters - the store
 * @param events - the events, undefined ones skipped
 */
export async function recordEvents(
  counters: DailyCounters,
  events: readonly (CounterEvent | undefined)[],
): Promise<void> {
  const results = await Promise.allSettled(
    events
      .filter((event): event is CounterEvent => event !== undefined)
      .map((event) => counters.record(event)),
  );
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Counts how a send ended (outcome by channel and kind, send lag) and, for
 * the first reminder of a visit a provider took, the visit as reminded.
 * A message not yet finished by a send attempt counts nothing.
 *
 * @param deps - the counters and the clinics (for the clinic's zone)
 * @param message - the message as stored after the transition
 */
export async function countMessageEnd(deps: CountingDeps, message: Message): Promise<void> {
  if (!messageOutcomeOf(message)) return;
  const zone = await zoneOf(deps, message.clinicId);
  if (!zone) return;
  await recordEvents(deps.counters, [messageOutcomeEvent(message, zone), visitRemindedEvent(message, zone)]);
}

/**
 * Counts what an appointment change brought: a confirmation by reply, an
 * outcome (completed, no-show split by confirmation). From the stream, so a
 * failure here fails the record and Lambda delivers it again.
 *
 * @param deps - counters and clinics
 * @param before - the appointment before the change (undefined when created)
 * @param after - the appointment after it
 */
export async function countAppointmentChange(
  deps: CountingDeps,
  before: Appointment | undefined,
  after: Appointment,
): Promise<void> {
  // Most changes count nothing: no clinic read for them.
  if (appointmentChangeEvents(before, after, 'UTC').length === 0) return;
  const zone = await zoneOf(deps, after.clinicId);
  if (!zone) return;
  await recordEvents(deps.counters, appointmentChangeEvents(before, after, zone));
}

/**
 * Counts the opt-outs a patient record holds from the last
 * {@link RECOUNT_WINDOW_DAYS} days: the one just recorded, or one an earlier
 * delivery recorded and may not have counted (a repeat is a no-op).
 *
 * @param deps - counters and clinics
 * @param patient - the patient as stored after the change
 * @param now - the instant of the change
 */
export async function countOptOuts(deps: CountingDeps, patient: Patient, now: DateTime): Promise<void> {
  const since = toUtcIso(now.minus({ days: RECOUNT_WINDOW_DAYS }));
  if (optOutEvents(patient, 'UTC', since).length === 0) return;
  const zone = await zoneOf(deps, patient.clinicId);
  if (!zone) return;
  await recordEvents(deps.counters, optOutEvents(patient, zone, since));
}

/**
 * Counts a survey's answer (its score, once per survey).
 *
 * @param deps - counters and clinics
 * @param message - the survey message as stored with its answer
 */
export async function countSurveyAnswer(deps: CountingDeps, message: Message): Promise<void> {
  if (!message.surveyAnswer) return;
  const zone = await zoneOf(deps, message.clinicId);
  if (!zone) return;
  await recordEvents(deps.counters, [surveyAnswerEvent(message, zone)]);
}

/**
 * Counts a case change: opened, acknowledged, resolved (with the minutes from opening).
 *
 * @param deps - counters and clinics
 * @param before - the case before the change (undefined when created)
 * @param after - the case as stored after it
 */
export async function countCaseChange(
  deps: CountingDeps,
  before: FeedbackCase | undefined,
  after: FeedbackCase,
): Promise<void> {
  const zone = await zoneOf(deps, after.clinicId);
  if (!zone) return;
  await recordEvents(deps.counters, caseChangeEvents(before, after, zone));
}
