/**
 * The frequency cap: at most `perDay` reminders a local calendar day and
 * `perWeek` in any rolling 7 × 24 hours per patient. Only reminders count and
 * only reminders are capped; confirmations and change notices always go.
 *
 * A patient with visits close together (dialysis three times a week, daily
 * physiotherapy) shares one cap among them, so it is shared out to cover as
 * many visits as it can, the nearest reminder of each first:
 * - the visit being planned takes its reminders nearest-first, each where it
 *   fits;
 * - one that does not fit may take the place of reminders still pending for
 *   another visit, farthest-ahead first, but only from a visit that keeps
 *   more reminders than this one then has: the far-ahead reminders of
 *   earlier visits go before all reminders of a later one, and no visit loses
 *   its last reminder to another;
 * - a reminder that went out, or may have (queued, sending, sent, delivered,
 *   unknown), is never taken back;
 * - room freed later (a visit moved, ended or gave way to another) goes back
 *   to the reminders the cap skipped for other visits that are still ahead,
 *   by the same rules, the visit with the fewest reminders first, its nearest
 *   reminder first: without it the order of bookings decided who was left
 *   without any (a visit capped when booked stayed so after a later booking
 *   moved the room it lacked).
 */
import type { DateTime } from 'luxon';
import { type MessageStatus, PRIORITY_RANK } from '../constants';
import type { MessagingPolicy } from '../model';
import { parseUtc } from '../time';
import { parseMessageId } from './ids';
import type { OtherMessage, PlannedMessage } from './types';

export type FrequencyCap = MessagingPolicy['frequencyCap'];

/**
 * A stored reminder in one of these has reached, or may have reached, the
 * patient: it counts and stays. An undeliverable one did not reach them; its
 * fallback copy on the next channel counts instead.
 */
const GONE_OUT: ReadonlySet<MessageStatus> = new Set(['queued', 'sending', 'sent', 'delivered', 'unknown']);

const WEEK_MS = 7 * 24 * 3_600_000;

/** A reminder that counts against the cap. */
interface Slot {
  at: DateTime;
  /** Its local calendar day in the patient's zone. */
  day: string;
  /** The appointment it reminds of. */
  visit: string;
  messageId: string;
  /** How long before its visit it goes: the larger, the sooner it gives way. */
  leadMs: number;
  /** A stored pending reminder of another visit, which may give way. */
  movable: boolean;
}

function localDay(at: DateTime, zone: string): string {
  return at.setZone(zone).toISODate() ?? '';
}

/** A reminder time being placed, with its local day worked out once. */
interface Candidate {
  at: DateTime;
  day: string;
}

/** True when adding `candidate` to `kept` stays within both caps. */
function fits(candidate: Candidate, kept: readonly Candidate[], cap: FrequencyCap): boolean {
  if (kept.filter((slot) => slot.day === candidate.day).length >= cap.perDay) return false;
  // The busiest 7-day window holding the candidate starts at one of the
  // reminders (or the candidate) in the week before it.
  const time = candidate.at.toMillis();
  const all = [...kept.map((slot) => slot.at.toMillis()), time];
  return all
    .filter((start) => start <= time && time - start < WEEK_MS)
    .every((start) => all.filter((at) => at >= start && at - start < WEEK_MS).length <= cap.perWeek);
}

/**
 * True when one more message at `at` keeps the messages at `kept` within
 * both caps (days read in `zone`): the same rule for another allowance
 * (the care reminders' own, shared/domain/care/reminder.ts).
 *
 * @param at - the candidate's due time
 * @param kept - the due times that already count
 * @param cap - the allowance
 * @param zone - the patient's zone, which decides calendar days
 */
export function fitsCap(
  at: DateTime,
  kept: readonly DateTime[],
  cap: Pick<FrequencyCap, 'perDay' | 'perWeek'>,
  zone: string,
): boolean {
  const slots = kept.map((time) => ({ at: time, day: localDay(time, zone) }));
  return fits({ at, day: localDay(at, zone) }, slots, { enabled: true, ...cap });
}

/** True when `slot` shares a day or a week with `candidate`, so removing it may make room. */
function inConflict(slot: Slot, candidate: Candidate): boolean {
  return slot.day === candidate.day || Math.abs(slot.at.toMillis() - candidate.at.toMillis()) < WEEK_MS;
}

