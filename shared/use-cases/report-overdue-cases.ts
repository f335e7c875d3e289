/**
 * The overdue sweep of feedback cases: every case whose due time (to
 * acknowledge, or to resolve) has passed unmet is reported once per due
 * time: `CaseOverdue` on the bus (ids only) and the `CaseOverdue` metric,
 * which an alarm watches.
 *
 * It runs in the per-minute dispatch-due schedule and reads only the cases
 * whose due time has come (the repository's due partition, sorted by due
 * time): no scan, and on a quiet minute one empty query.
 */
import { markOverdue, nextDue } from '../domain/cases/case';
import { ConflictError } from '../domain/errors';
import { type Clock, parseUtc, toUtcIso } from '../domain/time';
import type { CaseRepository } from '../ports/cases';
import type { AppLogger, EventPublisher, Telemetry } from '../ports/outbound';

/** Most cases one sweep reports; the rest are the next minute's (they stay in the due partition). */
export const OVERDUE_BATCH = 100;

export interface OverdueCaseDeps {
  cases: CaseRepository;
  events: EventPublisher;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
}

export interface OverdueSummary {
  /** Due times reported now. */
  reported: number;
  /** Cases that changed while being reported (staff acknowledged them meanwhile): left to the next sweep. */
  changedMeanwhile: number;
}

/**
 * Reports the cases that passed a due time.
 *
 * Primary course:
 * 1. Read the cases whose next unreported due time is at or before now (at most a batch).
 * 2. For each, record the due time as reported, conditionally on the version read:
 *    two sweeps, or a sweep and a staff change, cannot both win, so a due time is reported once.
 * 3. Publish `CaseOverdue` (ids, stage, due time) and count the metric.
 *
 * @param deps - the case repository, bus, clock, logger, telemetry
 */
export async function reportOverdueCases(deps: OverdueCaseDeps): Promise<OverdueSummary> {
  const now = deps.clock.now();
  const due = await deps.cases.listDue(toUtcIso(now), OVERDUE_BATCH);
  const summary: OverdueSummary = { reported: 0, changedMeanwhile: 0 };
  for (const record of due) {
    const next = nextDue(record);
    if (!next || parseUtc(next.at) > now) continue;
    try {
      await deps.cases.put(markOverdue(record, next.stage, now), record.version);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      summary.changedMeanwhile++;
      continue;
    }
    summary.reported++;
    deps.telemetry.count('CaseOverdue');
    const ids = { clinicId: record.clinicId, caseId: record.caseId, stage: next.stage };
    deps.logger.info('feedback case overdue', { ...ids, dueAt: next.at });
    try {
      await deps.events.publish([
        {
          detailType: 'CaseOverdue',
          detail: {
            ...ids,
            dueAt: next.at,
            priority: record.priority,
            category: record.category,
            status: record.status,
            ...(record.assignee ? { assignee: record.assignee } : {}),
            ...(record.links.patientId ? { patientId: record.links.patientId } : {}),
            at: toUtcIso(now),
          },
        },
      ]);
    } catch (error) {
      // The report is recorded on the case and counted in the metric (the alarm sees it); only the event is lost.
      deps.telemetry.count('EventPublishFailed');
      deps.logger.error('CaseOverdue event not published', {
        ...ids,
        errorName: error instanceof Error ? error.name : typeof error,
      });
    }
  }
  return summary;
}
