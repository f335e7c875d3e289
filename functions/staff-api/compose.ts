/**
 * The staff-api composition root: reads the environment once and builds
 * the API's repositories, the send queue and immediate-send budget of staff
 * replies, clock, logger and limits. The Lambda handler,
 * local mode's HTTP server and the tests all compose the API here.
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsSendQueue } from '../../shared/adapters/aws/sqs-send-queue';
import { surveyLinkSecretOf } from '../../shared/adapters/aws/ssm-survey-link-secret';
import { DynamoCaseRepository } from '../../shared/adapters/dynamodb/case-repository';
import { makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { guardClinicScope, guardSendNowCounters } from '../../shared/adapters/dynamodb/clinic-scope';
import { DynamoInboundRepository } from '../../shared/adapters/dynamodb/inbound-repository';
import { makeRepositories, type Repositories } from '../../shared/adapters/dynamodb/repositories';
import { DynamoSendNowBudget } from '../../shared/adapters/dynamodb/send-now-budget';
import { pacingFrom, parseEnv, tableNamesFrom } from '../../shared/config/env';
import { sendNowSettings } from '../../shared/config/settings';
import { StaffApiEnv, staffApiConfigFrom } from '../../shared/http/env';
import type { StaffApiDeps } from '../../shared/http/staff-api';
import {
  type CommonPorts,
  type Composed,
  commonParts,
  type Environment,
  withReplacements,
} from '../../shared/lambda/compose';
import type { CaseRepository } from '../../shared/ports/cases';
import type { SendQueue, SurveyLinkSecret } from '../../shared/ports/outbound';
import type { InboundRepository, SendNowBudget } from '../../shared/ports/repositories';
import type { TableNames } from '../../shared/tables';

/** The pipeline's repositories and the inbound store. */
export interface StaffApiRepositories extends Repositories {
  inbound: InboundRepository;
  cases: CaseRepository;
}

export interface StaffApiPorts extends CommonPorts {
  /** A test's wrapper around the built repositories. */
  replace?: (built: StaffApiRepositories) => Partial<StaffApiRepositories>;
  /** Where staff replies go at once (local mode's in-process queue). Default: the SQS send queue. */
  queue?: SendQueue;
  /** The immediate-send budget. Default: the `#send-now` counters, through a client that may touch nothing else. */
  sendNowBudget?: SendNowBudget;
  newId?: () => string;
  /** Local mode's or a test's survey link secret. Default: SSM Parameter Store (SURVEY_LINK_SECRET_PARAMETER). */
  surveyLinkSecret?: SurveyLinkSecret;
}

/**
 * The API's dependencies from its environment.
 *
 * @param environment - as CDK sets it (`process.env` in Lambda)
 * @param ports - what the caller brings instead of the AWS defaults
 */
export function composeStaffApi(environment: Environment, ports: StaffApiPorts = {}): Composed<StaffApiDeps> {
  const env = parseEnv(StaffApiEnv, environment);
  const names = tableNamesFrom(env);
  // The second isolation layer: every request this function makes must be
  // keyed by the clinic of the staff request that makes it. A caller that
  // brings its own client (local mode, tests) guards it itself.
  const dynamo = ports.dynamo ?? clinicScopedClient(env.AWS_REGION, { ...names, inbound: env.INBOUND_TABLE });
  // Staff replies count what createAndEnqueueDueNow counts; a caller with
  // its own logger and no telemetry (local mode) counts nothing.
  const common = commonParts('staff-api', env.AWS_REGION, {
    ...ports,
    dynamo,
    ...(ports.logger && !ports.telemetry ? { telemetry: { count() {}, seconds() {} } } : {}),
  });
  const repos = withReplacements(
    {
      ...makeRepositories(common.dynamo, names, env.MESSAGE_RETENTION_DAYS),
      inbound: new DynamoInboundRepository(common.dynamo, env.INBOUND_TABLE, {
        retentionDays: env.MESSAGE_RETENTION_DAYS,
      }),
      cases: new DynamoCaseRepository(common.dynamo, env.INBOUND_TABLE),
    },
    ports.replace,
  );
  const sendNow = {
    queue: ports.queue ?? new SqsSendQueue(new SQSClient({ region: env.AWS_REGION }), env.SEND_QUEUE_URL),
    budget:
      ports.sendNowBudget ??
      new DynamoSendNowBudget(
        ports.dynamo ?? sendNowCountersClient(env.AWS_REGION, env.MESSAGES_TABLE),
        env.MESSAGES_TABLE,
      ),
    config: sendNowSettings(pacingFrom(env)),
    newToken: randomUUID,
  };
  return {
    deps: {
      ...repos,
      sendNow,
      newId: ports.newId ?? randomUUID,
      surveyLinkSecret: surveyLinkSecretOf(
        env.AWS_REGION,
        env.SURVEY_LINK_SECRET_PARAMETER,
        ports.surveyLinkSecret,
      ),
      clock: common.clock,
      logger: common.logger,
      telemetry: common.telemetry,
      config: staffApiConfigFrom(env),
    },
    ...(common.observability ? { observability: common.observability } : {}),
  };
}

/** A document client whose every request must stay inside the clinic of the staff request in scope. */
function clinicScopedClient(region: string, names: TableNames) {
  const clients = makeDynamoClients({ region });
  guardClinicScope(clients.raw, names, { required: true });
  return clients.doc;
}

/**
 * The one client of the API that is not clinic-scoped: it may only take
 * the immediate-send counters (guardSendNowCounters), whose key names the
 * number's or the account's minute, never a clinic.
 */
function sendNowCountersClient(region: string, messagesTable: string) {
  const clients = makeDynamoClients({ region });
  guardSendNowCounters(clients.raw, messagesTable);
  return clients.doc;
}
