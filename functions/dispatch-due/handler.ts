import type { ScheduledEvent } from 'aws-lambda';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { type DispatchSummary, dispatchDue } from '../../shared/use-cases/dispatch-due';
import { type FanOutSummary, fanOutDueBroadcasts } from '../../shared/use-cases/fan-out-broadcasts';
import { type CarePlanSummary, planDueCareReminders } from '../../shared/use-cases/plan-care-reminders';
import { type OverdueSummary, reportOverdueCases } from '../../shared/use-cases/report-overdue-cases';
import { composeDispatchDue, type DispatchDueDeps } from './compose';

/**
 * Every minute: claim what is due in the next minute and queue it with its
 * delay; then plan the pages of due broadcasts that this minute's budget
 * allows; then plan the care reminders saved or stopped since, or whose
 * due date is over (rolled forward); then report the feedback cases that
 * passed a due time (one empty query each on a quiet minute). The sweep goes
 * first, so neither a fan-out nor a care reminder delays a due reminder.
 */
export function makeHandler(deps: DispatchDueDeps, observability?: Observability) {
  return withMiddleware<
    ScheduledEvent,
    DispatchSummary & { fanOut: FanOutSummary; carePlanning: CarePlanSummary; overdueCases: OverdueSummary }
  >(async () => {
    const summary = await dispatchDue(deps);
    const fanOut = await fanOutDueBroadcasts(deps.fanOut);
    const carePlanning = await planDueCareReminders(deps.carePlanning);
    return { ...summary, fanOut, carePlanning, overdueCases: await reportOverdueCases(deps.overdueCases) };
  }, observability);
}

/** The Lambda entry point: composed from `process.env` on the first call. */
export const handler = lazyHandler(() => {
  const { deps, observability } = composeDispatchDue(process.env);
  return makeHandler(deps, observability);
});
