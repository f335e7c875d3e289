import { describe, expect, it } from 'vitest';
import {
  earliestAllowedAtOrAfter,
  isQuietAt,
  latestAllowedAtOrBefore,
  QUIET_HOURS_MARGIN_MINUTES,
  type QuietHours,
  quietWindowAt,
} from '../../../../shared/domain/planning';
import { toUtcIso } from '../../../../shared/domain/time';
import { localInstant, NEW_YORK } from '../support/local-time';

const quiet = (start: string, end: string): QuietHours => ({ enabled: true, start, end });
const NIGHT = quiet('21:00', '08:00');

function windowOf(local: string, hours: QuietHours, zone = NEW_YORK) {
  const window = quietWindowAt(localInstant(local, zone), hours, zone);
  return window && { start: toUtcIso(window.start), end: toUtcIso(window.end) };
}

describe('quiet-hours windows', () => {
  it('treats 21:00–08:00 as one window across midnight, start included and end excluded', () => {
    const window = { start: '2026-06-11T01:00:00.000Z', end: '2026-06-11T12:00:00.000Z' };
    expect(windowOf('2026-06-10 23:00', NIGHT)).toEqual(window);
    expect(windowOf('2026-06-11 07:59', NIGHT)).toEqual(window);
    expect(windowOf('2026-06-10 21:00', NIGHT)).toEqual(window);
    expect(windowOf('2026-06-11 08:00', NIGHT)).toBeUndefined();
    expect(windowOf('2026-06-10 20:59', NIGHT)).toBeUndefined();
  });

  it('handles a window that does not wrap midnight', () => {
    const lunch = quiet('12:00', '13:30');
    expect(windowOf('2026-06-10 12:30', lunch)).toEqual({
      start: '2026-06-10T16:00:00.000Z',
      end: '2026-06-10T17:30:00.000Z',
    });
    expect(isQuietAt(localInstant('2026-06-10 13:30'), lunch, NEW_YORK)).toBe(false);
  });

  it('ends a window whose end time is skipped by the spring-forward change at the moment the clocks jump', () => {
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00Z); 02:30 never happens.
    expect(windowOf('2026-03-08 01:30', quiet('22:00', '02:30'))).toEqual({
      start: '2026-03-08T03:00:00.000Z',
      end: '2026-03-08T07:00:00.000Z',
    });
  });

  it('starts a window whose start time is skipped at the moment the clocks jump', () => {
    expect(windowOf('2026-03-08 03:15', quiet('02:30', '07:00'))).toEqual({
      start: '2026-03-08T07:00:00.000Z',
      end: '2026-03-08T11:00:00.000Z',
    });
  });

  it('holds the whole repeated hour when quiet hours end inside it on the fall-back night', () => {
    // 1 November 2026: 02:00 EDT goes back to 01:00 EST (06:00Z); 01:00–01:59 happens twice.
    const hours = quiet('22:00', '01:30');
    const midnight = localInstant('2026-11-01 00:00'); // 04:00Z
    const secondPass = midnight.plus({ minutes: 135 }); // 01:15 EST, 06:15Z: the wall clock reads quiet
    expect(quietWindowAt(secondPass, hours, NEW_YORK)).toEqual({
      start: localInstant('2026-10-31 22:00'),
      end: midnight.plus({ minutes: 150 }), // the second 01:30, 06:30Z
    });
    // So the first pass from 01:30 EDT to the change is held too.
    const firstPass = midnight.plus({ minutes: 105 }); // 01:45 EDT
    expect(toUtcIso(firstPass)).toBe('2026-11-01T05:45:00.000Z');
    expect(isQuietAt(firstPass, hours, NEW_YORK)).toBe(true);
  });

  it('starts at the first occurrence when quiet hours start inside the repeated hour', () => {
    const hours = quiet('01:30', '06:00');
    const secondPass = localInstant('2026-11-01 00:00').plus({ minutes: 130 }); // 01:10 EST, 06:10Z
    expect(quietWindowAt(secondPass, hours, NEW_YORK)).toEqual({
      start: localInstant('2026-11-01 00:00').plus({ minutes: 90 }), // 01:30 EDT, 05:30Z
      end: localInstant('2026-11-01 06:00'),
    });
  });

  it('follows half-hour (Lord Howe) and 45-minute (Chatham) clock changes', () => {
    // Lord Howe, 4 October 2026: 02:00 +10:30 jumps to 02:30 +11:00 at 15:30Z the day before.
    expect(windowOf('2026-10-04 01:00', quiet('22:00', '02:15'), 'Australia/Lord_Howe')?.end).toBe(
      '2026-10-03T15:30:00.000Z',
    );
    // Chatham, 27 September 2026: 02:45 +12:45 jumps to 03:45 +13:45 at 14:00Z the day before.
    expect(windowOf('2026-09-27 01:00', quiet('23:00', '03:00'), 'Pacific/Chatham')?.end).toBe(
      '2026-09-26T14:00:00.000Z',
    );
  });

  it('has no window when quiet hours are off', () => {
    expect(
      quietWindowAt(localInstant('2026-06-10 23:00'), { ...NIGHT, enabled: false }, NEW_YORK),
    ).toBeUndefined();
  });

  it('refuses an unknown zone and a malformed time, which only corrupt data can carry', () => {
    expect(() => quietWindowAt(localInstant('2026-06-10 23:00'), NIGHT, 'Mars/Olympus')).toThrow(RangeError);
    expect(() => quietWindowAt(localInstant('2026-06-10 23:00'), quiet('9pm', '08:00'), NEW_YORK)).toThrow(
      RangeError,
    );
  });
});

