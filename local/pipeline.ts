/**
 * The message pipeline outside Lambda: the three real handlers built on
 * whatever ports the caller brings (local outbox or mocked AWS adapters), and
 * the driver parts that run them on a simulated clock. Local mode, the
 * benchmark and the pipeline test rig all compose the pipeline here, so they
 * run the same wiring with the same settings as production.
 */
import { randomUUID } from 'node:crypto';
import type { Context, DynamoDBStreamEvent, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { makeHandler as makeDispatchHandler } from '../functions/dispatch-due/handler';
import { makeHandler as makePlanHandler } from '../functions/plan-messages/handler';
import { makeHandler as makeSendHandler } from '../functions/send-message/handler';
import type { SimulatedClock } from '../shared/adapters/clock';
import type { Repositories } from '../shared/adapters/dynamodb/repositories';
import type { InProcessQueue } from '../shared/adapters/local/in-process-queue';
import type { DriverParts } from '../shared/adapters/local/pipeline-driver';
import type { StreamPoller } from '../shared/adapters/local/stream-poller';
import { SEND_ATTEMPT_WINDOW_SECONDS, SENDING_DEFAULTS } from '../shared/config/env';
import type {
  AppLogger,
  DeadLetters,
  EmailSender,
  EventPublisher,
  SendQueue,
  SmsSender,
  Telemetry,
} from '../shared/ports/outbound';
import { ClinicCache } from '../shared/use-cases/clinic-cache';
import { SWEEP_LOOKAHEAD_SECONDS } from '../shared/use-cases/dispatch-due';
import type { SendConfig } from '../shared/use-cases/send-message';

/** What a deployment that sets nothing sends with (the functions' environment defaults). */
export const DEFAULT_SEND_CONFIG: SendConfig = {
  maxAttempts: SENDING_DEFAULTS.maxAttempts,
  attemptWindowSeconds: SEND_ATTEMPT_WINDOW_SECONDS,
  backoffBaseSeconds: SENDING_DEFAULTS.backoffBaseSeconds,
  backoffMaxSeconds: SENDING_DEFAULTS.backoffMaxSeconds,
};

export interface PipelinePorts {
  clock: SimulatedClock;
  /** Repositories; tests may hand in wrapped ones to inject faults. */
  repos: Repositories;
  /** Where dispatch-due enqueues (the in-process queue, or SQS over a mock). */
  queue: SendQueue;
  sms: SmsSender;
  email: EmailSender;
  events: EventPublisher;
  deadLetters: { plan: DeadLetters; send: DeadLetters };
  logger: AppLogger;
  telemetry: Telemetry;
  /** Messages a minute per channel (the account's rate × 60). */
  budgetPerMinute: { sms: number; email: number };
  sendConfig?: Partial<SendConfig>;
  /** How long clinic settings are cached (Lambda: 60 s; local mode: 0, edits apply at once). */
  clinicCacheSeconds?: number;
  random?: () => number;
}

export interface LocalPipeline {
  plan: ReturnType<typeof makePlanHandler>;
  dispatch: ReturnType<typeof makeDispatchHandler>;
  send: ReturnType<typeof makeSendHandler>;
}

const context = {} as Context;

/**
 * The three handlers, wired as their Lambda composition roots wire them.
 *
 * @param ports - repositories, queue, senders, bus, dead letters, observability, rates
 */
export function composePipeline(ports: PipelinePorts): LocalPipeline {
  const { clock, repos, logger, telemetry } = ports;
  const common = { clock, logger, telemetry };
  const clinics = new ClinicCache(repos.clinics, clock, ports.clinicCacheSeconds ?? 60);
  return {
    plan: makePlanHandler({
      ...common,
      clinics,
      patients: repos.patients,
      messages: repos.messages,
      deadLetters: ports.deadLetters.plan,
    }),
    dispatch: makeDispatchHandler({
      ...common,
      messages: repos.messages,
      queue: ports.queue,
      config: {
        budgetPerMinute: ports.budgetPerMinute,
        lookaheadSeconds: SWEEP_LOOKAHEAD_SECONDS,
        leaseMinutes: SENDING_DEFAULTS.leaseMinutes,
      },
      newToken: randomUUID,
    }),
    send: makeSendHandler({
      ...common,
      messages: repos.messages,
      appointments: repos.appointments,
      patients: repos.patients,
      clinics,
      sms: ports.sms,
      email: ports.email,
      events: ports.events,
      deadLetters: ports.deadLetters.send,
      config: { ...DEFAULT_SEND_CONFIG, ...ports.sendConfig },
      random: ports.random ?? Math.random,
      newId: randomUUID,
    }),
  };
}

/**
 * What the simulated-time driver needs to run a composed pipeline: the
 * stream feeds plan-messages, a sweep is one dispatch-due run, the queue
 * feeds send-message. Callers may wrap any of these (to meter, to race).
 *
 * @param pipeline - the composed handlers
 * @param parts - clock, outbox repository, stream poller and in-process queue
 */
export function driverParts(
  pipeline: LocalPipeline,
  parts: { clock: SimulatedClock; repos: Repositories; poller: StreamPoller; queue: InProcessQueue },
): DriverParts {
  return {
    clock: parts.clock,
    messages: parts.repos.messages,
    lookaheadSeconds: SWEEP_LOOKAHEAD_SECONDS,
    drainStream: () => parts.poller.drain((event: DynamoDBStreamEvent) => pipeline.plan(event, context)),
    sweep: () => pipeline.dispatch({} as ScheduledEvent, context),
    deliver: () => parts.queue.deliver((event: SQSEvent) => pipeline.send(event, context)),
    nextVisibleAt: () => parts.queue.nextVisibleAt(),
  };
}
