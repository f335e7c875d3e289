import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { type InboundQueueDeps, inboundQueueBatch } from '../../shared/lambda/inbound-queue';
import { composeHandleInbound } from './compose';

/** Patients' texts (End User Messaging two-way → SNS → SQS) → confirmations, opt-outs, inbox items, answers. */
export function makeHandler(deps: InboundQueueDeps, observability?: Observability) {
  return withMiddleware<SQSEvent, SQSBatchResponse>((event) => inboundQueueBatch(deps, event), observability);
}

/** The Lambda entry point: composed from `process.env` on the first call. */
export const handler = lazyHandler(() => {
  const { deps, observability } = composeHandleInbound(process.env);
  return makeHandler(deps, observability);
});
