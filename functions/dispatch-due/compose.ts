/**
 * The dispatch-due composition root: reads the environment once and builds
 * the sweep's repository, queue and settings, and the broadcasts' fan-out
 * that runs after each sweep (in this function rather than one of its own:
 * it needs the same minute's schedule, the messages table and the clinic
 * cache, and a function of its own would add a schedule, a role, a
 * dead-letter queue and alarms for the same minute's work). The Lambda handler, local
 * mode, the benchmark and the tests all compose the sweep here.
 */
import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgePublisher } from '../../shared/adapters/aws/eventbridge-publisher';
import { SqsSendQueue } from '../../shared/adapters/aws/sqs-send-queue';
import { DynamoCaseRepository } from '../../shared/adapters/dynamodb/case-repository';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { DynamoThrottleLog } from '../../shared/adapters/dynamodb/throttle-log';
import { DispatchDueEnv, pacingFrom, parseEnv, tableNamesFrom } from '../../shared/config/env';
import { dispatchSettings } from '../../shared/config/settings';
import {
  type CommonPorts,
  type Composed,
  commonParts,
  type Environment,
  withReplacements,
} from '../../shared/lambda/compose';
import type { CaseRepository } from '../../shared/ports/cases';
import type { EventPublisher, SendQueue } from '../../shared/ports/outbound';
import type { MessageRepository, ThrottleLog } from '../../shared/ports/repositories';
import { ClinicCache } from '../../shared/use-cases/clinic-cache';
import type { DispatchDeps } from '../../shared/use-cases/dispatch-due';
import { DEFAULT_FAN_OUT_CONFIG, type FanOutDeps } from '../../shared/use-cases/fan-out-broadcasts';
import type { CarePlanDeps } from '../../shared/use-cases/plan-care-reminders';
import type { OverdueCaseDeps } from '../../shared/use-cases/report-overdue-cases';

/** The sweep's dependencies, and the broadcasts' fan-out that runs after it (issue 14). */
export interface DispatchDueDeps extends DispatchDeps {
  fanOut: FanOutDeps;
  /** The overdue report of feedback cases, which the same run makes after the fan-out. */
  overdueCases: OverdueCaseDeps;
  /** The planning of care reminders (after a change, and to roll a repeat forward), in the same run. */
  carePlanning: CarePlanDeps;
}

export interface DispatchDueAdapters {
  messages: MessageRepository;
  queue: SendQueue;
  throttles: ThrottleLog;
  /** Feedback cases, whose overdue ones the same per-minute run reports. */
  cases: CaseRepository;
  events: EventPublisher;
}

export interface DispatchDuePorts extends CommonPorts {
  /** Local mode's in-process queue, or a test's wrapper around the built adapters. */
  replace?: (built: DispatchDueAdapters) => Partial<DispatchDueAdapters>;
  newToken?: () => string;
}

/**
 * The sweep's dependencies from its environment.
 *
 * @param environment - as CDK sets it (`process.env` in Lambda)
 * @param ports - what the caller brings instead of the AWS defaults
 */
export function composeDispatchDue(
  environment: Environment,
  ports: DispatchDuePorts = {},
): Composed<DispatchDueDeps> {
  const env = parseEnv(DispatchDueEnv, environment);
  const common = commonParts('dispatch-due', env.AWS_REGION, ports);
  const repos = makeRepositories(common.dynamo, tableNamesFrom(env), env.MESSAGE_RETENTION_DAYS);
  const adapters = withReplacements(
    {
      messages: repos.messages,
      queue: new SqsSendQueue(new SQSClient({ region: env.AWS_REGION }), env.SEND_QUEUE_URL),
      throttles: new DynamoThrottleLog(common.dynamo, env.MESSAGES_TABLE),
      cases: new DynamoCaseRepository(common.dynamo, env.INBOUND_TABLE),
      events: new EventBridgePublisher(new EventBridgeClient({ region: env.AWS_REGION }), env.EVENT_BUS_NAME),
    },
    ports.replace,
  );
  const { cases, events, ...sweep } = adapters;
  const clinics = new ClinicCache(repos.clinics, common.clock, env.CLINIC_CACHE_SECONDS);
  return {
    deps: {
      ...sweep,
      clinics,
      overdueCases: {
        cases,
        events,
        clock: common.clock,
        logger: common.logger,
        telemetry: common.telemetry,
      },
      carePlanning: {
        careReminders: repos.careReminders,
        clinics,
        patients: repos.patients,
        messages: adapters.messages,
        clock: common.clock,
        logger: common.logger,
        telemetry: common.telemetry,
      },
      fanOut: {
        clinics,
        patients: repos.patients,
        appointments: repos.appointments,
        broadcasts: repos.broadcasts,
        messages: adapters.messages,
        clock: common.clock,
        logger: common.logger,
        telemetry: common.telemetry,
        config: DEFAULT_FAN_OUT_CONFIG,
      },
      clock: common.clock,
      logger: common.logger,
      telemetry: common.telemetry,
      config: dispatchSettings(pacingFrom(env)),
      newToken: ports.newToken ?? randomUUID,
    },
    ...(common.observability ? { observability: common.observability } : {}),
  };
}
