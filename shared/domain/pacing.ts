/**
 * Pacing one number's sends over the sweep's minute (issue 19). Pure: the
 * sweep places each text, in the order it should go, at the first second of
 * the minute that is not before its due second and still has room for its
 * parts, so no second carries more parts than the number's rate allows and
 * the minute carries at most a minute of it.
 */

/** Rounds away binary fractions (0.05 × 60 is 3, not 2.999…) before a floor or ceiling. */
function clean(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * Parts a number may send in one minute at `ratePerSecond`, rounded down so
 * the provider never sees more than the rate.
 *
 * @param ratePerSecond - the number's parts per second
 */
export function partsPerMinute(ratePerSecond: number): number {
  return Math.floor(clean(ratePerSecond * 60));
}

/** Seconds in a UTC day: each number's parts are numbered from the day's start. */
export const DAY_SECONDS = 86_400;

/**
 * The first part, numbered from the UTC day's start, that second `t` of the
 * day may carry at `ratePerSecond`: second `t` carries the parts from
 * `firstPartAt(t)` up to (not including) `firstPartAt(t + 1)`.
 *
 * @param ratePerSecond - the number's parts per second
 * @param t - a second of the UTC day (0 … 86 400)
 */
export function firstPartAt(ratePerSecond: number, t: number): number {
  return Math.ceil(clean(ratePerSecond * t));
}

/**
 * The second of the UTC day that carries part `k` (the inverse of
 * {@link firstPartAt}).
 *
 * @param ratePerSecond - the number's parts per second
 * @param k - a part, numbered from the day's start
 */
export function secondOfPart(ratePerSecond: number, k: number): number {
  return Math.floor(clean(k / ratePerSecond));
}

/**
 * Parts of second `t` of the day kept for immediate sends: every `every`-th
 * part of the day (parts 0, every, 2·every …). Both the sweep (which leaves
 * them free) and the immediate sends (which take them, one slot each) count
 * them this way, so the two together never place more in a second than the
 * number's rate.
 *
 * @param ratePerSecond - the number's parts per second
 * @param t - a second of the UTC day
 * @param every - one part in `every` is kept
 */
export function reservedAt(ratePerSecond: number, t: number, every: number): number {
  const lo = firstPartAt(ratePerSecond, t);
  const hi = firstPartAt(ratePerSecond, t + 1);
  return Math.ceil(hi / every) - Math.ceil(lo / every);
}

/**
 * True when a number keeps parts for immediate sends at all: only when a
 * minute of its rate holds at least `every` parts. A slower number sends
 * everything through the sweep, whose minute would otherwise lose a large
 * piece of its few parts to sends that may never come.
 *
 * @param ratePerSecond - the number's parts per second
 * @param every - one part in `every` is kept
 */
export function keepsParts(ratePerSecond: number, every: number): boolean {
  return partsPerMinute(ratePerSecond) >= every;
}

/** What a {@link MinuteSchedule} keeps free for immediate sends. */
export interface Reserve {
  /** The epoch second (UTC) of the schedule's second 0: its pattern follows the UTC day. */
  startEpochSecond: number;
  /** The number's full rate (the immediate sends keep their share of it even in a halved minute). */
  ratePerSecond: number;
  /** One part in `every` of the day is kept for immediate sends. */
  every: number;
}

/**
 * The room in each second of one minute for one number, and what is placed
 * there. Second `s` may carry ⌈rate·(s+1)⌉ − ⌈rate·s⌉ parts: the rate's whole
 * parts in every second, its fraction gathered into the earliest seconds
 * (at 1/60 a second, one part at second 0; at 1.5, 2 + 1 + 2 + 1 …). A text
 * of more parts than any second may carry starts in an unused second and
 * takes the room of the seconds after it, so its number still averages no
 * more than its rate. With a {@link Reserve}, `s` counts from the minute's
 * place in the UTC day, and the parts kept for immediate sends are not room.
 */
export class MinuteSchedule {
  private readonly room: number[];
  private readonly used: number[];
  private placed = 0;
  /** The first second the next text may take (see {@link closePlaced}). */
  private opensAt = 0;
  /** Parts the whole minute may carry. */
  readonly budget: number;

  /**
   * @param ratePerSecond - the number's parts per second this minute
   * @param seconds - the minute's length in seconds (the sweep's lookahead)
   * @param reserve - where the minute lies in the UTC day, and the share kept for immediate sends
   */
  constructor(ratePerSecond: number, seconds: number, reserve?: Reserve) {
    this.room = Array.from({ length: seconds }, (_, s) => {
      if (!reserve || !keepsParts(reserve.ratePerSecond, reserve.every))
        return firstPartAt(ratePerSecond, s + 1) - firstPartAt(ratePerSecond, s);
      const t = (reserve.startEpochSecond + s) % DAY_SECONDS;
      const room = firstPartAt(ratePerSecond, t + 1) - firstPartAt(ratePerSecond, t);
      return Math.max(0, room - reservedAt(reserve.ratePerSecond, t, reserve.every));
    });
    this.budget = Math.min(
      partsPerMinute((ratePerSecond * seconds) / 60),
      this.room.reduce((sum, room) => sum + room, 0),
    );
    this.used = this.room.map(() => 0);
  }

  /** Parts still to place this minute. */
  get remaining(): number {
    return this.budget - this.placed;
  }

  /**
   * Where a text would go: the first second from `from` on with room for
   * it (nothing is taken until {@link commit}).
   *
   * @param parts - the text's parts (1 for an email)
   * @param from - its due second within the minute (0 when already due)
   * @returns the placement, or undefined when the minute has no room for it
   */
  find(parts: number, from: number): Placement | undefined {
    if (parts > this.remaining) return undefined;
    for (let s = Math.max(0, from, this.opensAt); s < this.room.length; s++) {
      const free = this.freeAt(s);
      if (parts <= free) return { second: s, parts, takes: [[s, parts]] };
      if (free > 0 && this.used[s] === 0) {
        const span = this.spanFrom(s, parts);
        if (span) return span;
      }
    }
    return undefined;
  }

  /** Takes the room a {@link find} result needs. */
  commit(placement: Placement): void {
    for (const [second, parts] of placement.takes) this.used[second] = (this.used[second] ?? 0) + parts;
    this.placed += placement.parts;
  }

  /**
   * Starts whatever is placed from now on after every second used so far, so
   * none of it shares a second with what is already placed. The sweep calls it
   * between priorities: texts sent in the same second go side by side (SQS
   * delays are whole seconds, and the sender runs batches in parallel), so only
   * a later second puts every higher-priority text at the provider first. It
   * costs at most the free room of one second.
   */
  closePlaced(): void {
    this.opensAt = Math.max(this.opensAt, this.used.findLastIndex((parts) => parts > 0) + 1);
  }

  /** Parts placed at each second (the figures the tests and the bench read). */
  partsAt(second: number): number {
    return this.used[second] ?? 0;
  }

  private freeAt(second: number): number {
    return (this.room[second] ?? 0) - (this.used[second] ?? 0);
  }

  private spanFrom(start: number, parts: number): Placement | undefined {
    const takes: [number, number][] = [];
    let left = parts;
    for (let s = start; s < this.room.length && left > 0; s++) {
      const take = Math.min(left, this.freeAt(s));
      if (take > 0) takes.push([s, take]);
      left -= take;
    }
    return left > 0 ? undefined : { second: start, parts, takes };
  }
}

/** Where a text goes: its second, and the room it takes in that second and, when it spans, the next ones. */
export interface Placement {
  second: number;
  parts: number;
  takes: [second: number, parts: number][];
}
