import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { failedChangeOf } from '../../shared/lambda/plan-failures';
import { type ReplanDeps, replanFailedChange } from '../../shared/use-cases/replan-failed-changes';
import { composeReplanFailedChanges } from './compose';

/**
 * Planning retry queue → re-planned appointments, or ids set aside. One
 * entry at a time; an entry whose handling fails (the dead-letter queue
 * could not be written) is reported and retried by SQS.
 */
export function makeHandler(deps: ReplanDeps, observability?: Observability) {
  return withMiddleware<SQSEvent, SQSBatchResponse>(async (event) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        await replanFailedChange(deps, failedChangeOf(record));
      } catch (error) {
        deps.logger.error('failed change not handled; SQS will deliver it again', {
          entryId: record.messageId,
          error: (error as Error).name,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  }, observability);
}

/** The Lambda entry point: composed from `process.env` on the first call. */
export const handler = lazyHandler(() => {
  const { deps, observability } = composeReplanFailedChanges(process.env);
  return makeHandler(deps, observability);
});
