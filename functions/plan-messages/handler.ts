import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type PlanStreamDeps, planAppointmentStream } from '../../shared/lambda/appointment-stream';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { composePlanMessages } from './compose';

/** Appointment changes (DynamoDB stream) → planned and withdrawn messages. */
export function makeHandler(deps: PlanStreamDeps, observability?: Observability) {
  return withMiddleware<DynamoDBStreamEvent, DynamoDBBatchResponse>(
    (event) => planAppointmentStream(deps, event),
    observability,
  );
}

/** The Lambda entry point: composed from `process.env` on the first call. */
export const handler = lazyHandler(() => {
  const { deps, observability } = composePlanMessages(process.env);
  return makeHandler(deps, observability);
});
