/**
 * One set of AWS client mocks for every run in the process, so seeds can
 * run at once on the shared DynamoDB Local: aws-sdk-client-mock patches the
 * client classes, not instances, so each call is routed to the run it
 * belongs to through the async context the run started in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { RigMocks } from '../support/pipeline-rig';

/** What a run answers for the AWS calls its handlers make. */
export interface AwsAnswers {
  publish(input: PublishCommandInput): Promise<{ MessageId: string }>;
  sendEmail(input: SendEmailCommandInput): Promise<{ MessageId: string }>;
  sendMessageBatch(input: SendMessageBatchCommandInput): unknown;
}

const scope = new AsyncLocalStorage<AwsAnswers>();
let mocks: RigMocks | undefined;

function current(): AwsAnswers {
  const answers = scope.getStore();
  if (!answers) throw new Error('an AWS call outside any simulated run');
  return answers;
}

/** The shared mocks (programmed once). */
export function awsMocks(): RigMocks {
  if (mocks) return mocks;
  const built: RigMocks = {
    sns: mockClient(SNSClient),
    eum: mockClient(PinpointSMSVoiceV2Client),
    ses: mockClient(SESv2Client),
    sqs: mockClient(SQSClient),
    events: mockClient(EventBridgeClient),
  };
  built.sns.on(PublishCommand).callsFake((input: PublishCommandInput) => current().publish(input));
  built.ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => current().sendEmail(input));
  built.sqs
    .on(SendMessageBatchCommand)
    .callsFake((input: SendMessageBatchCommandInput) => current().sendMessageBatch(input));
  // Dead letters: kept by SQS; nothing in a run reads them back.
  built.sqs.on(SendMessageCommand).resolves({ MessageId: 'dead-letter' });
  // The simulated clinics have no number of their own: nothing texts through End User Messaging.
  built.eum.on(SendTextMessageCommand).rejects(new Error('the simulator has no End User Messaging numbers'));
  built.events.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
    FailedEntryCount: 0,
    Entries: (input.Entries ?? []).map((_, i) => ({ EventId: `event-${i}` })),
  }));
  mocks = built;
  return built;
}

/** Runs `work` with every AWS call it makes answered by `answers`. */
export function withAwsAnswers<T>(answers: AwsAnswers, work: () => Promise<T>): Promise<T> {
  return scope.run(answers, work);
}

/**
 * Forgets the calls the mocks recorded. Nothing in a run reads them (each
 * run logs its own provider calls), and over thousands of seeds the kept
 * inputs and answers grew each worker's heap past a gigabyte and slowed
 * every seed after the first hundreds; called after each run.
 */
export function forgetAwsCalls(): void {
  if (!mocks) return;
  for (const stub of Object.values(mocks)) stub.resetHistory();
}

/** Restores the real clients (end of a test file or of the CLI). */
export function restoreAwsMocks(): void {
  if (!mocks) return;
  for (const stub of Object.values(mocks)) stub.restore();
  mocks = undefined;
}
