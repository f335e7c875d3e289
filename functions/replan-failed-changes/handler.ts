import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { DynamoStreamChangeReader } from '../../shared/adapters/aws/stream-change-reader';
import { systemClock } from '../../shared/adapters/clock';
import { makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { parseEnv, ReplanFailedChangesEnv, tableNamesFrom } from '../../shared/config/env';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { makeObservability } from '../../shared/lambda/observability';
import { failedChangeOf } from '../../shared/lambda/plan-failures';
import { ClinicCache } from '../../shared/use-cases/clinic-cache';
import { type ReplanDeps, replanFailedChange } from '../../shared/use-cases/replan-failed-changes';

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

export const handler = lazyHandler(() => {
  const env = parseEnv(ReplanFailedChangesEnv, process.env);
  const observability = makeObservability('replan-failed-changes');
  const region = env.AWS_REGION;
  const repos = makeRepositories(
    makeDynamoClients({ region }).doc,
    tableNamesFrom(env),
    env.MESSAGE_RETENTION_DAYS,
  );
  return makeHandler(
    {
      clinics: new ClinicCache(repos.clinics, systemClock),
      patients: repos.patients,
      appointments: repos.appointments,
      messages: repos.messages,
      stream: new DynamoStreamChangeReader(new DynamoDBStreamsClient({ region })),
      deadLetters: new SqsDeadLetters(new SQSClient({ region }), env.PLAN_DEAD_LETTER_QUEUE_URL),
      appointmentsStreamArn: env.APPOINTMENTS_STREAM_ARN,
      clock: systemClock,
      logger: observability.appLogger,
      telemetry: observability.telemetry,
    },
    observability,
  );
});
