/**
 * The send-message function's driving adapter: decodes the SQS batch of
 * send requests and sends each through the send-message use case, with
 * Powertools' batch processor reporting partial failures to SQS.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { DeadLetters, SendRequest } from '../ports/outbound';
import { type SendDeps, sendMessage } from '../use-cases/send-message';

export interface SendQueueDeps extends SendDeps {
  deadLetters: DeadLetters;
}

const id = z.string().check(z.minLength(1));
const SendRequestSchema = z.strictObject({ clinicId: id, patientId: id, messageId: id, token: id });

function parseBody(body: string): SendRequest | undefined {
  try {
    const parsed = SendRequestSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One record: a body that is not a send request is set aside, not retried;
 * anything that throws fails only this record, which SQS delivers again
 * (the claim token makes that safe).
 */
async function sendRecord(deps: SendQueueDeps, record: SQSRecord): Promise<void> {
  const request = parseBody(record.body);
  try {
    if (!request) {
      await deps.deadLetters.setAside({
        source: 'send-message',
        reason: 'malformed-request',
        ids: { sqsMessageId: record.messageId },
      });
      deps.logger.error('malformed send request set aside', { sqsMessageId: record.messageId });
      deps.telemetry.count('RequestSetAside');
      return;
    }
    await sendMessage(deps, request);
  } catch (error) {
    deps.logger.error('send failed; SQS will deliver it again', {
      sqsMessageId: record.messageId,
      messageId: request?.messageId,
      error: (error as Error).name,
    });
    throw error;
  }
}

/**
 * Sends the messages of one SQS batch, one after another (the batch is the
 * unit of the send rate), and reports the records that failed.
 *
 * @param deps - send dependencies and the dead-letter port
 * @param event - the SQS batch
 */
export async function sendQueueBatch(deps: SendQueueDeps, event: SQSEvent): Promise<SQSBatchResponse> {
  // One processor per batch: local mode hands several batches over at once.
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, (record: SQSRecord) => sendRecord(deps, record), processor, {
    processInParallel: false,
    // A batch whose every record failed is reported as such, not thrown: SQS
    // then redelivers each after its visibility timeout, as for one failure.
    throwOnFullBatchFailure: false,
  });
}
