/**
 * The handle-inbound composition root: reads the environment once and
 * builds the repositories (the inbound table beside the pipeline's), the
 * number → clinic map, the auto-reply use case with the send queue and its
 * immediate budget, the event bus and the dead-letter queue. The Lambda
 * handler, local mode, the benchmark and the tests all compose it here.
 */
import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgePublisher } from '../../shared/adapters/aws/eventbridge-publisher';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { SqsSendQueue } from '../../shared/adapters/aws/sqs-send-queue';
import { DynamoAutoReplyCap } from '../../shared/adapters/dynamodb/auto-reply-cap';
import { DynamoCaseRepository } from '../../shared/adapters/dynamodb/case-repository';
import { DynamoInboundRepository } from '../../shared/adapters/dynamodb/inbound-repository';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { DynamoSendNowBudget } from '../../shared/adapters/dynamodb/send-now-budget';
import { HandleInboundEnv, pacingFrom, parseEnv, tableNamesFrom } from '../../shared/config/env';
import { parseInboundNumbers, sendNowSettings } from '../../shared/config/settings';
import {
  type CommonPorts,
  type Composed,
  commonParts,
  type Environment,
  withReplacements,
} from '../../shared/lambda/compose';
import type { InboundQueueDeps } from '../../shared/lambda/inbound-queue';
import type { CaseRepository } from '../../shared/ports/cases';
import type { DailyCounters } from '../../shared/ports/counters';
import type { DeadLetters, EventPublisher, SendQueue } from '../../shared/ports/outbound';
import type {
  AppointmentRepository,
  AutoReplyCap,
  ClinicRepository,
  InboundRepository,
  MessageRepository,
  PatientRepository,
  SendNowBudget,
} from '../../shared/ports/repositories';
import { queueAutoReply } from '../../shared/use-cases/queue-auto-reply';

export interface HandleInboundAdapters {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
  inbound: InboundRepository;
  cases: CaseRepository;
  /** Daily counters: opt-outs by text, survey answers, cases opened. */
  counters: DailyCounters;
  events: EventPublisher;
  deadLetters: DeadLetters;
  /** Where the answers go at once (the sweep's send queue). */
  queue: SendQueue;
  sendNowBudget: SendNowBudget;
  /** The hourly auto-reply cap per number (inbound table). */
  replyCap: AutoReplyCap;
}

export interface HandleInboundPorts extends CommonPorts {
  /** Local mode's queue and recorders, or a test's wrapper around the built adapters. */
  replace?: (built: HandleInboundAdapters) => Partial<HandleInboundAdapters>;
  newToken?: () => string;
}

/**
 * The inbound handler's dependencies from its environment.
 *
 * @param environment - as CDK sets it (`process.env` in Lambda)
 * @param ports - what the caller brings instead of the AWS defaults
 */
export function composeHandleInbound(
  environment: Environment,
  ports: HandleInboundPorts = {},
): Composed<InboundQueueDeps> {
  const env = parseEnv(HandleInboundEnv, environment);
  const region = env.AWS_REGION;
  const common = commonParts('handle-inbound', region, ports);
  const repos = makeRepositories(common.dynamo, tableNamesFrom(env), env.MESSAGE_RETENTION_DAYS);
  const sqs = new SQSClient({ region });
  const { queue, sendNowBudget, replyCap, ...adapters } = withReplacements<HandleInboundAdapters>(
    {
      clinics: repos.clinics,
      patients: repos.patients,
      appointments: repos.appointments,
      messages: repos.messages,
      inbound: new DynamoInboundRepository(common.dynamo, env.INBOUND_TABLE, {
        retentionDays: env.MESSAGE_RETENTION_DAYS,
      }),
      cases: new DynamoCaseRepository(common.dynamo, env.INBOUND_TABLE),
      counters: repos.counters,
      events: new EventBridgePublisher(new EventBridgeClient({ region }), env.EVENT_BUS_NAME),
      deadLetters: new SqsDeadLetters(sqs, env.INBOUND_DEAD_LETTER_QUEUE_URL),
      queue: new SqsSendQueue(sqs, env.SEND_QUEUE_URL),
      sendNowBudget: new DynamoSendNowBudget(common.dynamo, env.MESSAGES_TABLE),
      replyCap: new DynamoAutoReplyCap(common.dynamo, env.INBOUND_TABLE),
    },
    ports.replace,
  );
  const sendNow = {
    messages: adapters.messages,
    queue,
    budget: sendNowBudget,
    config: sendNowSettings(pacingFrom(env)),
    newToken: ports.newToken ?? randomUUID,
    clock: common.clock,
    logger: common.logger,
    telemetry: common.telemetry,
  };
  return {
    deps: {
      ...adapters,
      clinicByNumber: parseInboundNumbers(env.INBOUND_NUMBERS) ?? new Map(),
      queueAutoReply: (request) => queueAutoReply({ ...sendNow, replyCap }, request),
      clock: common.clock,
      logger: common.logger,
      telemetry: common.telemetry,
    },
    ...(common.observability ? { observability: common.observability } : {}),
  };
}
