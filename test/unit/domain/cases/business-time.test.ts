import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addBusinessDays, type BusinessCalendar } from '../../../../shared/domain/cases/business-time';

const NY = 'America/New_York';
const WEEKDAYS: BusinessCalendar = { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00', holidays: [] };

function local(text: string, zone = NY): DateTime {
  return DateTime.fromISO(text, { zone });
}

function dueLocal(from: string, days: number, calendar = WEEKDAYS, zone = NY): string {
  return (
    addBusinessDays(local(from, zone), days, calendar, zone)
      .setZone(zone)
      .toISO({ suppressMilliseconds: true }) ?? ''
  );
}

describe('addBusinessDays', () => {
  it('counts one business day inside a working week to the same time the next day', () => {
    expect(dueLocal('2026-12-02T10:00', 1)).toBe('2026-12-03T10:00:00-05:00');
  });

  it('carries a Friday afternoon case across the weekend to Monday', () => {
    // Friday 15:00: 2 h on Friday, 7 h on Monday.
    expect(dueLocal('2026-12-04T15:00', 1)).toBe('2026-12-07T15:00:00-05:00');
  });

  it('starts a case opened on Saturday at Monday opening and gives it the whole of Monday', () => {
    expect(dueLocal('2026-12-05T11:00', 1)).toBe('2026-12-07T17:00:00-05:00');
  });

  it('starts a case opened before opening time at the opening', () => {
    expect(dueLocal('2026-12-02T06:30', 1)).toBe('2026-12-02T17:00:00-05:00');
  });

  it('starts a case opened after closing at the next opening', () => {
    expect(dueLocal('2026-12-02T19:00', 1)).toBe('2026-12-03T17:00:00-05:00');
  });

  it('counts five business days to the same time a week later', () => {
    expect(dueLocal('2026-12-02T10:00', 5)).toBe('2026-12-09T10:00:00-05:00');
  });

  it('skips a public holiday from the policy list', () => {
    const calendar = { ...WEEKDAYS, holidays: ['2026-12-25'] };
    // Thursday 24th 10:00 → Friday 25th is closed → Monday 28th 10:00.
    expect(dueLocal('2026-12-24T10:00', 1, calendar)).toBe('2026-12-28T10:00:00-05:00');
    expect(dueLocal('2026-12-24T10:00', 1)).toBe('2026-12-25T10:00:00-05:00');
  });

  it('skips consecutive holidays and a weekend together', () => {
    const calendar = { ...WEEKDAYS, holidays: ['2026-12-31', '2027-01-01'] };
    expect(dueLocal('2026-12-30T16:00', 1, calendar)).toBe('2027-01-04T16:00:00-05:00');
  });

  it('keeps the opening hours on the wall clock across the spring DST change', () => {
    // Friday 2027-03-12 15:00 EST; clocks go forward on Sunday the 14th; due Monday 15:00 EDT.
    const due = addBusinessDays(local('2027-03-12T15:00'), 1, WEEKDAYS, NY);
    expect(due.setZone(NY).toISO({ suppressMilliseconds: true })).toBe('2027-03-15T15:00:00-04:00');
    expect(due.toUTC().toISO({ suppressMilliseconds: true })).toBe('2027-03-15T19:00:00Z');
  });

  it('keeps the opening hours on the wall clock across the autumn DST change', () => {
    const due = addBusinessDays(local('2026-10-30T15:00'), 1, WEEKDAYS, NY);
    expect(due.toUTC().toISO({ suppressMilliseconds: true })).toBe('2026-11-02T20:00:00Z');
  });

  it('reads business hours in the clinic zone, not UTC', () => {
    // 23:00 UTC on a Wednesday is 18:00 in New York: after closing.
    const due = addBusinessDays(DateTime.fromISO('2026-12-02T23:00:00Z'), 1, WEEKDAYS, NY);
    expect(due.setZone(NY).toISO({ suppressMilliseconds: true })).toBe('2026-12-03T17:00:00-05:00');
  });

  it('works a six-day week with a Saturday', () => {
    const calendar = { ...WEEKDAYS, days: [1, 2, 3, 4, 5, 6] };
    expect(dueLocal('2026-12-04T15:00', 1, calendar)).toBe('2026-12-05T15:00:00-05:00');
  });
});
