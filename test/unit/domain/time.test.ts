import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  fixedClock,
  formatOffset,
  isUtcIso,
  isValidZone,
  minusOffset,
  offsetMinutes,
  parseOffset,
  parseUtc,
  plusOffset,
  toUtcIso,
} from '../../../shared/domain/time';

describe('offsets', () => {
  it('reads whole multiples of 24 hours as day offsets, because "24 h before" keeps the wall-clock time', () => {
    expect(parseOffset('24h')).toEqual({ unit: 'days', amount: 1 });
    expect(parseOffset('72h')).toEqual({ unit: 'days', amount: 3 });
    expect(parseOffset('3d')).toEqual({ unit: 'days', amount: 3 });
  });

  it('reads hours and minutes as elapsed minutes', () => {
    expect(parseOffset('2h')).toEqual({ unit: 'minutes', amount: 120 });
    expect(parseOffset('90m')).toEqual({ unit: 'minutes', amount: 90 });
  });

  it('refuses zero, more than 30 days and anything that is not an offset', () => {
    for (const text of ['0h', '0d', '31d', '43201m', '2 h', '-1d', '1w', '']) {
      expect(parseOffset(text), text).toBeUndefined();
    }
  });

  it('formats offsets canonically, so ids stay stable', () => {
    for (const text of ['3d', '1d', '2h', '90m', '25h']) {
      const offset = parseOffset(text);
      expect(offset).toBeDefined();
      if (offset) expect(formatOffset(offset)).toBe(text);
    }
    const day = parseOffset('48h');
    expect(day && formatOffset(day)).toBe('2d');
  });

  it('keeps the local wall-clock time for a day offset across the spring-forward change', () => {
    // 09:30 New York on Sunday 8 March 2026, hours after clocks went forward.
    const start = parseUtc('2026-03-08T13:30:00Z');
    const dayBefore = minusOffset(start, { unit: 'days', amount: 1 }, 'America/New_York');
    expect(dayBefore.setZone('America/New_York').toFormat('yyyy-MM-dd HH:mm')).toBe('2026-03-07 09:30');
    expect(start.diff(dayBefore, 'hours').hours).toBe(23);
  });

  it('counts elapsed time for an hour offset across the fall-back change', () => {
    // 01:30 EST on 1 November 2026 (the second 01:30); 2 h before is 00:30 EDT.
    const start = parseUtc('2026-11-01T06:30:00Z');
    const before = minusOffset(start, { unit: 'minutes', amount: 120 }, 'America/New_York');
    expect(toUtcIso(before)).toBe('2026-11-01T04:30:00.000Z');
    expect(before.setZone('America/New_York').toFormat('HH:mm')).toBe('00:30');
  });

  it('adds day offsets in local time as well', () => {
    const end = parseUtc('2026-03-07T15:00:00Z'); // 10:00 EST
    const next = plusOffset(end, { unit: 'days', amount: 1 }, 'America/New_York');
    expect(next.setZone('America/New_York').toFormat('yyyy-MM-dd HH:mm')).toBe('2026-03-08 10:00');
    expect(toUtcIso(plusOffset(end, { unit: 'minutes', amount: 30 }, 'UTC'))).toBe(
      '2026-03-07T15:30:00.000Z',
    );
  });
});

describe('instants and zones', () => {
  it('accepts only instants written in UTC', () => {
    expect(isUtcIso('2026-01-05T10:00:00Z')).toBe(true);
    expect(isUtcIso('2026-01-05T10:00:00.123Z')).toBe(true);
    expect(isUtcIso('2026-01-05T10:00:00+00:00')).toBe(false);
    expect(isUtcIso('2026-01-05T10:00:00')).toBe(false);
    expect(isUtcIso('2026-02-30T10:00:00Z')).toBe(false);
    expect(() => parseUtc('2026-01-05T10:00:00-05:00')).toThrow(RangeError);
  });

  it('stores instants in one fixed-width UTC format that sorts in time order', () => {
    expect(toUtcIso(DateTime.fromISO('2026-01-05T05:00:00-05:00'))).toBe('2026-01-05T10:00:00.000Z');
  });

  it('knows IANA zones and refuses offsets and inventions', () => {
    expect(isValidZone('Australia/Lord_Howe')).toBe(true);
    expect(isValidZone('UTC')).toBe(true);
    expect(isValidZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidZone('+05:30')).toBe(false);
  });

  it('gives a fixed clock that always answers the same instant in UTC', () => {
    const clock = fixedClock('2026-06-01T12:00:00Z');
    expect(toUtcIso(clock.now())).toBe('2026-06-01T12:00:00.000Z');
    expect(clock.now().zoneName).toBe('UTC');
  });
});

describe('offset arithmetic', () => {
  it('counts day offsets as 1440 minutes a day and minute offsets as they are', () => {
    expect(offsetMinutes({ unit: 'days', amount: 3 })).toBe(4320);
    expect(offsetMinutes({ unit: 'minutes', amount: 90 })).toBe(90);
  });
});
