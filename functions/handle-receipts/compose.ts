/**
 * The handle-receipts composition root: reads the environment once and
 * builds the repositories of messages, patients and clinics, the daily
 * counters, the event bus and the receipts dead-letter queue. The Lambda handler, local mode and the tests
 * compose the receipts function here.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgePublisher } from '../../shared/adapters/aws/eventbridge-publisher';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { HandleReceiptsEnv, parseEnv, tableNamesFrom } from '../../shared/config/env';
import {
  type CommonPorts,
  type Composed,
  commonParts,
  type Environment,
  withReplacements,
} from '../../shared/lambda/compose';
import type { ReceiptQueueDeps } from '../../shared/lambda/receipt-queue';
import type { DailyCounters } from '../../shared/ports/counters';
import type { DeadLetters, EventPublisher } from '../../shared/ports/outbound';
import type { ClinicRepository, MessageRepository, PatientRepository } from '../../shared/ports/repositories';
import { ClinicCache } from '../../shared/use-cases/clinic-cache';

export interface HandleReceiptsAdapters {
  messages: MessageRepository;
  patients: PatientRepository;
  /** The clinic's zone: an email complaint's opt-out counts on the clinic's local day. */
  clinics: ClinicRepository;
  counters: DailyCounters;
  events: EventPublisher;
  deadLetters: DeadLetters;
}

export interface HandleReceiptsPorts extends CommonPorts {
  /** Local mode's bus and dead letters, or a test's wrappers around the built adapters. */
  replace?: (built: HandleReceiptsAdapters) => Partial<HandleReceiptsAdapters>;
}

/**
 * The receipts function's dependencies from its environment.
 *
 * @param environment - as CDK sets it (`process.env` in Lambda)
 * @param ports - what the caller brings instead of the AWS defaults
 */
export function composeHandleReceipts(
  environment: Environment,
  ports: HandleReceiptsPorts = {},
): Composed<ReceiptQueueDeps> {
  const env = parseEnv(HandleReceiptsEnv, environment);
  const region = env.AWS_REGION;
  const common = commonParts('handle-receipts', region, ports);
  const repos = makeRepositories(common.dynamo, tableNamesFrom(env), env.MESSAGE_RETENTION_DAYS);
  const adapters = withReplacements<HandleReceiptsAdapters>(
    {
      messages: repos.messages,
      patients: repos.patients,
      clinics: repos.clinics,
      counters: repos.counters,
      events: new EventBridgePublisher(new EventBridgeClient({ region }), env.EVENT_BUS_NAME),
      deadLetters: new SqsDeadLetters(new SQSClient({ region }), env.RECEIPTS_DEAD_LETTER_QUEUE_URL),
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
