import { DateTime, IANAZone } from 'luxon';

/**
 * The only way domain and use-case code learns the time. Adapters provide a
 * system clock (Lambda), a fixed clock (tests) and a simulated clock that can
 * be advanced (local mode).
 */
export interface Clock {
  /** The current instant, in UTC. */
  now(): DateTime;
}

/** A clock that always answers the same instant. */
export function fixedClock(at: DateTime | string): Clock {
  const instant = typeof at === 'string' ? parseUtc(at) : at.toUTC();
  return { now: () => instant };
}

const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/;

/** True when the text is an ISO 8601 instant written in UTC (ending in `Z`). */
export function isUtcIso(text: string): boolean {
  return UTC_ISO.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid;
}

/**
 * Parses a stored UTC instant. Throws on anything else: stored data that is
 * not UTC is a bug, not user input (user input goes through the schemas).
 */
export function parseUtc(text: string): DateTime {
  const parsed = DateTime.fromISO(text, { zone: 'utc' });
  if (!isUtcIso(text) || !parsed.isValid) throw new RangeError(`not a UTC ISO instant: ${text}`);
  return parsed;
}

/**
 * The one storage format for instants: UTC, milliseconds, `Z`
 * (`2026-03-08T07:00:00.000Z`). Fixed width, so strings sort in time order,
 * which the sort keys rely on.
 */
export function toUtcIso(at: DateTime): string {
  const text = at.toUTC().toISO({ includeOffset: true, suppressMilliseconds: false });
  if (!text) throw new RangeError('invalid DateTime');
  return text;
}

/** True for an IANA zone name (`America/New_York`, `UTC`); false for offsets like `+05:00`. */
export function isValidZone(zone: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone) && IANAZone.isValidZone(zone);
}

/**
 * An offset before (or after) a visit. Day offsets keep the local wall-clock
 * time ("1d" = same local time the day before, across DST); minute offsets
 * are elapsed time ("2h" = 120 minutes earlier).
 */
export type Offset = { unit: 'days'; amount: number } | { unit: 'minutes'; amount: number };

const OFFSET_TEXT = /^(\d{1,4})(d|h|m)$/;

/** Longest offset accepted: reminders more than 30 days ahead are not reminders. */
export const MAX_OFFSET_MINUTES = 30 * 24 * 60;

/**
 * Parses `3d`, `24h`, `90m`. Whole multiples of 24 hours are day offsets,
 * because "24 h before" means the same wall-clock time the day before.
 * Returns undefined for text that is not an offset.
 */
export function parseOffset(text: string): Offset | undefined {
  const match = OFFSET_TEXT.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const minutes = match[2] === 'd' ? amount * 1440 : match[2] === 'h' ? amount * 60 : amount;
  if (minutes <= 0 || minutes > MAX_OFFSET_MINUTES) return undefined;
  if (minutes % 1440 === 0) return { unit: 'days', amount: minutes / 1440 };
  return { unit: 'minutes', amount: minutes };
}

/** The canonical text of an offset (`1d`, `2h`, `90m`), used inside message ids. */
export function formatOffset(offset: Offset): string {
  if (offset.unit === 'days') return `${offset.amount}d`;
  return offset.amount % 60 === 0 ? `${offset.amount / 60}h` : `${offset.amount}m`;
}

/** The offset as elapsed minutes (day offsets counted as 1440 minutes a day). */
export function offsetMinutes(offset: Offset): number {
  return offset.unit === 'days' ? offset.amount * 1440 : offset.amount;
}

/**
 * The instant `offset` before `start`, computed in `zone`. Day offsets move
 * the local calendar date and keep the wall-clock time. Where that local time
 * does not exist (a spring-forward gap) luxon moves it forward by the length
 * of the gap (02:30 becomes 03:30); where it exists twice (fall-back) luxon
 * keeps the UTC offset the visit has, so a visit in standard time gets the
 * second occurrence. The planning property tests pin this behaviour.
 */
export function minusOffset(start: DateTime, offset: Offset, zone: string): DateTime {
  if (offset.unit === 'minutes') return start.minus({ minutes: offset.amount }).toUTC();
  return start.setZone(zone).minus({ days: offset.amount }).toUTC();
}

/** The instant `offset` after `from` (mirror of {@link minusOffset}). */
export function plusOffset(from: DateTime, offset: Offset, zone: string): DateTime {
  if (offset.unit === 'minutes') return from.plus({ minutes: offset.amount }).toUTC();
  return from.setZone(zone).plus({ days: offset.amount }).toUTC();
}
