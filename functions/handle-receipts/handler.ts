import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { type ReceiptQueueDeps, receiptQueueBatch } from '../../shared/lambda/receipt-queue';
import { composeHandleReceipts } from './compose';

/**
 * Receipts queue (SMS events of the End User Messaging configuration set,
 * SES Delivery / Bounce / Complaint events) → delivered or undeliverable
 * messages, the next channel tried, bounces and complaints on the patient.
 * A receipt of a message still being sent is reported failed, so SQS
 * brings it back (and, after the queue's receives, to its dead-letter
 * queue); one that does not read is set aside at once.
 */
export function makeHandler(deps: ReceiptQueueDeps, observability?: Observability) {
  return withMiddleware<SQSEvent, SQSBatchResponse>((event) => receiptQueueBatch(deps, event), observability);
}

/** The Lambda entry point: composed from `process.env` on the first call. */
export const handler = lazyHandler(() => {
  const { deps, observability } = composeHandleReceipts(process.env);
  return makeHandler(deps, observability);
});
