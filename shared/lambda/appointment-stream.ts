/**
 * The plan-messages function's driving adapter: decodes a DynamoDB stream
 * batch of the appointments table into appointment changes and hands each
 * to the planning use cases, with Lambda's stream rules (in order; stop at
 * the first failure and report it, so Lambda retries from there).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ValidationError } from '../domain/errors';
import type { Appointment } from '../domain/model';
import { readAppointment } from '../domain/stored';
import type { DailyCounters } from '../ports/counters';
import type { DeadLetters } from '../ports/outbound';
import { countAppointmentChange } from '../use-cases/count-events';
import {
  type PlanDeps,
  planAppointmentMessages,
  UnplannableChangeError,
  withdrawDeletedAppointment,
} from '../use-cases/plan-appointment-messages';

export interface PlanStreamDeps extends PlanDeps {
  deadLetters: DeadLetters;
  /** Daily counters: what a change brought (a confirmation, an outcome). */
  counters: DailyCounters;
}

function appointmentFrom(record: DynamoDBRecord, which: 'NewImage' | 'OldImage'): Appointment {
  const image = record.dynamodb?.[which];
  if (!image) throw new UnplannableChangeError(`stream record has no ${which}`, 'malformed-record');
  // Lambda's stream attribute values have the SDK's shape under another type name.
  return readAppointment(unmarshall(image as Record<string, AttributeValue>), which);
}

/** Ids of a record for reports: from the keys, which are there even when the image is not. */
function idsOf(record: DynamoDBRecord): Record<string, string | undefined> {
  const keys = record.dynamodb?.Keys
    ? unmarshall(record.dynamodb.Keys as Record<string, AttributeValue>)
    : {};
  return {
    clinicId: typeof keys.clinicId === 'string' ? keys.clinicId : undefined,
    appointmentId: typeof keys.appointmentId === 'string' ? keys.appointmentId : undefined,
    sequenceNumber: record.dynamodb?.SequenceNumber,
    eventId: record.eventID,
  };
}

/**
 * Plans the messages for each appointment change of a stream batch, in
 * order. A change that can never be planned is set aside (dead-letter queue,
 * ids and reason only) and the batch goes on; any other failure stops the
 * batch at that record, which Lambda retries from there, so a later change
 * of the same appointment never overtakes an earlier one.
 *
 * @param deps - planning dependencies and the dead-letter port
 * @param event - the DynamoDB stream batch
 */
export async function planAppointmentStream(
  deps: PlanStreamDeps,
  event: DynamoDBStreamEvent,
): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    try {
      if (record.eventName === 'REMOVE') {
        await withdrawDeletedAppointment(deps, appointmentFrom(record, 'OldImage'));
      } else {
        const after = appointmentFrom(record, 'NewImage');
        await planAppointmentMessages(deps, after);
        // After planning, which a retry of this record repeats without harm; so does the count.
        const before = record.eventName === 'MODIFY' ? appointmentFrom(record, 'OldImage') : undefined;
        await countAppointmentChange(deps, before, after);
      }
    } catch (error) {
      const ids = idsOf(record);
      if (error instanceof UnplannableChangeError || error instanceof ValidationError) {
        const reason = error instanceof UnplannableChangeError ? error.reason : 'malformed-record';
        try {
          await deps.deadLetters.setAside({ source: 'plan-messages', reason, ids });
        } catch {
          deps.logger.error('could not set a record aside; retrying the batch from it', { ...ids, reason });
          return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
        }
        deps.logger.error('appointment change set aside', {
          ...ids,
          reason,
          fields: error instanceof ValidationError ? error.issues.map((issue) => issue.path) : undefined,
        });
        deps.telemetry.count('ChangeSetAside', 1, { reason });
        continue;
      }
      deps.logger.error('planning failed; the batch will be retried from this record', {
        ...ids,
        error: (error as Error).name,
      });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