/**
 * The pending reminders of other visits to give up so that `candidate` fits,
 * or undefined when no allowed choice makes room. A visit gives up a reminder
 * only while it keeps at least `newcomerCount + 1` (what the newcomer will
 * have with this one); within that, the reminder farthest ahead of its visit
 * goes first, and one that alone makes room is preferred.
 */
function makeRoom(
  candidate: Candidate,
  kept: readonly Slot[],
  newcomerCount: number,
  cap: FrequencyCap,
): Slot[] | undefined {
  const given: Slot[] = [];
  let rest = [...kept];
  while (!fits(candidate, rest, cap)) {
    const countOf = (visit: string) => rest.filter((slot) => slot.visit === visit).length;
    const options = rest
      .filter(
        (slot) => slot.movable && countOf(slot.visit) >= newcomerCount + 2 && inConflict(slot, candidate),
      )
      .sort(
        (a, b) =>
          b.leadMs - a.leadMs || a.at.toMillis() - b.at.toMillis() || a.messageId.localeCompare(b.messageId),
      );
    const alone = options.find((option) =>
      fits(
        candidate,
        rest.filter((slot) => slot !== option),
        cap,
      ),
    );
    const pick = alone ?? options[0];
    if (!pick) return undefined;
    given.push(pick);
    rest = rest.filter((slot) => slot !== pick);
  }
  return given;
}

/** What the cap decides for one plan. */
export interface CapDecision {
  /** The plan's messages, with capped reminders marked skipped `frequency-cap`. */
  messages: PlannedMessage[];
  /** Stored pending reminders (other visits', or this plan's own) to withdraw with reason `frequency-cap`. */
  withdraw: string[];
  /** Stored reminders of other visits, skipped `frequency-cap`, that go back to pending. */
  reinstate: string[];
}

/** The reason a stored reminder that the cap skipped carries. */
export const CAP_REASON = 'frequency-cap';

/**
 * The highest id version stored for each appointment. While a visit is
 * booked its messages carry its schedule version; a move raises it, and a
 * cancellation notice or survey carries the version that ended the visit.
 */
function latestVersions(stored: readonly OtherMessage[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const message of stored) {
    const parsed = parseMessageId(message.messageId);
    if (!parsed) continue;
    latest.set(parsed.appointmentId, Math.max(latest.get(parsed.appointmentId) ?? 0, parsed.version));
  }
  return latest;
}

/**
 * A stored reminder of another visit that the cap skipped, of that visit's
 * latest schedule (not one a move or an end made obsolete; reconcile closes
 * those too), and still ahead of `now`.
 */
function reinstatable(
  message: OtherMessage,
  visit: string,
  now: DateTime,
  latest: ReadonlyMap<string, number>,
): boolean {
  const parsed = parseMessageId(message.messageId);
  return (
    parsed !== undefined &&
    parsed.version === latest.get(parsed.appointmentId) &&
    message.kind === 'reminder' &&
    message.status === 'skipped' &&
    message.reason === CAP_REASON &&
    message.appointmentId !== undefined &&
    message.appointmentId !== visit &&
    parseUtc(message.dueAt) > now &&
    parseUtc(message.notAfter) > now
  );
}

function slotOf(message: OtherMessage, zone: string, movable: boolean): Slot {
  const at = parseUtc(message.dueAt);
  return {
    at,
    day: localDay(at, zone),
    visit: message.appointmentId ?? message.messageId,
    messageId: message.messageId,
    leadMs: parseUtc(message.notAfter).toMillis() - at.toMillis(),
    movable,
  };
}

/**
 * Gives room back to reminders the cap skipped for other visits: each pass
 * takes, among those that fit (making room by the same rules as a new
 * reminder), the one of the visit with the fewest reminders kept, nearest
 * its visit first; `kept` and `withdraw` are updated in place.
 */
