/**
 * The plan-messages composition root: reads the environment once and builds
 * the planner's repositories, clinic cache and dead-letter queue. The Lambda
 * handler, local mode, the benchmark and the tests all compose it here.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { PlanMessagesEnv, parseEnv, tableNamesFrom } from '../../shared/config/env';
import type { PlanStreamDeps } from '../../shared/lambda/appointment-stream';
import {
  type CommonPorts,
  type Composed,
  commonParts,
  type Environment,
  withReplacements,
} from '../../shared/lambda/compose';
import type { DeadLetters } from '../../shared/ports/outbound';
import type { ClinicRepository, MessageRepository, PatientRepository } from '../../shared/ports/repositories';
import { ClinicCache } from '../../shared/use-cases/clinic-cache';

export interface PlanMessagesAdapters {
  clinics: ClinicRepository;
  patients: PatientRepository;
  messages: MessageRepository;
  deadLetters: DeadLetters;
}

export interface PlanMessagesPorts extends CommonPorts {
  /** Local mode's recorded dead letters, or a test's wrapper around the built adapters. */
  replace?: (built: PlanMessagesAdapters) => Partial<PlanMessagesAdapters>;
}

/**
 * The planner's dependencies from its environment.
 *
 * @param environment - as CDK sets it (`process.env` in Lambda)
 * @param ports - what the caller brings instead of the AWS defaults
 */
export function composePlanMessages(
  environment: Environment,
  ports: PlanMessagesPorts = {},
): Composed<PlanStreamDeps> {
  const env = parseEnv(PlanMessagesEnv, environment);
  const common = commonParts('plan-messages', env.AWS_REGION, ports);
  const repos = makeRepositories(common.dynamo, tableNamesFrom(env), env.MESSAGE_RETENTION_DAYS);
  const adapters = withReplacements(
    {
      clinics: repos.clinics,
      patients: repos.patients,
      messages: repos.messages,
      deadLetters: new SqsDeadLetters(
        new SQSClient({ region: env.AWS_REGION }),
        env.PLAN_DEAD_LETTER_QUEUE_URL,
      ),
    },
    ports.replace,
  );
  return {
    deps: {
      ...adapters,
      clinics: new ClinicCache(adapters.clinics, common.clock, env.CLINIC_CACHE_SECONDS),
      clock: common.clock,
      logger: common.logger,
      telemetry: common.telemetry,
    },
    ...(common.observability ? { observability: common.observability } : {}),
  };
}
