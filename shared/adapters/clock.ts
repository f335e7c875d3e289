import { DateTime } from 'luxon';
import type { Clock } from '../domain/time';

/** The real clock, for Lambda. The only place outside local mode that reads system time. */
export const systemClock: Clock = { now: () => DateTime.utc() };

/**
 * A clock that stands still until told to move, so local mode can show a
 * day of reminders in seconds. Every handler in the process shares one.
 */
export class SimulatedClock implements Clock {
  private current: DateTime;
  private readonly listeners = new Set<(now: DateTime) => void>();

  constructor(start: DateTime) {
    this.current = start.toUTC();
  }

  now(): DateTime {
    return this.current;
  }

  /** Moves to `to`; time never goes backwards. */
  set(to: DateTime): void {
    if (to < this.current) throw new RangeError('the simulated clock cannot go backwards');
    this.current = to.toUTC();
    for (const listener of this.listeners) listener(this.current);
  }

  advance(by: { seconds?: number; minutes?: number; hours?: number; days?: number }): void {
    this.set(this.current.plus(by));
  }

  onChange(listener: (now: DateTime) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
