import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  INBOUND_MAX_RECEIVES,
  INBOUND_QUEUE_VISIBILITY,
  SEND_MAX_RECEIVES,
  SEND_QUEUE_VISIBILITY,
} from '../../infra/constructs/settings';
import { TABLES, type TableDefinition } from '../../shared/tables';
import {
  resourcesOf,
  SYNTH_TIMEOUT,
  type Synthesized,
  sharedSynthesis,
  smsVoicePublishes,
  synthesize,
} from './support';

let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = sharedSynthesis('example');
  template = synth.statefulTemplate;
}, SYNTH_TIMEOUT);

/** The key schema, attributes and indexes CloudFormation should get for a definition. */
function expectedTableShape(definition: TableDefinition) {
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
  ];
  const attributes = new Map<string, string>();
  for (const key of [definition.partitionKey, definition.sortKey])
    if (key) attributes.set(key.name, key.type);
  for (const index of definition.globalIndexes) {
    for (const key of [index.partitionKey, index.sortKey]) if (key) attributes.set(key.name, key.type);
  }
  return {
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    GlobalSecondaryIndexes: definition.globalIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection:
        index.projection.type === 'INCLUDE'
          ? { ProjectionType: 'INCLUDE', NonKeyAttributes: index.projection.nonKeyAttributes }
          : { ProjectionType: index.projection.type },
    })),
  };
}

function tableFor(definition: TableDefinition) {
  const logicalId = synth.stateful.getLogicalId(
    synth.stateful.tables[definition.id].table.node.defaultChild as import('aws-cdk-lib').CfnElement,
  );
  const table = resourcesOf(template, 'AWS::DynamoDB::Table')[logicalId];
  if (!table) throw new Error(`no table ${definition.id}`);
  return table;
}

describe('stateful stack: tables', () => {
  it('builds exactly the tables of shared/tables.ts', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(TABLES).length);
  });

  it.each(Object.values(TABLES))('gives $id the keys and indexes of its shared definition', (definition) => {
    // Act
    const { Properties } = tableFor(definition);
    const expected = expectedTableShape(definition);

    // Assess
    expect(Properties.KeySchema).toEqual(expected.KeySchema);
    expect(Properties.AttributeDefinitions).toEqual(expect.arrayContaining(expected.AttributeDefinitions));
    expect(Properties.AttributeDefinitions).toHaveLength(expected.AttributeDefinitions.length);
    expect(Properties.GlobalSecondaryIndexes ?? []).toEqual(expected.GlobalSecondaryIndexes);
    expect(Properties.StreamSpecification).toEqual(
      definition.stream ? { StreamViewType: definition.stream } : undefined,
    );
    expect(Properties.TimeToLiveSpecification).toEqual(
      definition.ttlAttribute ? { AttributeName: definition.ttlAttribute, Enabled: true } : undefined,
    );
  });

  it.each(Object.values(TABLES))(
    'makes $id on-demand, KMS-encrypted, recoverable, protected and retained',
    (definition) => {
      // Act
      const table = tableFor(definition);

      // Assess
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
        },
      });
      expect(table.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    },
  );

  it('streams new and old images of appointments only', () => {
    const streams = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table')).filter(
      (table) => table.Properties.StreamSpecification,
    );
    expect(streams).toHaveLength(1);
    expect(tableFor(TABLES.appointments).Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
  });
});

interface KeyStatement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

function keyStatements(): KeyStatement[] {
  const [key] = Object.values(resourcesOf(template, 'AWS::KMS::Key'));
  if (!key) throw new Error('no key');
  return (key.Properties.KeyPolicy as { Statement: KeyStatement[] }).Statement;
}

