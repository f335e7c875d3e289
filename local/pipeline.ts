/**
 * The message pipeline outside Lambda. Local mode, the benchmark and the
 * pipeline test rig do not compose the system themselves: they give each
 * function's own composition root (functions/<name>/compose.ts) the
 * environment CDK would give it, plus their own ports (DynamoDB Local, a
 * simulated clock, the local outbox or mocked AWS clients), and run the
 * shipped `makeHandler` of each on a simulated clock.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBStreamEvent, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { composeDispatchDue, type DispatchDuePorts } from '../functions/dispatch-due/compose';
import { makeHandler as makeDispatchHandler } from '../functions/dispatch-due/handler';
import { composeHandleInbound, type HandleInboundPorts } from '../functions/handle-inbound/compose';
import { makeHandler as makeInboundHandler } from '../functions/handle-inbound/handler';
import { composePlanMessages, type PlanMessagesPorts } from '../functions/plan-messages/compose';
import { makeHandler as makePlanHandler } from '../functions/plan-messages/handler';
import { composeSendMessage, type SendMessagePorts } from '../functions/send-message/compose';
import { makeHandler as makeSendHandler } from '../functions/send-message/handler';
import type { SimulatedClock } from '../shared/adapters/clock';
import type { InProcessQueue } from '../shared/adapters/local/in-process-queue';
import type { DriverParts } from '../shared/adapters/local/pipeline-driver';
import type { StreamPoller } from '../shared/adapters/local/stream-poller';
import { formatInboundNumbers, formatSmsLanes, SWEEP_LOOKAHEAD_SECONDS } from '../shared/config/settings';
import type { AppLogger, SurveyLinkSecret, Telemetry } from '../shared/ports/outbound';
import type { DueSource, MessageRepository } from '../shared/ports/repositories';
import type { TableNames } from '../shared/tables';
import { dueSources } from '../shared/use-cases/dispatch-due';

/** The settings a pipeline outside Lambda may choose (the deployment config's, as numbers). */
export interface PipelineSettings {
  smsPerSecond: number;
  emailPerSecond: number;
  /** Parts a second of each clinic's own number, by clinic id (the sweep's SMS_LANES). */
  ownNumbers?: ReadonlyMap<string, number>;
  /** 0 in local mode: a clinic edit applies at once. */
  clinicCacheSeconds?: number;
  maxSendAttempts?: number;
  backoffBaseSeconds?: number;
  backoffMaxSeconds?: number;
  leaseMinutes?: number;
  /** Two-way numbers and their clinics (handle-inbound's INBOUND_NUMBERS). */
  inboundNumbers?: ReadonlyMap<string, string>;
  /** Where survey emails link to (send-message's SURVEY_LINK_BASE_URL): local mode's own address. */
  surveyLinkBaseUrl?: string;
}

/** The queues, bus and sender identities the functions name (placeholders where the caller replaces them). */
export interface PipelineResources {
  region: string;
  sendQueueUrl: string;
  planDeadLetterQueueUrl: string;
  sendDeadLetterQueueUrl: string;
  /** Where handle-inbound sets texts aside (default: local mode's placeholder). */
  inboundDeadLetterQueueUrl?: string;
  eventBusName: string;
  sesFromAddress: string;
  sesConfigurationSet: string;
  /** The End User Messaging configuration set texts from a clinic's own number name. */
  smsConfigurationSet: string;
  receiptsDeadLetterQueueUrl: string;
  smsOriginationNumber?: string;
  smsMaxPriceUsd?: string;
}

/**
 * Local mode's resources: it replaces the queue, the bus, the dead-letter
 * queues and both senders with in-process stand-ins, so these names are
 * never called; they only satisfy the functions' environment schemas.
 */
export const LOCAL_RESOURCES: PipelineResources = {
  region: 'us-east-1',
  sendQueueUrl: 'http://127.0.0.1/local/send-queue',
  planDeadLetterQueueUrl: 'http://127.0.0.1/local/plan-dead-letters',
  sendDeadLetterQueueUrl: 'http://127.0.0.1/local/send-dead-letters',
  inboundDeadLetterQueueUrl: 'http://127.0.0.1/local/inbound-dead-letters',
  eventBusName: 'local-bus',
  sesFromAddress: 'Local Clinic <reminders@clinic.example>',
  sesConfigurationSet: 'local',
  smsConfigurationSet: 'local',
  receiptsDeadLetterQueueUrl: 'http://127.0.0.1/local/receipts-dead-letters',
};

