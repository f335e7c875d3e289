/**
 * Decodes the entries of the planning retry queue: the stream mapping's
 * on-failure records (Lambda's `DDBStreamBatchInfo`) and appointment ids
 * (what plan-messages and replan-failed-changes set aside, replayed by a
 * person). Anything else is unreadable and is set aside, never retried.
 */
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { FailedChange } from '../use-cases/replan-failed-changes';

const OnFailureRecord = z.object({
  DDBStreamBatchInfo: z.object({
    streamArn: z.string().min(1),
    shardId: z.string().min(1),
    // DynamoDB Streams sequence numbers: 21 to 40 digits.
    startSequenceNumber: z.string().regex(/^\d{21,40}$/),
    endSequenceNumber: z.string().regex(/^\d{21,40}$/),
  }),
});

const AppointmentIds = z.object({
  ids: z.object({ clinicId: z.string().min(1).max(48), appointmentId: z.string().min(1).max(64) }),
});

/**
 * One queue entry as a failed change.
 *
 * @param record - the SQS record
 */
export function failedChangeOf(record: SQSRecord): FailedChange {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { kind: 'unreadable', entryId: record.messageId };
  }
  const batch = OnFailureRecord.safeParse(body);
  if (batch.success) return { kind: 'stream-batch', position: batch.data.DDBStreamBatchInfo };
  const ids = AppointmentIds.safeParse(body);
  if (ids.success) return { kind: 'appointment', ...ids.data.ids };
  return { kind: 'unreadable', entryId: record.messageId };
}
