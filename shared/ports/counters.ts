/**
 * What the counting sites and the metrics need from storage: daily counters
 * per clinic (design.md decision 9). The domain decides what an event adds
 * (shared/domain/counters.ts); the store adds it once per event id.
 */
import type { CounterEvent, DayCounts } from '../domain/counters';

export interface DailyCounters {
  /**
   * Adds the event's counts to its day, once: true when added now, false when
   * its id was counted before (a retried or duplicated delivery).
   */
  record(event: CounterEvent): Promise<boolean>;
  /** A clinic's days in [fromDay, toDay] (local `YYYY-MM-DD`, inclusive) that counted anything, in order. */
  readDays(clinicId: string, fromDay: string, toDay: string): Promise<DayCounts[]>;
}