/**
 * The environment CDK gives the pipeline's functions (one record holds every
 * function's variables; each schema reads its own), for the given tables.
 *
 * @param names - the tables (in DynamoDB Local)
 * @param settings - send rates and any setting that differs from the defaults
 * @param resources - queue URLs, bus and sender identities
 */
export function pipelineEnvironment(
  names: TableNames,
  settings: PipelineSettings,
  resources: PipelineResources = LOCAL_RESOURCES,
): Record<string, string> {
  const optional: Record<string, string | number | undefined> = {
    CLINIC_CACHE_SECONDS: settings.clinicCacheSeconds,
    MAX_SEND_ATTEMPTS: settings.maxSendAttempts,
    BACKOFF_BASE_SECONDS: settings.backoffBaseSeconds,
    BACKOFF_MAX_SECONDS: settings.backoffMaxSeconds,
    LEASE_MINUTES: settings.leaseMinutes,
    SURVEY_LINK_BASE_URL: settings.surveyLinkBaseUrl,
    SMS_ORIGINATION_NUMBER: resources.smsOriginationNumber,
    SMS_LANES: settings.ownNumbers
      ? formatSmsLanes(
          [...settings.ownNumbers].map(([clinicId, partsPerSecond]) => ({ clinicId, partsPerSecond })),
        )
      : undefined,
    SMS_MAX_PRICE_USD: resources.smsMaxPriceUsd,
    INBOUND_NUMBERS: settings.inboundNumbers
      ? formatInboundNumbers([...settings.inboundNumbers].map(([number, clinicId]) => ({ number, clinicId })))
      : undefined,
  };
  return {
    AWS_REGION: resources.region,
    CLINICS_TABLE: names.clinics,
    PATIENTS_TABLE: names.patients,
    APPOINTMENTS_TABLE: names.appointments,
    MESSAGES_TABLE: names.messages,
    INBOUND_TABLE: names.inbound,
    INBOUND_DEAD_LETTER_QUEUE_URL:
      resources.inboundDeadLetterQueueUrl ?? (LOCAL_RESOURCES.inboundDeadLetterQueueUrl as string),
    SEND_QUEUE_URL: resources.sendQueueUrl,
    PLAN_DEAD_LETTER_QUEUE_URL: resources.planDeadLetterQueueUrl,
    SEND_DEAD_LETTER_QUEUE_URL: resources.sendDeadLetterQueueUrl,
    EVENT_BUS_NAME: resources.eventBusName,
    SES_FROM_ADDRESS: resources.sesFromAddress,
    SES_CONFIGURATION_SET: resources.sesConfigurationSet,
    SMS_CONFIGURATION_SET: resources.smsConfigurationSet,
    RECEIPTS_DEAD_LETTER_QUEUE_URL: resources.receiptsDeadLetterQueueUrl,
    SMS_PER_SECOND: String(settings.smsPerSecond),
    EMAIL_PER_SECOND: String(settings.emailPerSecond),
    ...Object.fromEntries(
      Object.entries(optional)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, String(value)]),
    ),
  };
}

export interface PipelinePorts {
  dynamo: DynamoDBDocumentClient;
  clock: SimulatedClock;
  logger: AppLogger;
  telemetry: Telemetry;
  random?: () => number;
  /** The survey links' secret (local mode's generated one), for send-message. */
  surveyLinkSecret?: SurveyLinkSecret;
  /** Per function: stand-ins for, or wrappers around, the adapters its composition root builds. */
  replace?: {
    plan?: PlanMessagesPorts['replace'];
    dispatch?: DispatchDuePorts['replace'];
    send?: SendMessagePorts['replace'];
    inbound?: HandleInboundPorts['replace'];
  };
}