describe('moving out of quiet hours', () => {
  it(`moves an instant earlier to ${QUIET_HOURS_MARGIN_MINUTES} minutes before the window began`, () => {
    const moved = latestAllowedAtOrBefore(
      localInstant('2026-06-11 07:00'),
      NIGHT,
      NEW_YORK,
      localInstant('2026-06-01 00:00'),
    );
    expect(moved && toUtcIso(moved)).toBe(toUtcIso(localInstant('2026-06-10 20:45')));
  });

  it('leaves an instant outside quiet hours where it is', () => {
    const at = localInstant('2026-06-11 12:00');
    expect(latestAllowedAtOrBefore(at, NIGHT, NEW_YORK, at)).toBe(at);
    expect(earliestAllowedAtOrAfter(at, NIGHT, NEW_YORK, at)).toBe(at);
  });

  it('gives up moving earlier when that would pass the earliest acceptable instant', () => {
    const at = localInstant('2026-06-11 07:00');
    expect(latestAllowedAtOrBefore(at, NIGHT, NEW_YORK, localInstant('2026-06-10 21:30'))).toBeUndefined();
  });

  it('gives up when every allowed gap is shorter than the margin', () => {
    const tenMinutes = quiet('08:10', '08:00');
    const at = localInstant('2026-06-11 09:00');
    expect(
      latestAllowedAtOrBefore(at, tenMinutes, NEW_YORK, localInstant('2026-06-01 00:00')),
    ).toBeUndefined();
    expect(
      latestAllowedAtOrBefore(at, tenMinutes, NEW_YORK, localInstant('2025-01-01 00:00')),
    ).toBeUndefined();
  });

  it('moves an instant later to the end of the window, unless that passes the latest acceptable instant', () => {
    const at = localInstant('2026-06-10 22:00');
    const moved = earliestAllowedAtOrAfter(at, NIGHT, NEW_YORK, localInstant('2026-06-12 00:00'));
    expect(moved && toUtcIso(moved)).toBe(toUtcIso(localInstant('2026-06-11 08:00')));
    expect(earliestAllowedAtOrAfter(at, NIGHT, NEW_YORK, localInstant('2026-06-11 07:00'))).toBeUndefined();
  });

  it('skips past an allowed half hour that the spring-forward gap swallowed', () => {
    // Allowed only 02:00–02:30, which does not exist on 8 March 2026.
    const hours = quiet('02:30', '02:00');
    const moved = earliestAllowedAtOrAfter(
      localInstant('2026-03-07 23:00'),
      hours,
      NEW_YORK,
      localInstant('2026-03-12 00:00'),
    );
    expect(moved && toUtcIso(moved)).toBe(toUtcIso(localInstant('2026-03-09 02:00')));
  });
});
