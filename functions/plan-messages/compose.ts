/**
 * The plan-messages composition root: reads the environment once and builds
 * the planner's repositories, clinic cache, dead-letter queue, and the
 * send queue and budget for what is due at once. The Lambda
 * handler, local mode, the benchmark and the tests all compose it here.
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { SqsSendQueue } from '../../shared/adapters/aws/sqs-send-queue';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { DynamoSendNowBudget } from '../../shared/adapters/dynamodb/send-now-budget';
import { PlanMessagesEnv, pacingFrom, parseEnv, tableNamesFrom } from '../../shared/config/env';
import { sendNowSettings } from '../../shared/config/settings';
import type { PlanStreamDeps } from '../../shared/lambda/appointment-stream';
import {
  type CommonPorts,
  type Composed,
  commonParts,
  type Environment,
  withReplacements,
} from '../../shared/lambda/compose';
import type { DailyCounters } from '../../shared/ports/counters';
import type { DeadLetters, SendQueue } from '../../shared/ports/outbound';
import type {
  ClinicRepository,
  MessageRepository,
  PatientRepository,
  SendNowBudget,
} from '../../shared/ports/repositories';
import { ClinicCache } from '../../shared/use-cases/clinic-cache';

export interface PlanMessagesAdapters {
  clinics: ClinicRepository;
  patients: PatientRepository;
  messages: MessageRepository;
  deadLetters: DeadLetters;
  /** Where what is due at once goes (the sweep's send queue). */
  queue: SendQueue;
  sendNowBudget: SendNowBudget;
  /** Daily counters: confirmations and visit outcomes, from the stream. */
  counters: DailyCounters;
}

export interface PlanMessagesPorts extends CommonPorts {
  /** Local mode's recorded dead letters, or a test's wrapper around the built adapters. */
  replace?: (built: PlanMessagesAdapters) => Partial<PlanMessagesAdapters>;
  newToken?: () => string;
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
  const sqs = new SQSClient({ region: env.AWS_REGION });
  const { queue, sendNowBudget, ...adapters } = withReplacements(
    {
      clinics: repos.clinics,
      patients: repos.patients,
      messages: repos.messages,
      deadLetters: new SqsDeadLetters(sqs, env.PLAN_DEAD_LETTER_QUEUE_URL),
      queue: new SqsSendQueue(sqs, env.SEND_QUEUE_URL),
      sendNowBudget: new DynamoSendNowBudget(common.dynamo, env.MESSAGES_TABLE),
      counters: repos.counters,
    },
    ports.replace,
  );
  return {
    deps: {
      ...adapters,
      clinics: new ClinicCache(adapters.clinics, common.clock, env.CLINIC_CACHE_SECONDS),
      sendNow: {
        queue,
        budget: sendNowBudget,
        config: sendNowSettings(pacingFrom(env)),
        newToken: ports.newToken ?? randomUUID,
      },
      clock: common.clock,
      logger: common.logger,
      telemetry: common.telemetry,
    },
    ...(common.observability ? { observability: common.observability } : {}),
  };
}