export interface LocalPipeline {
  plan: ReturnType<typeof makePlanHandler>;
  dispatch: ReturnType<typeof makeDispatchHandler>;
  send: ReturnType<typeof makeSendHandler>;
  /** handle-inbound: patients' texts, in the SQS/SNS shape AWS delivers them. */
  inbound: ReturnType<typeof makeInboundHandler>;
  /** The outbox as the sweep sees it (the driver looks for the next due item there). */
  messages: MessageRepository;
  /** Where the sweep looks: email, the shared number, each clinic's own number. */
  dueSources: DueSource[];
  /**
   * The soonest of the other work the same per-minute run does: a
   * broadcast's fan-out, a care reminder's planning, a case's overdue report.
   */
  otherWorkDueAt: () => Promise<string | undefined>;
}

/**
 * The three pipeline handlers and handle-inbound, each composed by its own composition root.
 *
 * @param environment - the functions' environment (see {@link pipelineEnvironment})
 * @param ports - DynamoDB client, clock, observability and replacements
 */
export function composePipeline(environment: Record<string, string>, ports: PipelinePorts): LocalPipeline {
  const common = {
    dynamo: ports.dynamo,
    clock: ports.clock,
    logger: ports.logger,
    telemetry: ports.telemetry,
  };
  const dispatch = composeDispatchDue(environment, { ...common, replace: ports.replace?.dispatch });
  // What is due at once goes to the same queue the sweep fills.
  const plan = composePlanMessages(environment, {
    ...common,
    replace: (built) => ({ queue: dispatch.deps.queue, ...ports.replace?.plan?.(built) }),
  });
  const send = composeSendMessage(environment, {
    ...common,
    replace: ports.replace?.send,
    ...(ports.random ? { random: ports.random } : {}),
    ...(ports.surveyLinkSecret ? { surveyLinkSecret: ports.surveyLinkSecret } : {}),
  });
  // Answers to texts go to the same queue too, at once.
  const inbound = composeHandleInbound(environment, {
    ...common,
    replace: (built) => ({ queue: dispatch.deps.queue, ...ports.replace?.inbound?.(built) }),
  });
  return {
    plan: makePlanHandler(plan.deps),
    dispatch: makeDispatchHandler(dispatch.deps),
    send: makeSendHandler(send.deps),
    inbound: makeInboundHandler(inbound.deps),
    messages: dispatch.deps.messages,
    dueSources: dueSources(dispatch.deps.config),
    otherWorkDueAt: async () =>
      earliestOf(
        await Promise.all([
          dispatch.deps.fanOut.broadcasts.earliestFanOutAt(),
          dispatch.deps.carePlanning.careReminders.earliestPlanAt(),
          dispatch.deps.overdueCases.cases.earliestDueAt(),
        ]),
      ),
  };
}

const context = {} as Context;

/** The soonest of some UTC instants (the storage format sorts in time order), if any. */
function earliestOf(instants: readonly (string | undefined)[]): string | undefined {
  return instants
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(0);
}

/**
 * What the simulated-time driver needs to run a composed pipeline: the
 * stream feeds plan-messages, a sweep is one dispatch-due run, the queue
 * feeds send-message. Callers may wrap any of these (to meter, to race).
 *
 * @param pipeline - the composed handlers
 * @param parts - clock, stream poller and in-process queue
 */
export function driverParts(
  pipeline: LocalPipeline,
  parts: { clock: SimulatedClock; poller: StreamPoller; queue: InProcessQueue },
): DriverParts {
  return {
    clock: parts.clock,
    // Messages, and the fan-outs, care planning and case reports the same sweep does.
    earliestDueAt: async () =>
      earliestOf(
        await Promise.all([pipeline.messages.earliestDueAt(pipeline.dueSources), pipeline.otherWorkDueAt()]),
      ),
    lookaheadSeconds: SWEEP_LOOKAHEAD_SECONDS,
    drainStream: () => parts.poller.drain((event: DynamoDBStreamEvent) => pipeline.plan(event, context)),
    sweep: () => pipeline.dispatch({} as ScheduledEvent, context),
    deliver: () => parts.queue.deliver((event: SQSEvent) => pipeline.send(event, context)),
    nextVisibleAt: () => parts.queue.nextVisibleAt(),
  };
}
