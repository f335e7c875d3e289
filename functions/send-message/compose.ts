/**
 * The send-message composition root: reads the environment once and builds
 * the sender's repositories, providers (End User Messaging, SNS, SES), event bus, dead-letter
 * queue and retry settings. The Lambda handler, local mode, the benchmark
 * and the tests all compose the sender here.
 */
import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EndUserMessagingSmsSender, RoutingSmsSender } from '../../shared/adapters/aws/eum-sms-sender';
import { EventBridgePublisher } from '../../shared/adapters/aws/eventbridge-publisher';
import { SesEmailSender } from '../../shared/adapters/aws/ses-email-sender';
import { SnsSmsSender } from '../../shared/adapters/aws/sns-sms-sender';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters';
import { surveyLinkSecretOf } from '../../shared/adapters/aws/ssm-survey-link-secret';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { DynamoThrottleLog } from '../../shared/adapters/dynamodb/throttle-log';
import { parseEnv, SendMessageEnv, tableNamesFrom } from '../../shared/config/env';
import { sendSettings } from '../../shared/config/settings';
import {
  type CommonPorts,
  type Composed,
  commonParts,
  type Environment,
  withReplacements,
} from '../../shared/lambda/compose';
import type { SendQueueDeps } from '../../shared/lambda/send-queue';
import type { DailyCounters } from '../../shared/ports/counters';
import type {
  DeadLetters,
  EmailSender,
  EventPublisher,
  SmsSender,
  SurveyLinkSecret,
} from '../../shared/ports/outbound';
import type {
  AppointmentRepository,
  BroadcastRepository,
  CareReminderRepository,
  ClinicRepository,
  MessageRepository,
  PatientRepository,
  ThrottleLog,
} from '../../shared/ports/repositories';
import { ClinicCache } from '../../shared/use-cases/clinic-cache';

export interface SendMessageAdapters {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
  broadcasts: BroadcastRepository;
  careReminders: CareReminderRepository;
  sms: SmsSender;
  email: EmailSender;
  events: EventPublisher;
  deadLetters: DeadLetters;
  throttles: ThrottleLog;
  counters: DailyCounters;
}

export interface SendMessagePorts extends CommonPorts {
  /** Local mode's outbox and recorders, or a test's wrapper around the built adapters. */
  replace?: (built: SendMessageAdapters) => Partial<SendMessageAdapters>;
  /** 0 ≤ random() < 1, for backoff jitter. */
  random?: () => number;
  newId?: () => string;
  /** Local mode's or a test's survey link secret. Default: SSM Parameter Store (SURVEY_LINK_SECRET_PARAMETER). */
  surveyLinkSecret?: SurveyLinkSecret;
}

/**
 * The sender's dependencies from its environment.
 *
 * @param environment - as CDK sets it (`process.env` in Lambda)
 * @param ports - what the caller brings instead of the AWS defaults
 */
export function composeSendMessage(
  environment: Environment,
  ports: SendMessagePorts = {},
): Composed<SendQueueDeps> {
  const env = parseEnv(SendMessageEnv, environment);
  const region = env.AWS_REGION;
  const common = commonParts('send-message', region, ports);
  const repos = makeRepositories(common.dynamo, tableNamesFrom(env), env.MESSAGE_RETENTION_DAYS);
  const adapters = withReplacements<SendMessageAdapters>(
    {
      ...repos,
      // Provider clients never retry by themselves: a timed-out call may have
      // been delivered, and only the pipeline knows whether a retry is safe.
      // A clinic with a number of its own texts through End User Messaging,
      // whose configuration set brings each text's delivery receipt back;
      // the rest through SNS, which takes no configuration set (docs/deploy.md).
      sms: new RoutingSmsSender(
        new EndUserMessagingSmsSender(new PinpointSMSVoiceV2Client({ region, maxAttempts: 1 }), {
          configurationSetName: env.SMS_CONFIGURATION_SET,
          ...(env.SMS_MAX_PRICE_USD ? { maxPriceUsd: env.SMS_MAX_PRICE_USD } : {}),
        }),
        new SnsSmsSender(new SNSClient({ region, maxAttempts: 1 }), {
          ...(env.SMS_ORIGINATION_NUMBER ? { originationNumber: env.SMS_ORIGINATION_NUMBER } : {}),
          ...(env.SMS_SENDER_ID ? { senderId: env.SMS_SENDER_ID } : {}),
          ...(env.SMS_MAX_PRICE_USD ? { maxPriceUsd: env.SMS_MAX_PRICE_USD } : {}),
        }),
      ),
      email: new SesEmailSender(new SESv2Client({ region, maxAttempts: 1 }), {
        fromAddress: env.SES_FROM_ADDRESS,
        configurationSet: env.SES_CONFIGURATION_SET,
      }),
      events: new EventBridgePublisher(new EventBridgeClient({ region }), env.EVENT_BUS_NAME),
      deadLetters: new SqsDeadLetters(new SQSClient({ region }), env.SEND_DEAD_LETTER_QUEUE_URL),
      throttles: new DynamoThrottleLog(common.dynamo, env.MESSAGES_TABLE),
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
      config: sendSettings({
        maxSendAttempts: env.MAX_SEND_ATTEMPTS,
        backoffBaseSeconds: env.BACKOFF_BASE_SECONDS,
        backoffMaxSeconds: env.BACKOFF_MAX_SECONDS,
      }),
      random: ports.random ?? Math.random,
      newId: ports.newId ?? randomUUID,
      ...(env.SURVEY_LINK_BASE_URL
        ? {
            surveyLinks: {
              baseUrl: env.SURVEY_LINK_BASE_URL,
              secret: surveyLinkSecretOf(region, env.SURVEY_LINK_SECRET_PARAMETER, ports.surveyLinkSecret),
            },
          }
        : {}),
    },
    ...(common.observability ? { observability: common.observability } : {}),
  };
}
