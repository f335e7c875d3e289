import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import type { DeadLetters, SendRequest } from '../ports/outbound';
import { type SendDeps, sendMessage } from './send-message';

export interface SendQueueDeps extends SendDeps {
  deadLetters: DeadLetters;
}

const SendRequestSchema = z.strictObject({
  clinicId: z.string().min(1),
  patientId: z.string().min(1),
  messageId: z.string().min(1),
  token: z.string().min(1),
});

function parseBody(body: string): SendRequest | undefined {
  try {
    const parsed = SendRequestSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends the messages of one SQS batch, one after another (the batch is the
 * unit of the send rate). A body that is not a send request is set aside,
 * not retried; an infrastructure error fails only its own record, which SQS
 * delivers again (the claim token makes that safe).
 *
 * @param deps - send dependencies and the dead-letter port
 * @param event - the SQS batch
 */
export async function sendFromQueue(deps: SendQueueDeps, event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
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
        continue;
      }
      await sendMessage(deps, request);
    } catch (error) {
      deps.logger.error('send failed; SQS will deliver it again', {
        sqsMessageId: record.messageId,
        messageId: request?.messageId,
        error: (error as Error).name,
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
