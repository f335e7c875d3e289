/**
 * Quiet hours: a local wall-clock window `[start, end)` (it may wrap past
 * midnight, 21:00–08:00) in which non-urgent messages are held back.
 *
 * The window is turned into instants per local night with the zone's own
 * offsets, so clock changes neither open a hole in it nor break it:
 * - a boundary that falls in a spring-forward gap is the moment the clocks
 *   jump (the first instant whose wall time is past it);
 * - a boundary that occurs twice in a fall-back overlap is the first
 *   occurrence for the start and the second for the end, so the window holds
 *   every instant whose wall time reads as quiet.
 */
import { DateTime, IANAZone } from 'luxon';
import type { MessagingPolicy } from '../model';

export type QuietHours = MessagingPolicy['quietHours'];

/** A before-visit message moved out of quiet hours goes this long before they begin, so a late send still lands before them. */
export const QUIET_HOURS_MARGIN_MINUTES = 15;

/**
 * Searching earlier steps one quiet window back at a time; a policy that
 * leaves no gap wider than the margin on any of this many nights has no
 * allowed moment worth finding.
 */
const MAX_WINDOW_STEPS = 64;

/** One quiet night, as UTC instants. */
export interface QuietWindow {
  start: DateTime;
  end: DateTime;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

interface WallTime {
  hour: number;
  minute: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function parseWallTime(text: string): WallTime {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) throw new RangeError(`not a local time HH:mm: ${text}`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = DateTime.fromObject(date, { zone: 'utc' }).plus({ days });
  return { year: shifted.year, month: shifted.month, day: shifted.day };
}

/**
 * The instant (epoch ms) at which the wall clock in `zone` reads `time` on
 * `date`: the `first` or `last` occurrence when it reads so twice, the moment
 * the clocks jump when it never does.
 */
function wallClockInstant(
  date: LocalDate,
  time: WallTime,
  zone: IANAZone,
  occurrence: 'first' | 'last',
): number {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute);
  // Every offset in force within a day of the wall time is a candidate; a
  // candidate is real when the zone agrees with the offset at that instant.
  const offsets = new Set([zone.offset(asUtc - DAY_MS), zone.offset(asUtc), zone.offset(asUtc + DAY_MS)]);
  const candidates = [...offsets].map((offset) => asUtc - offset * MINUTE_MS).sort((a, b) => a - b);
  const real = candidates.filter((instant) => asUtc - zone.offset(instant) * MINUTE_MS === instant);
  const picked = occurrence === 'first' ? real[0] : real.at(-1);
  if (picked !== undefined) return picked;
  // In the gap: the clocks jump somewhere between the candidates; find the instant.
  let before = candidates[0] ?? asUtc;
  let after = candidates.at(-1) ?? asUtc;
  const offsetBefore = zone.offset(before);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (zone.offset(middle) === offsetBefore) before = middle;
    else after = middle;
  }
  return after;
}

function ianaZone(zone: string): IANAZone {
  const iana = IANAZone.create(zone);
  if (!iana.isValid) throw new RangeError(`unknown time zone: ${zone}`);
  return iana;
}

/** The quiet window that begins on local `date` (epoch ms; empty when a clock change swallows it). */
function windowBeginningOn(
  date: LocalDate,
  quiet: QuietHours,
  zone: IANAZone,
): { start: number; end: number } {
  const wraps = quiet.end <= quiet.start;
  return {
    start: wallClockInstant(date, parseWallTime(quiet.start), zone, 'first'),
    end: wallClockInstant(wraps ? addDays(date, 1) : date, parseWallTime(quiet.end), zone, 'last'),
  };
}

/**
 * The quiet window that contains an instant.
 *
 * @param at - the instant
 * @param quiet - the clinic's quiet hours
 * @param zone - IANA zone the window is read in (the patient's, else the clinic's)
 * @returns the window, or undefined when the instant is not in quiet hours (or they are off)
 */
export function quietWindowAt(at: DateTime, quiet: QuietHours, zone: string): QuietWindow | undefined {
  if (!quiet.enabled) return undefined;
  const iana = ianaZone(zone);
  const local = at.setZone(iana);
  const today: LocalDate = { year: local.year, month: local.month, day: local.day };
  const instant = at.toMillis();
  // The window containing it began today or, when it wraps midnight, yesterday.
  for (const days of [0, -1, 1]) {
    const window = windowBeginningOn(addDays(today, days), quiet, iana);
    if (window.start <= instant && instant < window.end) {
      return {
        start: DateTime.fromMillis(window.start, { zone: 'utc' }),
        end: DateTime.fromMillis(window.end, { zone: 'utc' }),
      };
    }
  }
  return undefined;
}

/**
 * True when the instant is inside quiet hours.
 *
 * @param at - the instant
 * @param quiet - the clinic's quiet hours
 * @param zone - IANA zone the window is read in
 */
export function isQuietAt(at: DateTime, quiet: QuietHours, zone: string): boolean {
  return quietWindowAt(at, quiet, zone) !== undefined;
}

/**
 * Moves a before-visit instant earlier, out of quiet hours: to
 * {@link QUIET_HOURS_MARGIN_MINUTES} before the window it falls in began (and
 * again, should that land in an earlier window).
 *
 * @param at - the wanted instant
 * @param quiet - the clinic's quiet hours
 * @param zone - IANA zone the window is read in
 * @param notBefore - the earliest acceptable result (now, the booking)
 * @returns `at` itself when it is not quiet, the moved instant, or undefined when none is left
 */
export function latestAllowedAtOrBefore(
  at: DateTime,
  quiet: QuietHours,
  zone: string,
  notBefore: DateTime,
): DateTime | undefined {
  let candidate = at;
  for (let step = 0; step < MAX_WINDOW_STEPS; step++) {
    if (candidate < notBefore) return undefined;
    const window = quietWindowAt(candidate, quiet, zone);
    if (!window) return candidate;
    candidate = window.start.minus({ minutes: QUIET_HOURS_MARGIN_MINUTES });
  }
  return undefined;
}

/**
 * Moves an instant later, out of quiet hours: to the end of the window it
 * falls in.
 *
 * @param at - the wanted instant
 * @param quiet - the clinic's quiet hours
 * @param zone - IANA zone the window is read in
 * @param notAfter - the latest acceptable result
 * @returns `at` itself when it is not quiet, the moved instant, or undefined when it would pass `notAfter`
 */
export function earliestAllowedAtOrAfter(
  at: DateTime,
  quiet: QuietHours,
  zone: string,
  notAfter: DateTime,
): DateTime | undefined {
  // Each step ends a window that began on a later local night, so `notAfter` bounds the search.
  let candidate = at;
  while (candidate <= notAfter) {
    const window = quietWindowAt(candidate, quiet, zone);
    if (!window) return candidate;
    candidate = window.end;
  }
  return undefined;
}