function reinstateSkipped(
  options: readonly OtherMessage[],
  kept: Slot[],
  withdraw: string[],
  cap: FrequencyCap,
  zone: string,
): string[] {
  const reinstated: string[] = [];
  let left = options.map((message) => slotOf(message, zone, false));
  for (;;) {
    const countOf = (visit: string) => kept.filter((slot) => slot.visit === visit).length;
    const ordered = [...left].sort(
      (a, b) =>
        countOf(a.visit) - countOf(b.visit) ||
        a.leadMs - b.leadMs ||
        a.at.toMillis() - b.at.toMillis() ||
        a.messageId.localeCompare(b.messageId),
    );
    let placed: Slot | undefined;
    for (const option of ordered) {
      const given = makeRoom(option, kept, countOf(option.visit), cap);
      if (!given) continue;
      for (const slot of given) {
        kept.splice(kept.indexOf(slot), 1);
        withdraw.push(slot.messageId);
      }
      placed = option;
      break;
    }
    if (!placed) return reinstated;
    kept.push(placed);
    reinstated.push(placed.messageId);
    left = left.filter((slot) => slot !== placed);
  }
}

/**
 * Applies the clinic's frequency cap to a plan, sharing it with the
 * patient's other visits (see the module comment for the rules).
 *
 * @param planned - this plan's messages (only pending reminders are considered)
 * @param stored - the patient's stored messages that bear on the cap: other
 *   appointments', this appointment's reminders of an earlier schedule that
 *   reached the patient, and this plan's own stored copies
 * @param cap - the clinic's frequency cap
 * @param zone - the patient's zone, which decides calendar days
 * @param now - the planning instant: only reminders still ahead are given room back
 * @returns the messages with capped reminders marked, the stored reminders
 *   that give way, and the skipped ones that go back to pending
 */
export function applyFrequencyCap(
  planned: readonly PlannedMessage[],
  stored: readonly OtherMessage[],
  cap: FrequencyCap,
  zone: string,
  now: DateTime,
): CapDecision {
  if (!cap.enabled) return { messages: [...planned], withdraw: [], reinstate: [] };
  const visit = planned[0]?.appointmentId ?? '';
  const storedById = new Map(stored.map((message) => [message.messageId, message]));
  const kept: Slot[] = stored
    .filter((message) => message.kind === 'reminder')
    // What went out counts, whoever it is for. Another visit's pending reminder
    // counts too (and may give way); this visit's pending ones are the plan's
    // own candidates, or obsolete and about to be withdrawn.
    .filter(
      (message) =>
        GONE_OUT.has(message.status) || (message.status === 'pending' && message.appointmentId !== visit),
    )
    .map((message) => slotOf(message, zone, message.status === 'pending' && message.appointmentId !== visit));

  // Nearest the visit first: the 2 h reminder matters more than the 3-day one.
  const candidates = planned
    .filter((message) => message.kind === 'reminder' && message.status === 'pending')
    .filter((message) => {
      const copy = storedById.get(message.messageId);
      return copy === undefined || copy.status === 'pending';
    })
    .sort(
      (a, b) =>
        PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
        b.dueAt.localeCompare(a.dueAt) ||
        a.messageId.localeCompare(b.messageId),
    );
  const capped = new Set<string>();
  const withdraw: string[] = [];
  for (const candidate of candidates) {
    const at = parseUtc(candidate.dueAt);
    const placing = { at, day: localDay(at, zone) };
    const mine = kept.filter((slot) => slot.visit === visit).length;
    const given = makeRoom(placing, kept, mine, cap);
    if (!given) {
      capped.add(candidate.messageId);
      if (storedById.get(candidate.messageId)?.status === 'pending') withdraw.push(candidate.messageId);
      continue;
    }
    for (const slot of given) {
      kept.splice(kept.indexOf(slot), 1);
      withdraw.push(slot.messageId);
    }
    kept.push({
      ...placing,
      visit,
      messageId: candidate.messageId,
      leadMs: parseUtc(candidate.notAfter).toMillis() - at.toMillis(),
      movable: false,
    });
  }
  const latest = latestVersions(stored);
  const reinstate = reinstateSkipped(
    stored.filter((message) => reinstatable(message, visit, now, latest)),
    kept,
    withdraw,
    cap,
    zone,
  );
  return {
    messages: planned.map((message) =>
      capped.has(message.messageId) ? { ...message, status: 'skipped', reason: CAP_REASON } : message,
    ),
    withdraw,
    reinstate,
  };
}
