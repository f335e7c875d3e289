import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { type SendQueueDeps, sendQueueBatch } from '../../shared/lambda/send-queue';
import { composeSendMessage } from './compose';

/** Queued sends → SMS (SNS) or email (SES), at most once each. */
export function makeHandler(deps: SendQueueDeps, observability?: Observability) {
  return withMiddleware<SQSEvent, SQSBatchResponse>((event) => sendQueueBatch(deps, event), observability);
}

/** The Lambda entry point: composed from `process.env` on the first call. */
export const handler = lazyHandler(() => {
  const { deps, observability } = composeSendMessage(process.env);
  return makeHandler(deps, observability);
});
