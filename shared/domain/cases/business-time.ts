/**
 * Due times counted in business time: a clinic's business hours on its
 * business days, in its own zone, minus its public holidays. Wall-clock
 * arithmetic in luxon with the clinic's IANA zone, so a DST change moves no
 * opening hour.
 */
import type { DateTime } from 'luxon';

/** A clinic's working week, as the case policy stores it (validated at save). */
export interface BusinessCalendar {
  /** ISO weekdays the clinic works (1 = Monday … 7 = Sunday). */
  days: readonly number[];
  /** Opening time, `HH:mm`, local. */
  start: string;
  /** Closing time, `HH:mm`, local; later than `start`. */
  end: string;
  /** Local dates (`YYYY-MM-DD`) the clinic is closed on. */
  holidays: readonly string[];
}

/** Minutes since local midnight of an `HH:mm` time. */
export function minutesOf(time: string): number {
  const [hours = '0', minutes = '0'] = time.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/** Length of one business day, in minutes. */
export function businessDayMinutes(calendar: BusinessCalendar): number {
  return minutesOf(calendar.end) - minutesOf(calendar.start);
}

/** The most days looked ahead for an open day: a year of holidays cannot exhaust it. */
const MAX_DAYS_AHEAD = 3 * 366;

/** True when the clinic is open on this local date. */
export function isBusinessDay(day: DateTime, calendar: BusinessCalendar): boolean {
  return calendar.days.includes(day.weekday) && !calendar.holidays.includes(day.toISODate() ?? '');
}

function atMinute(day: DateTime, minuteOfDay: number): DateTime {
  return day.startOf('day').set({ hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 });
}

/**
 * The instant `businessDays` business days after `from`: that many business
 * days' worth of open minutes, counted only while the clinic is open. Opened
 * Friday 15:00 with hours 08:00–17:00, one business day is due Monday 15:00;
 * opened on Saturday, Monday 17:00 (the whole of Monday).
 *
 * @param from - when the clock starts (any instant)
 * @param businessDays - how many business days (whole or fractional, > 0)
 * @param calendar - the clinic's hours, days and holidays
 * @param zone - the clinic's IANA zone
 */
export function addBusinessDays(
  from: DateTime,
  businessDays: number,
  calendar: BusinessCalendar,
  zone: string,
): DateTime {
  const startMinute = minutesOf(calendar.start);
  const endMinute = minutesOf(calendar.end);
  let remaining = Math.round(businessDays * businessDayMinutes(calendar));
  let cursor = from.setZone(zone);
  for (let day = 0; day <= MAX_DAYS_AHEAD; day++) {
    if (isBusinessDay(cursor, calendar)) {
      const minute = cursor.hour * 60 + cursor.minute;
      if (minute < endMinute) {
        const begin = Math.max(minute, startMinute);
        const available = endMinute - begin;
        if (remaining <= available) {
          // Seconds inside the starting minute are kept only when the count started at that minute.
          const due = atMinute(cursor, begin + remaining);
          return begin === minute ? due.set({ second: cursor.second, millisecond: cursor.millisecond }) : due;
        }
        remaining -= available;
      }
    }
    cursor = cursor.plus({ days: 1 }).startOf('day');
  }
  throw new RangeError('no business day within three years: the calendar has no open day');
}
