/**
 * The case figures of a clinic right now, for the metrics route (issue 13
 * item 4): open and acknowledged cases and how many of them are past a due
 * time. Reads only the unresolved cases (the inbox index's two status
 * partitions of the clinic), never the resolved ones or any other item.
 * Cases opened and resolved per day, and the times to acknowledge and
 * resolve, belong to the daily counters.
 */
import type { DateTime } from 'luxon';
import { overdueStages } from '../../domain/cases/case';
import type { CaseRepository } from '../../ports/cases';

export interface CaseFiguresNow {
  open: number;
  acknowledged: number;
  /** Unresolved cases past a due time now (acknowledgement while open, resolution until resolved). */
  overdue: number;
  method: string;
}

/**
 * Counts a clinic's unresolved cases and the overdue ones at `now`.
 *
 * @param cases - the case repository
 * @param clinicId - the clinic
 * @param now - the instant "overdue" is judged at
 */
export async function caseFiguresNow(
  cases: CaseRepository,
  clinicId: string,
  now: DateTime,
): Promise<CaseFiguresNow> {
  const unresolved = await cases.listUnresolved(clinicId);
  return {
    open: unresolved.filter((record) => record.status === 'open').length,
    acknowledged: unresolved.filter((record) => record.status === 'acknowledged').length,
    overdue: unresolved.filter((record) => overdueStages(record, now).length > 0).length,
    method:
      'open and acknowledged cases now; overdue: those past their acknowledgement due time while open, or ' +
      'their resolution due time while unresolved (business days in the clinic zone)',
  };
}
