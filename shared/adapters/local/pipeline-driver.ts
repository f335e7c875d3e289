/**
 * Runs the pipeline on a simulated clock the way AWS would run it in real
 * time: the stream feeds plan-messages as soon as a change lands, a sweep
 * runs at every whole minute, and queued sends arrive when their delay ends.
 * To cover a day in seconds it jumps straight to the next moment at which
 * something can happen (the next useful sweep or the next visible send),
 * which gives the same result as ticking through every idle minute.
 */
import { DateTime } from 'luxon';
import type { SimulatedClock } from '../clock';

export interface DriverParts {
  clock: SimulatedClock;
  /** Feeds pending stream records to plan-messages; returns how many were handled. */
  drainStream: () => Promise<number>;
  /** One dispatch-due run at the clock's current time. */
  sweep: () => Promise<unknown>;
  /** Delivers visible queued sends to send-message; returns how many were acknowledged. */
  deliver: () => Promise<number>;
  /** When the next queued send becomes visible (epoch ms), if any. */
  nextVisibleAt: () => number | undefined;
  /** The earliest due time of anything the sweep reads (the next useful sweep follows from it). */
  earliestDueAt: () => Promise<string | undefined>;
  /** How far ahead a sweep takes items (dispatch-due's lookahead). */
  lookaheadSeconds: number;
}

function ceilToMinute(at: DateTime): DateTime {
  const floor = at.startOf('minute');
  return floor.equals(at) ? at : floor.plus({ minutes: 1 });
}

export class PipelineDriver {
  private lastSweep: DateTime | undefined;

  constructor(private readonly parts: DriverParts) {}

  /** Plans every pending change and delivers every visible send, until nothing moves. */
  async settle(): Promise<void> {
    for (;;) {
      const planned = await this.parts.drainStream();
      const delivered = await this.parts.deliver();
      if (planned === 0 && delivered === 0) return;
    }
  }

  /** Runs a sweep now, as the minute schedule would if now is a whole minute. */
  async sweepNow(): Promise<void> {
    await this.settle();
    await this.parts.sweep();
    this.lastSweep = this.parts.clock.now();
    await this.settle();
  }

  /**
   * Moves the clock to `target`, running every sweep and delivery that falls
   * on the way at the moment it would happen.
   *
   * @param target - where the clock stops
   */
  async advanceTo(target: DateTime): Promise<void> {
    const { clock } = this.parts;
    for (;;) {
      await this.settle();
      const now = clock.now();
      const candidates: { at: DateTime; sweep: boolean }[] = [];
      const due = await this.parts.earliestDueAt();
      if (due) {
        const wanted = DateTime.fromISO(due, { zone: 'utc' }).minus({ seconds: this.parts.lookaheadSeconds });
        // The first whole minute whose sweep window (exclusive end) holds it.
        let at = ceilToMinute(wanted > now ? wanted.plus({ milliseconds: 1 }) : now);
        if (this.lastSweep && at <= this.lastSweep) at = this.lastSweep.plus({ minutes: 1 });
        candidates.push({ at, sweep: true });
      }
      const visible = this.parts.nextVisibleAt();
      if (visible !== undefined) {
        const at = DateTime.fromMillis(visible, { zone: 'utc' });
        candidates.push({ at: DateTime.max(at, now), sweep: false });
      }
      // At the same instant, visible sends are taken first: a consumer picks
      // them up as they appear, while the sweep starts on its schedule.
      candidates.sort((a, b) => a.at.toMillis() - b.at.toMillis() || Number(a.sweep) - Number(b.sweep));
      const next = candidates[0];
      if (!next || next.at > target) {
        if (target > now) clock.set(target);
        await this.settle();
        return;
      }
      if (next.at > now) clock.set(next.at);
      if (next.sweep) {
        await this.parts.sweep();
        this.lastSweep = next.at;
      }
    }
  }
}
