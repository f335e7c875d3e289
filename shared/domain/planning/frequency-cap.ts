/**
 * The frequency cap: at most `perDay` reminders a local calendar day and
 * `perWeek` in any rolling 7 × 24 hours per patient. Only reminders count and
 * only reminders are capped; confirmations and change notices always go.
 */
import type { DateTime } from 'luxon';
import { type MessageStatus, PRIORITY_RANK } from '../constants';
import type { MessagingPolicy } from '../model';
import { parseUtc } from '../time';
import type { OtherMessage, PlannedMessage } from './types';

export type FrequencyCap = MessagingPolicy['frequencyCap'];

/** A stored message in one of these may still reach the patient, so it counts against the cap. */
const COUNTED_STATUSES: ReadonlySet<MessageStatus> = new Set([
  'pending',
  'queued',
  'sending',
  'sent',
  'unknown',
]);

const WEEK_MS = 7 * 24 * 3_600_000;

function localDay(at: DateTime, zone: string): string {
  return at.setZone(zone).toISODate() ?? '';
}

/** True when adding `candidate` to `kept` stays within both caps. */
function fits(candidate: DateTime, kept: readonly DateTime[], cap: FrequencyCap, zone: string): boolean {
  const day = localDay(candidate, zone);
  if (kept.filter((at) => localDay(at, zone) === day).length >= cap.perDay) return false;
  // The busiest 7-day window holding the candidate starts at one of the
  // messages (or the candidate) in the week before it.
  const all = [...kept, candidate];
  const time = candidate.toMillis();
  return all
    .map((at) => at.toMillis())
    .filter((start) => start <= time && time - start < WEEK_MS)
    .every(
      (start) =>
        all.filter((at) => at.toMillis() >= start && at.toMillis() - start < WEEK_MS).length <= cap.perWeek,
    );
}

/**
 * Skips planned reminders that would break the clinic's frequency cap.
 *
 * Messages already stored (other appointments', or reminders this patient
 * already got for an earlier time of this visit) are never withdrawn here:
 * they came first, so the newcomer loses. Among this plan's reminders the
 * higher priority is kept first, and among equal priority the one nearest the
 * visit (the most useful one).
 *
 * @param planned - this plan's messages (only pending reminders are considered)
 * @param others - the patient's stored messages that count: other appointments', and
 *   this appointment's reminders of an earlier schedule that reached the patient
 * @param cap - the clinic's frequency cap
 * @param zone - the patient's zone, which decides calendar days
 * @returns the same messages, with capped reminders marked skipped `frequency-cap`
 */
export function applyFrequencyCap(
  planned: readonly PlannedMessage[],
  others: readonly OtherMessage[],
  cap: FrequencyCap,
  zone: string,
): PlannedMessage[] {
  if (!cap.enabled) return [...planned];
  // A stored message with an id of this plan is this plan's own candidate.
  const plannedIds = new Set(planned.map((message) => message.messageId));
  const kept = others
    .filter(
      (message) =>
        message.kind === 'reminder' &&
        COUNTED_STATUSES.has(message.status) &&
        !plannedIds.has(message.messageId),
    )
    .map((message) => parseUtc(message.dueAt));
  const candidates = planned
    .filter((message) => message.kind === 'reminder' && message.status === 'pending')
    .sort(
      (a, b) =>
        PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
        b.dueAt.localeCompare(a.dueAt) ||
        a.messageId.localeCompare(b.messageId),
    );
  const capped = new Set<string>();
  for (const candidate of candidates) {
    const at = parseUtc(candidate.dueAt);
    if (fits(at, kept, cap, zone)) kept.push(at);
    else capped.add(candidate.messageId);
  }
  return planned.map((message) =>
    capped.has(message.messageId) ? { ...message, status: 'skipped', reason: 'frequency-cap' } : message,
  );
}
