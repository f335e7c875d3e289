import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PARTS_PER_SECOND,
  formatSmsLanes,
  parseSmsLanes,
  partsPerSecondOf,
} from '../../../shared/config/settings';
import {
  DAY_SECONDS,
  firstPartAt,
  MinuteSchedule,
  partsPerMinute,
  reservedAt,
  secondOfPart,
} from '../../../shared/domain/pacing';

/** Places texts in order, each from its due second; returns the second of each (undefined: no room). */
function placeAll(schedule: MinuteSchedule, texts: { parts: number; from: number }[]) {
  return texts.map(({ parts, from }) => {
    const placement = schedule.find(parts, from);
    if (placement) schedule.commit(placement);
    return placement?.second;
  });
}

describe('pacing a number over the minute', () => {
  it('sends three single-part texts in each second at three parts a second, 180 in the minute', () => {
    const schedule = new MinuteSchedule(3, 60);
    const seconds = placeAll(
      schedule,
      Array.from({ length: 200 }, () => ({ parts: 1, from: 0 })),
    );
    expect(seconds.slice(0, 6)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(seconds.filter((s) => s !== undefined)).toHaveLength(180);
    expect(schedule.remaining).toBe(0);
  });

  it('never places a text before its due second, and fills an earlier gap with a text due then', () => {
    const schedule = new MinuteSchedule(1, 60);
    expect(
      placeAll(schedule, [
        { parts: 1, from: 30 },
        { parts: 1, from: 30 },
        { parts: 1, from: 0 },
      ]),
    ).toEqual([30, 31, 0]);
  });

  it('starts what is placed after closePlaced in a later second than everything before, never beside it', () => {
    const schedule = new MinuteSchedule(3, 60);
    // Four high-priority texts: three fill second 0, one goes at second 1 (room for two more there).
    expect(
      placeAll(
        schedule,
        Array.from({ length: 4 }, () => ({ parts: 1, from: 0 })),
      ),
    ).toEqual([0, 0, 0, 1]);
    schedule.closePlaced();
    // The next priority skips second 1's free room, even for a text due at second 0.
    expect(
      placeAll(
        schedule,
        Array.from({ length: 4 }, () => ({ parts: 1, from: 0 })),
      ),
    ).toEqual([2, 2, 2, 3]);
    expect(schedule.partsAt(1)).toBe(1);
    // A third priority starts after second 3; closing again with nothing placed since changes nothing.
    schedule.closePlaced();
    schedule.closePlaced();
    expect(placeAll(schedule, [{ parts: 1, from: 0 }])).toEqual([4]);
    // The skipped room is not placed, so the budget still counts it: the sweep stops at the first text that finds no second.
    expect(schedule.remaining).toBe(180 - 9);
  });

  it('closing an empty minute loses nothing', () => {
    const schedule = new MinuteSchedule(1, 60);
    schedule.closePlaced();
    expect(placeAll(schedule, [{ parts: 1, from: 0 }])).toEqual([0]);
  });

  it('gathers a fractional rate into the earliest seconds: one part a minute goes at once', () => {
    expect(
      placeAll(new MinuteSchedule(1 / 60, 60), [
        { parts: 1, from: 0 },
        { parts: 1, from: 0 },
      ]),
    ).toEqual([0, undefined]);
    expect(
      placeAll(
        new MinuteSchedule(1.5, 60),
        Array.from({ length: 4 }, () => ({ parts: 1, from: 0 })),
      ),
    ).toEqual([0, 0, 1, 2]);
  });

  it('lets a text of more parts than a second holds take the room of the seconds after it', () => {
    const schedule = new MinuteSchedule(1, 60);
    expect(
      placeAll(schedule, [
        { parts: 3, from: 0 },
        { parts: 1, from: 0 },
      ]),
    ).toEqual([0, 3]);
  });

  it('halving the rate halves the minute', () => {
    expect(new MinuteSchedule(3 / 2, 60).budget).toBe(90);
    expect(partsPerMinute(0.05)).toBe(3);
  });

  it('never puts more parts in any run of seconds than the rate allows over it, nor more than a minute in all', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1 / 60, max: 20, noNaN: true }),
        fc.array(
          fc.record({ parts: fc.integer({ min: 1, max: 3 }), from: fc.integer({ min: 0, max: 59 }) }),
          {
            maxLength: 400,
          },
        ),
        (rate, texts) => {
          const schedule = new MinuteSchedule(rate, 60);
          const fitting = texts.filter((text) => text.parts <= Math.ceil(rate));
          placeAll(schedule, fitting);
          const used = Array.from({ length: 60 }, (_, s) => schedule.partsAt(s));
          expect(used.reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(partsPerMinute(rate));
          for (let start = 0; start < 60; start++) {
            let sum = 0;
            for (let end = start; end < 60; end++) {
              sum += used[end] ?? 0;
              expect(sum).toBeLessThanOrEqual(Math.ceil(rate * (end - start + 1) - 1e-9) + Math.ceil(rate));
            }
          }
          for (const n of used) expect(n).toBeLessThanOrEqual(Math.ceil(rate - 1e-9));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('a number’s rate in the config', () => {
  it('defaults by number type: toll-free 3, 10DLC 1 unless its campaign says more, short code 100', () => {
    expect(partsPerSecondOf({ numberType: 'toll-free' })).toBe(3);
    expect(partsPerSecondOf({ numberType: '10dlc' })).toBe(1);
    expect(partsPerSecondOf({ numberType: '10dlc', partsPerSecond: 15 })).toBe(15);
    expect(partsPerSecondOf({ numberType: 'short-code' })).toBe(100);
    expect(DEFAULT_PARTS_PER_SECOND['long-code']).toBe(1);
  });

  it('reads back the sweep’s list of numbers, and refuses a malformed one', () => {
    const text = formatSmsLanes([
      { clinicId: 'north', partsPerSecond: 3 },
      { clinicId: 'south-2', partsPerSecond: 1.5 },
    ]);
    expect(text).toBe('north=3,south-2=1.5');
    expect(parseSmsLanes(text)).toEqual(
      new Map([
        ['north', 3],
        ['south-2', 1.5],
      ]),
    );
    expect(parseSmsLanes('')).toEqual(new Map());
    expect(parseSmsLanes('north=3,north=1')).toBeUndefined();
    expect(parseSmsLanes('north')).toBeUndefined();
    expect(parseSmsLanes('north=0')).toBeUndefined();
    expect(parseSmsLanes('North=3')).toBeUndefined();
  });
});

describe('parts kept for immediate sends', () => {
  it('keeps every tenth part at three a second: one in the seconds 0, 3, 6, 10 … and the sweep takes the rest', () => {
    const kept = Array.from({ length: 12 }, (_, t) => reservedAt(3, t, 10));
    expect(kept).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0]);
    const schedule = new MinuteSchedule(3, 60, { startEpochSecond: 0, ratePerSecond: 3, every: 10 });
    expect(schedule.budget).toBe(162);
    const seconds = placeAll(
      schedule,
      Array.from({ length: 7 }, () => ({ parts: 1, from: 0 })),
    );
    expect(seconds).toEqual([0, 0, 1, 1, 1, 2, 2]);
  });

  it('follows the UTC day, wherever the sweep’s minute starts, and keeps a halved minute clear of the kept parts', () => {
    const at = (start: number, rate: number, full: number) =>
      new MinuteSchedule(rate, 60, { startEpochSecond: start, ratePerSecond: full, every: 10 });
    // 10:15:30 on some day: the seconds of the day 36930 … 36989.
    const start = 20_000 * DAY_SECONDS + 36_930;
    const schedule = at(start, 3, 3);
    let placed = 0;
    for (;;) {
      const placement = schedule.find(1, 0);
      if (!placement) break;
      schedule.commit(placement);
      placed += 1;
    }
    for (let s = 0; s < 60; s++)
      expect(schedule.partsAt(s) + reservedAt(3, 36_930 + s, 10)).toBeLessThanOrEqual(3);
    expect(placed).toBe(162);
    // Throttled: half the rate, the immediate sends' parts still kept.
    const halved = at(start, 1.5, 3);
    for (let s = 0; s < 60; s++) {
      const placement = halved.find(1, s);
      if (placement?.second === s) halved.commit(placement);
      expect(halved.partsAt(s) + reservedAt(3, 36_930 + s, 10)).toBeLessThanOrEqual(2);
    }
  });

  it('numbers the kept parts so that the second of slot j is where the sweep left its room free (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1 / 60, max: 120, noNaN: true }),
        fc.integer({ min: 0, max: DAY_SECONDS - 120 }),
        (rate, t) => {
          // Every kept part of second t has that second as its own, and no other second's does.
          const lo = firstPartAt(rate, t);
          const hi = firstPartAt(rate, t + 1);
          let kept = 0;
          for (let k = Math.ceil(lo / 10) * 10; k < hi; k += 10) {
            expect(secondOfPart(rate, k)).toBe(t);
            kept += 1;
          }
          expect(reservedAt(rate, t, 10)).toBe(kept);
          expect(kept).toBeLessThanOrEqual(hi - lo);
        },
      ),
      { numRuns: 500 },
    );
  });
});
