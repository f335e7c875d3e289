import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { EventBridgePublisher } from '../../shared/adapters/aws/eventbridge-publisher';
import { SesEmailSender } from '../../shared/adapters/aws/ses-email-sender';
import { SnsSmsSender } from '../../shared/adapters/aws/sns-sms-sender';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { systemClock } from '../../shared/adapters/clock';
import { makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import {
  parseEnv,
  SEND_ATTEMPT_WINDOW_SECONDS,
  SendMessageEnv,
  tableNamesFrom,
} from '../../shared/config/env';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { makeObservability } from '../../shared/lambda/observability';
import { type SendQueueDeps, sendQueueBatch } from '../../shared/lambda/send-queue';
import { ClinicCache } from '../../shared/use-cases/clinic-cache';

/** Queued sends → SMS (SNS) or email (SES), at most once each. */
export function makeHandler(deps: SendQueueDeps, observability?: Observability) {
  return withMiddleware<SQSEvent, SQSBatchResponse>((event) => sendQueueBatch(deps, event), observability);
}

export const handler = lazyHandler(() => {
  const env = parseEnv(SendMessageEnv, process.env);
  const observability = makeObservability('send-message');
  const region = env.AWS_REGION;
  const repos = makeRepositories(
    makeDynamoClients({ region }).doc,
    tableNamesFrom(env),
    env.MESSAGE_RETENTION_DAYS,
  );
  // Provider clients never retry by themselves: a timed-out call may have
  // been delivered, and only the pipeline knows whether a retry is safe.
  const sms = new SnsSmsSender(new SNSClient({ region, maxAttempts: 1 }), {
    ...(env.SMS_ORIGINATION_NUMBER ? { originationNumber: env.SMS_ORIGINATION_NUMBER } : {}),
    ...(env.SMS_SENDER_ID ? { senderId: env.SMS_SENDER_ID } : {}),
    ...(env.SMS_MAX_PRICE_USD ? { maxPriceUsd: env.SMS_MAX_PRICE_USD } : {}),
  });
  const email = new SesEmailSender(new SESv2Client({ region, maxAttempts: 1 }), {
    fromAddress: env.SES_FROM_ADDRESS,
    configurationSet: env.SES_CONFIGURATION_SET,
  });
  return makeHandler(
    {
      messages: repos.messages,
      appointments: repos.appointments,
      patients: repos.patients,
      clinics: new ClinicCache(repos.clinics, systemClock),
      sms,
      email,
      events: new EventBridgePublisher(new EventBridgeClient({ region }), env.EVENT_BUS_NAME),
      deadLetters: new SqsDeadLetters(new SQSClient({ region }), env.SEND_DEAD_LETTER_QUEUE_URL),
      clock: systemClock,
      logger: observability.appLogger,
      telemetry: observability.telemetry,
      config: {
        maxAttempts: env.MAX_SEND_ATTEMPTS,
        attemptWindowSeconds: SEND_ATTEMPT_WINDOW_SECONDS,
        backoffBaseSeconds: env.BACKOFF_BASE_SECONDS,
        backoffMaxSeconds: env.BACKOFF_MAX_SECONDS,
      },
      random: Math.random,
      newId: randomUUID,
    },
    observability,
  );
});
