/**
 * The replan-failed-changes composition root: reads the environment once and
 * builds the repositories, the clinic cache, the stream reader and the
 * dead-letter queue. The Lambda handler and the tests compose it here.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { DynamoStreamChangeReader } from '../../shared/adapters/aws/stream-change-reader';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { parseEnv, ReplanFailedChangesEnv, tableNamesFrom } from '../../shared/config/env';
import {
  type CommonPorts,
  type Composed,
  commonParts,
  type Environment,
  withReplacements,
} from '../../shared/lambda/compose';
import type { DeadLetters } from '../../shared/ports/outbound';
import type {
  AppointmentRepository,
  ClinicRepository,
  MessageRepository,
  PatientRepository,
} from '../../shared/ports/repositories';
import type { StreamChangeReader } from '../../shared/ports/stream';
import { ClinicCache } from '../../shared/use-cases/clinic-cache';
import type { ReplanDeps } from '../../shared/use-cases/replan-failed-changes';

export interface ReplanAdapters {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
  stream: StreamChangeReader;
  deadLetters: DeadLetters;
}

export interface ReplanPorts extends CommonPorts {
  /** A test's stream reader (DynamoDB Local's stream) or wrappers around the built adapters. */
  replace?: (built: ReplanAdapters) => Partial<ReplanAdapters>;
}

/**
 * The replay's dependencies from its environment.
 *
 * @param environment - as CDK sets it (`process.env` in Lambda)
 * @param ports - what the caller brings instead of the AWS defaults
 */
export function composeReplanFailedChanges(
  environment: Environment,
  ports: ReplanPorts = {},
): Composed<ReplanDeps> {
  const env = parseEnv(ReplanFailedChangesEnv, environment);
  const region = env.AWS_REGION;
  const common = commonParts('replan-failed-changes', region, ports);
  const repos = makeRepositories(common.dynamo, tableNamesFrom(env), env.MESSAGE_RETENTION_DAYS);
  const adapters = withReplacements<ReplanAdapters>(
    {
      clinics: repos.clinics,
      patients: repos.patients,
      appointments: repos.appointments,
      messages: repos.messages,
      stream: new DynamoStreamChangeReader(new DynamoDBStreamsClient({ region })),
      deadLetters: new SqsDeadLetters(new SQSClient({ region }), env.PLAN_DEAD_LETTER_QUEUE_URL),
    },
    ports.replace,
  );
  return {
    deps: {
      ...adapters,
      clinics: new ClinicCache(adapters.clinics, common.clock, env.CLINIC_CACHE_SECONDS),
      appointmentsStreamArn: env.APPOINTMENTS_STREAM_ARN,
      clock: common.clock,
      logger: common.logger,
      telemetry: common.telemetry,
    },
    ...(common.observability ? { observability: common.observability } : {}),
  };
}
