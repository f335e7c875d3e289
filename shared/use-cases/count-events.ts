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
import {
  type CounterEvent,
  messageOutcomeEvent,
  messageOutcomeOf,
  visitRemindedEvent,
} from '../domain/counters';
import type { Message } from '../domain/model';
import type { DailyCounters } from '../ports/counters';

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
export async function countMessageEnd(
  deps: {
    counters: DailyCounters;
    clinics: { get(clinicId: string): Promise<{ timeZone: string } | undefined> };
  },
  message: Message,
): Promise<void> {
  if (!messageOutcomeOf(message)) return;
  const clinic = await deps.clinics.get(message.clinicId);
  // A clinic removed since: no one reads its figures.
  if (!clinic) return;
  await recordEvents(deps.counters, [
    messageOutcomeEvent(message, clinic.timeZone),
    visitRemindedEvent(message, clinic.timeZone),
  ]);
}
