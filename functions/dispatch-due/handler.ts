import type { ScheduledEvent } from 'aws-lambda';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { type DispatchDeps, type DispatchSummary, dispatchDue } from '../../shared/use-cases/dispatch-due';
import { composeDispatchDue } from './compose';

/** Every minute: claim what is due in the next minute and queue it with its delay. */
export function makeHandler(deps: DispatchDeps, observability?: Observability) {
  return withMiddleware<ScheduledEvent, DispatchSummary>(() => dispatchDue(deps), observability);
}

/** The Lambda entry point: composed from `process.env` on the first call. */
export const handler = lazyHandler(() => {
  const { deps, observability } = composeDispatchDue(process.env);
  return makeHandler(deps, observability);
});
