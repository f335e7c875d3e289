import type { ScheduledEvent } from 'aws-lambda';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { type DispatchSummary, dispatchDue } from '../../shared/use-cases/dispatch-due';
import { type FanOutSummary, fanOutDueBroadcasts } from '../../shared/use-cases/fan-out-broadcasts';
import { type OverdueSummary, reportOverdueCases } from '../../shared/use-cases/report-overdue-cases';
import { composeDispatchDue, type DispatchDueDeps } from './compose';

/**
 * Every minute: claim what is due in the next minute and queue it with its
 * delay; then plan the pages of due broadcasts that this minute's budget
 * allows; then report the feedback cases that passed a due time (one empty
 * query on a quiet minute). The sweep goes first, so a fan-out never delays a due reminder.
 */
export function makeHandler(deps: DispatchDueDeps, observability?: Observability) {
  return withMiddleware<
    ScheduledEvent,
    DispatchSummary & { fanOut: FanOutSummary; overdueCases: OverdueSummary }
  >(async () => {
    const summary = await dispatchDue(deps);
    const fanOut = await fanOutDueBroadcasts(deps.fanOut);
    return { ...summary, fanOut, overdueCases: await reportOverdueCases(deps.overdueCases) };
  }, observability);
}

/** The Lambda entry point: composed from `process.env` on the first call. */
export const handler = lazyHandler(() => {
  const { deps, observability } = composeDispatchDue(process.env);
  return makeHandler(deps, observability);
});
