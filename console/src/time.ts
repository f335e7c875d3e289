/**
 * Times for display: always in a named IANA zone (the clinic's or the
 * patient's), never the browser's own zone, and always labelled.
 */
import { DateTime } from 'luxon';

export function inZone(utc: string, zone: string): DateTime {
  return DateTime.fromISO(utc, { zone: 'utc' }).setZone(zone);
}

/** "Tue 8 Dec, 10:00" in the zone. */
export function formatDateTime(utc: string, zone: string, locale: string): string {
  return inZone(utc, zone).setLocale(locale).toFormat('ccc d LLL, HH:mm');
}

export function formatTime(utc: string, zone: string, locale: string): string {
  return inZone(utc, zone).setLocale(locale).toFormat('HH:mm');
}

export function formatDay(date: string, zone: string, locale: string): string {
  return DateTime.fromISO(date, { zone }).setLocale(locale).toFormat('cccc d LLLL');
}

/** The local calendar date (yyyy-MM-dd) of an instant in a zone, plus days. */
export function localDate(now: DateTime, zone: string, plusDays = 0): string {
  return now.setZone(zone).startOf('day').plus({ days: plusDays }).toISODate() as string;
}

/** A wall-clock date and time in a zone, as the UTC instant the API stores. */
export function utcOf(date: string, time: string, zone: string): string | undefined {
  const local = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!local.isValid) return undefined;
  return local.toUTC().toISO({ suppressMilliseconds: true }) ?? undefined;
}

/** Short zone name at that instant (EST, GMT-5) beside the IANA id. */
export function zoneLabel(zone: string, utc?: string): string {
  const at = utc ? inZone(utc, zone) : DateTime.now().setZone(zone);
  return `${zone} (${at.toFormat('ZZZZ')})`;
}

/**
 * The first whole hour in a zone at least `leadMinutes` from now, as the
 * date (yyyy-MM-dd) and time (HH:mm) a form shows.
 *
 * @param now - the current instant (the clinic's clock)
 * @param zone - the IANA zone the form's fields are in
 * @param leadMinutes - how far ahead it must be at least
 */
export function nextWholeHour(
  now: DateTime,
  zone: string,
  leadMinutes: number,
): { date: string; time: string } {
  const earliest = now.setZone(zone).plus({ minutes: leadMinutes });
  const hour = earliest.startOf('hour');
  const at = hour < earliest ? hour.plus({ hours: 1 }) : hour;
  return { date: at.toISODate() as string, time: at.toFormat('HH:mm') };
}
