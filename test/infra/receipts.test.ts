import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RECEIPT_MAX_RECEIVES, RECEIPT_QUEUE_VISIBILITY } from '../../infra/constructs/settings';
import { SMS_DELIVERED_EVENTS, SMS_UNDELIVERABLE_EVENTS } from '../../shared/domain/receipts';
import { resourcesOf, SYNTH_TIMEOUT, type Synthesized, sharedSynthesis, smsVoicePublishes } from './support';

let synth: Synthesized;
let stateful: Template;
let stateless: Template;

beforeAll(() => {
  synth = sharedSynthesis('example');
  stateful = synth.statefulTemplate;
  stateless = synth.statelessTemplate;
}, SYNTH_TIMEOUT);

const logicalId = (element: unknown) => synth.stateful.getLogicalId(element as CfnElement);
const topicId = () => logicalId(synth.stateful.receiptsTopic.node.defaultChild);
const TOPIC_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':sns:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':clinic-reminders-riverside-receipts',
    ],
  ],
};

describe('delivery receipts: configuration sets and their destination', () => {
  it('creates the End User Messaging configuration set, publishing final SMS outcomes to the receipts topic', () => {
    const sets = Object.values(resourcesOf(stateful, 'AWS::SMSVOICE::ConfigurationSet'));
    expect(sets).toEqual([
      expect.objectContaining({
        Properties: {
          ConfigurationSetName: 'clinic-reminders-riverside',
          EventDestinations: [
            {
              EventDestinationName: 'receipts',
              Enabled: true,
              MatchingEventTypes: [...SMS_DELIVERED_EVENTS, ...SMS_UNDELIVERABLE_EVENTS],
              SnsDestination: { TopicArn: { Ref: topicId() } },
            },
          ],
          Tags: expect.any(Array),
        },
      }),
    ]);
  });

  it('lets End User Messaging publish to the receipts topic for this configuration set only', () => {
    stateful.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          smsVoicePublishes(
            'configuration-set/clinic-reminders-riverside',
            'EndUserMessagingPublishesReceipts',
          ),
        ]),
      },
    });
  });

  it('makes the SES configuration set publish Delivery, Bounce and Complaint to the same topic, and lets SES publish there', () => {
    stateful.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: logicalId(synth.stateful.configurationSet.node.defaultChild) },
      EventDestination: {
        Name: 'receipts',
        Enabled: true,
        MatchingEventTypes: ['delivery', 'bounce', 'complaint'],
        SnsDestination: { TopicARN: { Ref: topicId() } },
      },
    });
    stateful.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'ses.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });

  it('lets SES and SNS use the key for the receipts path only (configuration set, topic)', () => {
    const [key] = Object.values(resourcesOf(stateful, 'AWS::KMS::Key'));
    if (!key) throw new Error('no key');
    const statements = (key.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    const bySid = (sid: string) => statements.find((statement) => statement.Sid === sid);
    expect(bySid('SesPublishesReceiptsToEncryptedTopic')).toMatchObject({
      Principal: { Service: 'ses.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(JSON.stringify(bySid('SesPublishesReceiptsToEncryptedTopic'))).toContain(
      ':configuration-set/riverside-reminders',
    );
    expect(bySid('SnsDeliversReceiptsToEncryptedQueues')).toMatchObject({
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { ArnEquals: { 'aws:SourceArn': TOPIC_ARN } },
    });
  });

  it('delivers the topic raw to the receipts queue, with the receipts dead-letter queue behind both', () => {
    const queueId = logicalId(synth.stateful.receiptsQueue.node.defaultChild);
    const deadLetterId = logicalId(synth.stateful.receiptsDeadLetterQueue.node.defaultChild);
    stateful.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: topicId() },
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] } },
    });
    stateful.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: RECEIPT_QUEUE_VISIBILITY.toSeconds(),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] },
        maxReceiveCount: RECEIPT_MAX_RECEIVES,
      },
    });
    for (const [id, source] of [
      [queueId, TOPIC_ARN],
      [deadLetterId, { Ref: topicId() }],
    ] as const) {
      stateful.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: { ArnEquals: { 'aws:SourceArn': source } },
            }),
          ]),
        },
      });
    }
  });
});

describe('delivery receipts: the sender names the configuration set', () => {
  it('lets send-message call SendTextMessage from the configured clinic numbers through the configuration set only', () => {
    const policies = Object.values(resourcesOf(stateless, 'AWS::IAM::ManagedPolicy'));
    const statements = policies.flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const texting = statements.filter((statement) => JSON.stringify(statement.Action).includes('sms-voice:'));
    expect(texting).toHaveLength(1);
    const resources = JSON.stringify(texting[0]?.Resource);
    expect(texting[0]).toMatchObject({ Effect: 'Allow', Action: 'sms-voice:SendTextMessage' });
    expect(resources).toContain(':phone-number/phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9');
    expect(resources).toContain(':configuration-set/clinic-reminders-riverside');
    expect(resources).not.toContain('*');
  });

  it('gives send-message the configuration set’s name', () => {
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ SMS_CONFIGURATION_SET: 'clinic-reminders-riverside' }),
      },
    });
  });
});

describe('delivery receipts: handle-receipts', () => {
  it('reads the receipts queue in batches of 10 with partial failures, at most 2 at a time', () => {
    const mappings = Object.values(resourcesOf(stateless, 'AWS::Lambda::EventSourceMapping')).filter(
      (mapping) => JSON.stringify(mapping.Properties.EventSourceArn).includes('ReceiptsQueue'),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(JSON.stringify(mappings[0]?.Properties.FunctionName)).toContain('HandleReceipts');
  });

  it('alarms when a receipt lands in the receipts dead-letter queue', () => {
    const alarms = Object.values(resourcesOf(stateless, 'AWS::CloudWatch::Alarm')).filter((alarm) =>
      String(alarm.Properties.AlarmName).includes('ReceiptsDeadLetterQueue'),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
    });
  });
});
