/** Write and read instants as local wall-clock times, so tests read like the rules. */
import { DateTime } from 'luxon';
import { toUtcIso } from '../../../../shared/domain/time';

export const NEW_YORK = 'America/New_York';

/**
 * The UTC instant of a local wall-clock time (`2026-03-08 09:30`).
 *
 * @param text - local date and time
 * @param zone - IANA zone
 */
export function localInstant(text: string, zone = NEW_YORK): DateTime {
  const at = DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm', { zone });
  if (!at.isValid) throw new Error(`bad local time ${text}`);
  return at.toUTC();
}

/** {@link localInstant} as a stored UTC ISO string. */
export function localIso(text: string, zone = NEW_YORK): string {
  return toUtcIso(localInstant(text, zone));
}

/**
 * The local wall-clock time of a stored instant, with its offset
 * (`2026-03-08 09:30 -04:00`), so DST shows in the assertion.
 */
export function wallClock(iso: string, zone = NEW_YORK): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('yyyy-MM-dd HH:mm ZZ');
}
