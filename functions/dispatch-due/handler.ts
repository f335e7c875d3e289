import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { SqsSendQueue } from '../../shared/adapters/aws/sqs-send-queue';
import { systemClock } from '../../shared/adapters/clock';
import { makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { DispatchDueEnv, parseEnv, tableNamesFrom } from '../../shared/config/env';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { makeObservability } from '../../shared/lambda/observability';
import {
  type DispatchDeps,
  type DispatchSummary,
  dispatchDue,
  SWEEP_LOOKAHEAD_SECONDS,
} from '../../shared/use-cases/dispatch-due';

/** Every minute: claim what is due in the next minute and queue it with its delay. */
export function makeHandler(deps: DispatchDeps, observability?: Observability) {
  return withMiddleware<ScheduledEvent, DispatchSummary>(() => dispatchDue(deps), observability);
}

export const handler = lazyHandler(() => {
  const env = parseEnv(DispatchDueEnv, process.env);
  const observability = makeObservability('dispatch-due');
  const repos = makeRepositories(
    makeDynamoClients({ region: env.AWS_REGION }).doc,
    tableNamesFrom(env),
    env.MESSAGE_RETENTION_DAYS,
  );
  return makeHandler(
    {
      messages: repos.messages,
      queue: new SqsSendQueue(new SQSClient({ region: env.AWS_REGION }), env.SEND_QUEUE_URL),
      clock: systemClock,
      logger: observability.appLogger,
      telemetry: observability.telemetry,
      config: {
        budgetPerMinute: {
          sms: Math.floor(env.SMS_PER_SECOND * 60),
          email: Math.floor(env.EMAIL_PER_SECOND * 60),
        },
        lookaheadSeconds: SWEEP_LOOKAHEAD_SECONDS,
        leaseMinutes: env.LEASE_MINUTES,
      },
      newToken: randomUUID,
    },
    observability,
  );
});
