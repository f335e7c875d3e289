import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { systemClock } from '../../shared/adapters/clock';
import { makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { PlanMessagesEnv, parseEnv, tableNamesFrom } from '../../shared/config/env';
import { type PlanStreamDeps, planAppointmentStream } from '../../shared/lambda/appointment-stream';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { makeObservability } from '../../shared/lambda/observability';
import { ClinicCache } from '../../shared/use-cases/clinic-cache';

/** Appointment changes (DynamoDB stream) → planned and withdrawn messages. */
export function makeHandler(deps: PlanStreamDeps, observability?: Observability) {
  return withMiddleware<DynamoDBStreamEvent, DynamoDBBatchResponse>(
    (event) => planAppointmentStream(deps, event),
    observability,
  );
}

export const handler = lazyHandler(() => {
  const env = parseEnv(PlanMessagesEnv, process.env);
  const observability = makeObservability('plan-messages');
  const repos = makeRepositories(
    makeDynamoClients({ region: env.AWS_REGION }).doc,
    tableNamesFrom(env),
    env.MESSAGE_RETENTION_DAYS,
  );
  return makeHandler(
    {
      clinics: new ClinicCache(repos.clinics, systemClock),
      patients: repos.patients,
      messages: repos.messages,
      clock: systemClock,
      logger: observability.appLogger,
      telemetry: observability.telemetry,
      deadLetters: new SqsDeadLetters(
        new SQSClient({ region: env.AWS_REGION }),
        env.PLAN_DEAD_LETTER_QUEUE_URL,
      ),
    },
    observability,
  );
});