describe('stateful stack: key, queues, topics, bus, email', () => {
  it('has one customer-managed key with rotation, retained with the data', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/clinic-reminders/riverside' });
  });

  it('lets CloudWatch Logs, CloudWatch alarms, End User Messaging and EventBridge use the key for this deployment only', () => {
    // Act
    const statements = keyStatements();
    const bySid = (sid: string) => statements.find((statement) => statement.Sid === sid);
    const logs = JSON.stringify(bySid('CloudWatchLogsEncryptsTheDeploymentsLogGroups')?.Condition);
    const events = statements.find((statement) =>
      JSON.stringify(statement.Principal).includes('events.amazonaws.com'),
    );

    // Assess
    expect(logs).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(logs).toContain(':log-group:/clinic-reminders/riverside/*');
    expect(bySid('CloudWatchAlarmsPublishToEncryptedTopics')).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': expect.anything() },
      },
    });
    expect(JSON.stringify(bySid('CloudWatchAlarmsPublishToEncryptedTopics')?.Condition)).toContain(
      ':alarm:clinic-reminders-riverside-*',
    );
    expect(bySid('EndUserMessagingPublishesToEncryptedTopics')).toMatchObject({
      Principal: { Service: 'sms-voice.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': expect.anything() },
      },
    });
    expect(JSON.stringify(events?.Condition)).toContain('aws:SourceArn');
    expect(JSON.stringify(events?.Condition)).toContain('kms:EncryptionContext:aws:events:event-bus:arn');
  });

  it('denies decrypting with the key except through the data services, as a service, or as a named key admin', () => {
    // Act
    const deny = keyStatements().find((statement) => statement.Effect === 'Deny');

    // Assess
    expect(deny).toMatchObject({
      Sid: 'DenyDataKeyUseOutsideTheDataServices',
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom'],
      Resource: '*',
      Condition: {
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    });
    const conditions = deny?.Condition ?? {};
    const via = JSON.stringify(conditions.StringNotEquals);
    for (const service of ['dynamodb', 'sqs', 'sns', 'logs', 'events']) {
      expect(via).toContain(`"${service}.`);
    }
    // The single-clinic example names no key admin: nobody may decrypt directly.
    expect(conditions.ArnNotEquals).toBeUndefined();
  });

  it(
    'exempts the configured key-admin roles, by ARN, from the deny',
    () => {
      // Act
      const group = synthesize('group-example');
      const deny = group.statefulTemplate.findResources('AWS::KMS::Key') as Record<
        string,
        {
          Properties: { KeyPolicy: { Statement: { Effect: string; Condition?: Record<string, unknown> }[] } };
        }
      >;
      const statement = Object.values(deny)[0]?.Properties.KeyPolicy.Statement.find(
        (s) => s.Effect === 'Deny',
      );

      // Assess
      expect(statement?.Condition?.ArnNotEquals).toEqual({
        'aws:PrincipalArn': group.config.keyAdminRoleArns,
      });
      expect(group.config.keyAdminRoleArns.length).toBeGreaterThan(0);
    },
    SYNTH_TIMEOUT,
  );

  it('encrypts every queue with the key and refuses plain-HTTP access to each', () => {
    // Act
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const policies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'));

    // Assess
    expect(Object.keys(queues)).toHaveLength(9);
    for (const [logicalId, queue] of Object.entries(queues)) {
      expect(queue.Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'],
      });
      const tlsOnly = policies.find((policy) =>
        JSON.stringify(policy.Properties.Queues).includes(`"${logicalId}"`),
      );
      expect(tlsOnly?.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('moves a failed change that cannot even be read to the planning dead-letter queue after 3 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 360,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlanDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
  });

  it('moves a send request to the send dead-letter queue after repeated failures', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: SEND_QUEUE_VISIBILITY.toSeconds(),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SendDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: SEND_MAX_RECEIVES,
      },
    });
  });

  it('feeds the inbound topic to the inbound queue with the SNS envelope kept, and sets undeliverable texts aside', () => {
    // Act
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const inboundId = Object.keys(queues).find((id) => id.startsWith('InboundQueue'));
    const subscriptions = Object.values(resourcesOf(template, 'AWS::SNS::Subscription'));

    // Assess
    expect(inboundId).toBeDefined();
    expect(queues[inboundId as string]?.Properties).toMatchObject({
      VisibilityTimeout: INBOUND_QUEUE_VISIBILITY.toSeconds(),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^InboundDeadLetterQueue/), 'Arn'] },
        maxReceiveCount: INBOUND_MAX_RECEIVES,
      },
    });
    // The receipts topic has its own queue subscription (receipts.test.ts); this one is the inbound topic's.
    const toQueue = subscriptions.filter(
      (subscription) =>
        subscription.Properties.Protocol === 'sqs' &&
        JSON.stringify(subscription.Properties.TopicArn).includes('InboundSmsTopic'),
    );
    expect(toQueue).toHaveLength(1);
    expect(toQueue[0]?.Properties).toEqual({
      Protocol: 'sqs',
      TopicArn: { Ref: expect.stringMatching(/^InboundSmsTopic/) },
      Endpoint: { 'Fn::GetAtt': [inboundId, 'Arn'] },
      RawMessageDelivery: false,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^InboundDeadLetterQueue/), 'Arn'] },
      },
    });
    const policies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'));
    const inboundPolicy = policies.find((policy) =>
      JSON.stringify(policy.Properties.Queues).includes(`"${inboundId}"`),
    );
    expect(inboundPolicy?.Properties.PolicyDocument).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': { Ref: expect.stringMatching(/^InboundSmsTopic/) } } },
        }),
      ]),
    });
  });

  it('keeps dead letters, and failed planning waiting to be read back, for 14 days', () => {
    const longLived = Object.entries(resourcesOf(template, 'AWS::SQS::Queue'))
      .filter(([, queue]) => queue.Properties.MessageRetentionPeriod === 14 * 24 * 3600)
      .map(([logicalId]) => logicalId.replace(/[0-9A-F]{8}$/, ''));
    expect(longLived.sort()).toEqual([
      'InboundDeadLetterQueue',
      'PlanDeadLetterQueue',
      'PlanRetryQueue',
      'ReceiptsDeadLetterQueue',
      'SendDeadLetterQueue',
      'SweepDeadLetterQueue',
    ]);
  });

  it('encrypts every topic with the key and publishes to them over TLS only', () => {
    // Act
    const topics = resourcesOf(template, 'AWS::SNS::Topic');
    const policies = Object.values(resourcesOf(template, 'AWS::SNS::TopicPolicy'));

    // Assess
    expect(Object.keys(topics)).toHaveLength(3);
    for (const [logicalId, topic] of Object.entries(topics)) {
      expect(topic.Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'],
      });
      const policy = policies.find((candidate) =>
        JSON.stringify(candidate.Properties.Topics).includes(logicalId),
      );
      expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('lets End User Messaging of this account and region publish inbound texts', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([smsVoicePublishes('*')]),
      },
    });
  });

  it('mails alarms to the configured address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: synth.config.alarms.email,
      TopicArn: { Ref: Match.stringLikeRegexp('^AlarmTopic') },
    });
  });

  it('creates the configured SES configuration set, TLS required, suppressing bounces and complaints', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: synth.config.email.configurationSetName,
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('creates the project event bus, encrypted with the key (events carry clinic, patient and appointment ids)', () => {
    template.hasResourceProperties('AWS::Events::EventBus', {
      Name: 'clinic-reminders-riverside',
      KmsKeyIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
    });
  });

  it('outputs what an operator needs after the deploy', () => {
    template.hasOutput('InboundSmsTopicArn', { Value: { Ref: Match.stringLikeRegexp('^InboundSmsTopic') } });
    template.hasOutput('EventBusName', { Value: { Ref: Match.stringLikeRegexp('^Bus') } });
    template.hasOutput('ClinicsTableName', { Value: { Ref: Match.stringLikeRegexp('^ClinicsTable') } });
  });

  it('protects the stateful stack against deletion', () => {
    expect(synth.stateful.terminationProtection).toBe(true);
  });
});
