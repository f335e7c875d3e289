/**
 * Finds the clock changes of a zone by scanning its UTC offset with luxon, so
 * the property tests aim at real transitions instead of a hard-coded list.
 */
import { DateTime, IANAZone } from 'luxon';

export interface Transition {
  zone: string;
  /** The first instant with the new offset. */
  at: DateTime;
  /** Offsets in minutes east of UTC, before and after. */
  before: number;
  after: number;
}

const STEP_MS = 12 * 3_600_000;

/**
 * Every offset change of `zone` in [from, to).
 *
 * @param zone - IANA zone
 * @param from - start of the scan (UTC ISO)
 * @param to - end of the scan (UTC ISO)
 */
export function transitionsOf(zone: string, from: string, to: string): Transition[] {
  const iana = IANAZone.create(zone);
  const end = DateTime.fromISO(to, { zone: 'utc' }).toMillis();
  const found: Transition[] = [];
  let previous = DateTime.fromISO(from, { zone: 'utc' }).toMillis();
  let offset = iana.offset(previous);
  for (let probe = previous + STEP_MS; probe < end; probe += STEP_MS) {
    const next = iana.offset(probe);
    if (next !== offset) {
      // Narrow the change down to the millisecond.
      let low = previous;
      let high = probe;
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (iana.offset(middle) === offset) low = middle;
        else high = middle;
      }
      found.push({ zone, at: DateTime.fromMillis(high, { zone: 'utc' }), before: offset, after: next });
      offset = next;
    }
    previous = probe;
  }
  return found;
}
