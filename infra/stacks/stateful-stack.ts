import { Aws, CfnOutput, type CfnResource, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { CfnConfigurationSet } from 'aws-cdk-lib/aws-smsvoice';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SMS_DELIVERED_EVENTS, SMS_UNDELIVERABLE_EVENTS } from '../../shared/domain/receipts';
import { TABLES, type TableId } from '../../shared/tables';
import { acknowledge } from '../compliance';
import type { DeploymentConfig } from '../config/schema';
import { type DataProtection, neverReplace, retainData } from '../constructs/data-protection';
import {
  alarmNamePrefix,
  DEAD_LETTER_RETENTION,
  INBOUND_MAX_RECEIVES,
  INBOUND_QUEUE_VISIBILITY,
  logGroupPrefix,
  PLAN_RETRY_MAX_RECEIVES,
  PLAN_RETRY_VISIBILITY,
  RECEIPT_MAX_RECEIVES,
  RECEIPT_QUEUE_VISIBILITY,
  SEND_MAX_RECEIVES,
  SEND_QUEUE_VISIBILITY,
  smsConfigurationSetName,
} from '../constructs/settings';
import { StaffUsers } from '../constructs/staff-users';
import { type DefinedTable, tableFromDefinition } from '../constructs/tables';

export interface StatefulStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** Deletion protection on tables and user pool: off only for the first create (data-protection.ts). */
  readonly protection: DataProtection;
}

/** Output keys that tools read back (the preflight, the guide's commands). */
export const STATEFUL_OUTPUTS = {
  inboundSmsTopicArn: 'InboundSmsTopicArn',
  staffUserPoolId: 'StaffUserPoolId',
} as const;

const TABLE_CONSTRUCT_IDS: Record<TableId, string> = {
  clinics: 'ClinicsTable',
  patients: 'PatientsTable',
  appointments: 'AppointmentsTable',
  messages: 'MessagesTable',
  inbound: 'InboundTable',
};

/**
 * Everything that holds data or is addressed from outside: the KMS key, the
 * four tables, the send queue and the dead-letter queues, the event bus, the
 * inbound-SMS and alarm topics, the SES configuration set, and the staff
 * user pool with its app client. The
 * stateless stack (functions, schedule, alarms) can be destroyed and
 * redeployed without touching any of it; the key, the tables and the user
 * pool are retained even when this stack is deleted, and deleted only when
 * the create that made them rolls back (data-protection.ts).
 */
export class StatefulStack extends Stack {
  /** Customer-managed key for tables, queues, topics and log groups (yearly rotation). */
  readonly key: Key;
  readonly tables: Record<TableId, DefinedTable>;
  /** dispatch-due → send-message; each message delayed until its due second. */
  readonly sendQueue: Queue;
  /** Send requests that failed every receive, and requests send-message set aside. */
  readonly sendDeadLetterQueue: Queue;
  /**
   * Where the appointments stream mapping puts the position of each batch it
   * gave up on, and where a person moves set-aside entries back to for a
   * replay: replan-failed-changes reads it. Failing entries move on to the
   * planning dead-letter queue.
   */
  readonly planRetryQueue: Queue;
  /** Appointments that could not be planned (by ids, with the reason), for a person to replay. */
  readonly planDeadLetterQueue: Queue;
  /** Sweeps the scheduler could not deliver, and sweeps that failed as async invocations. */
  readonly sweepDeadLetterQueue: Queue;
  /** The project's bus: MessageSent, MessageFailed, MessageSkipped, … */
  readonly bus: EventBus;
  /** Where AWS End User Messaging publishes inbound texts (two-way SMS). */
  readonly inboundSmsTopic: Topic;
  /** The inbound topic's texts for handle-inbound (SNS envelope kept: its Timestamp orders replies). */
  readonly inboundQueue: Queue;
  /** Texts that failed every receive, that SNS could not deliver, or that handle-inbound set aside (ids only). */
  readonly inboundDeadLetterQueue: Queue;
  readonly alarmTopic: Topic;
  readonly configurationSet: ConfigurationSet;
  /**
   * The End User Messaging configuration set that texts from a clinic's own
   * number name; its event destination publishes their receipts.
   */
  readonly smsConfigurationSet: CfnConfigurationSet;
  /** Where End User Messaging (SMS) and SES (email) publish delivery events. */
  readonly receiptsTopic: Topic;
  /** receiptsTopic → handle-receipts. */
  readonly receiptsQueue: Queue;
  /** Receipts that failed every receive, malformed receipts set aside, and events SNS could not deliver. */
  readonly receiptsDeadLetterQueue: Queue;
  /** Staff accounts, their clinics, and the app client whose ID tokens the staff API accepts. */
  readonly staffUsers: StaffUsers;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config, protection } = props;

    this.key = new Key(this, 'DataKey', {
      alias: `alias/clinic-reminders/${config.name}`,
      description: `clinic-reminders ${config.name}: tables, queues, topics and logs`,
      enableKeyRotation: true,
    });
    retainData(this.key.node.defaultChild as CfnResource);
    neverReplace(
      this.key.node.defaultChild as CfnResource,
      'everything this deployment stored is encrypted with this key; a new key reads none of it',
    );
    this.allowServicesToUseKey(config);
    this.denyDirectUseOfKey(config);

    const table = (id: TableId) =>
      tableFromDefinition(this, TABLE_CONSTRUCT_IDS[id], TABLES[id], this.key, protection);
    this.tables = {
      clinics: table('clinics'),
      patients: table('patients'),
      appointments: table('appointments'),
      messages: table('messages'),
      inbound: table('inbound'),
    };
    for (const { table } of Object.values(this.tables)) {
      acknowledge(
        table,
        'HIPAA.Security-DynamoDBInBackupPlan',
        'Point-in-time recovery (35 days, to the second) is on for every table and the tables are retained on stack deletion; ' +
          'an AWS Backup plan is left to the account, where clinics usually run one central plan selected by tag.',
      );
    }

    this.sendDeadLetterQueue = this.deadLetterQueue('SendDeadLetterQueue');
    this.sendQueue = new Queue(this, 'SendQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      visibilityTimeout: SEND_QUEUE_VISIBILITY,
      deadLetterQueue: { queue: this.sendDeadLetterQueue, maxReceiveCount: SEND_MAX_RECEIVES },
    });
    this.planDeadLetterQueue = this.deadLetterQueue('PlanDeadLetterQueue');
    this.planRetryQueue = new Queue(this, 'PlanRetryQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      visibilityTimeout: PLAN_RETRY_VISIBILITY,
      // Kept as long as a dead letter: an entry read back after the stream's
      // day is set aside with its position, never dropped by SQS.
      retentionPeriod: DEAD_LETTER_RETENTION,
      deadLetterQueue: { queue: this.planDeadLetterQueue, maxReceiveCount: PLAN_RETRY_MAX_RECEIVES },
    });
    neverReplace(
      this.planRetryQueue.node.defaultChild as CfnResource,
      'a replaced retry queue is deleted with the failed changes waiting in it; after a day they cannot be named',
    );
    this.sweepDeadLetterQueue = this.deadLetterQueue('SweepDeadLetterQueue');
    const endOfTheLine =
      'A dead-letter queue is the end of the line: a person inspects what lands here and redrives it; ' +
      'a dead-letter queue of its own would only move the same messages one queue further.';
    for (const queue of [this.sendDeadLetterQueue, this.planDeadLetterQueue, this.sweepDeadLetterQueue]) {
      acknowledge(queue, 'Serverless-SQSRedrivePolicy', endOfTheLine);
      neverReplace(
        queue.node.defaultChild as CfnResource,
        'a replaced dead-letter queue is deleted with the requests set aside in it',
      );
    }
    neverReplace(
      this.sendQueue.node.defaultChild as CfnResource,
      'a replaced send queue is deleted with the sends queued in it (they wait for their lease to run out)',
    );
    // AwsSolutions-SQS3 recognises a queue as a DLQ only through another queue's
    // redrive policy; this one receives from the scheduler and Lambda.
    acknowledge(
      this.sweepDeadLetterQueue,
      'AwsSolutions-SQS3',
      `The dead-letter queue of the sweep schedule and of dispatch-due's async invocations. ${endOfTheLine}`,
    );

    // Events carry clinic, patient and appointment ids: encrypted with the data
    // key like everything else (CDK adds the key policy statement for
    // EventBridge, scoped to this bus by aws:SourceArn and encryption context).
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: `clinic-reminders-${config.name}`,
      kmsKey: this.key,
    });
    neverReplace(
      this.bus.node.defaultChild as CfnResource,
      "the clinic's own rules on the bus stay on the old one; a new bus of the same name cannot be created beside it",
    );

    this.inboundSmsTopic = new Topic(this, 'InboundSmsTopic', {
      displayName: `clinic-reminders ${config.name} inbound SMS`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.inboundSmsTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EndUserMessagingPublishesInboundTexts',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('sms-voice.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.inboundSmsTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': endUserMessagingArns() },
        },
      }),
    );
    neverReplace(
      this.inboundSmsTopic.node.defaultChild as CfnResource,
      'End User Messaging publishes inbound texts to this ARN, set by hand: a new topic receives no STOP or reply',
    );

    // Texts are PHI: the queue and its dead letters are encrypted with the data key.
    this.inboundDeadLetterQueue = this.deadLetterQueue('InboundDeadLetterQueue');
    this.inboundQueue = new Queue(this, 'InboundQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      visibilityTimeout: INBOUND_QUEUE_VISIBILITY,
      deadLetterQueue: { queue: this.inboundDeadLetterQueue, maxReceiveCount: INBOUND_MAX_RECEIVES },
    });
    // Not SqsSubscription: it would scope the key policy to the topic's ARN,
    // and the topic is encrypted with the same key (a circular dependency);
    // the key lets SNS of this account use it instead (allowServicesToUseKey).
    new Subscription(this, 'InboundQueueSubscription', {
      topic: this.inboundSmsTopic,
      protocol: SubscriptionProtocol.SQS,
      endpoint: this.inboundQueue.queueArn,
      // The envelope's Timestamp orders two replies from one number (AWS does not keep their order).
      rawMessageDelivery: false,
      deadLetterQueue: this.inboundDeadLetterQueue,
    });
    this.inboundQueue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'InboundTopicDeliversTexts',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.inboundQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.inboundSmsTopic.topicArn } },
      }),
    );
    acknowledge(this.inboundDeadLetterQueue, 'Serverless-SQSRedrivePolicy', endOfTheLine);
    for (const queue of [this.inboundQueue, this.inboundDeadLetterQueue]) {
      neverReplace(
        queue.node.defaultChild as CfnResource,
        "a replaced inbound queue is deleted with the patients' texts waiting in it, STOPs among them",
      );
    }

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `clinic-reminders ${config.name} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.alarmTopic.addSubscription(new EmailSubscription(config.alarms.email));
    neverReplace(
      this.alarmTopic.node.defaultChild as CfnResource,
      'a new topic has an unconfirmed email subscription: alarms reach nobody until someone clicks the new link',
    );
    acknowledge(
      this.alarmTopic,
      'Serverless-SNSRedrivePolicy',
      'The only subscription is the operator email; an alarm mail SNS cannot deliver has no one to redrive it to, ' +
        'and the alarm state stays visible in CloudWatch and on the dashboard.',
    );

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: config.email.configurationSetName,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
      sendingEnabled: true,
    });
    neverReplace(
      this.configurationSet.node.defaultChild as CfnResource,
      'the set has a fixed name: a replacement cannot be created beside it, and the update fails',
    );

    ({
      smsConfigurationSet: this.smsConfigurationSet,
      receiptsTopic: this.receiptsTopic,
      receiptsQueue: this.receiptsQueue,
      receiptsDeadLetterQueue: this.receiptsDeadLetterQueue,
    } = this.buildReceiptsPath(config));

    this.staffUsers = new StaffUsers(this, 'StaffUsers', {
      deploymentName: config.name,
      protection,
      signInRetentionDays: config.auditLogRetentionDays,
    });

    // What an operator needs after a deploy (docs/deploy.md).
    new CfnOutput(this, STATEFUL_OUTPUTS.inboundSmsTopicArn, {
      value: this.inboundSmsTopic.topicArn,
      description: 'Set as the two-way SMS destination of the origination number in End User Messaging',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.bus.eventBusName,
      description: 'MessageSent, MessageFailed and MessageSkipped events are published here',
    });
    new CfnOutput(this, 'ClinicsTableName', { value: this.tables.clinics.table.tableName });
    // The replay runbook (docs/deploy.md, "Replaying planning failures") moves entries between these two.
    new CfnOutput(this, 'PlanDeadLetterQueueUrl', { value: this.planDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'PlanDeadLetterQueueArn', { value: this.planDeadLetterQueue.queueArn });
    new CfnOutput(this, 'PlanRetryQueueUrl', { value: this.planRetryQueue.queueUrl });
    new CfnOutput(this, 'PlanRetryQueueArn', { value: this.planRetryQueue.queueArn });
    new CfnOutput(this, 'DataKeyArn', {
      value: this.key.keyArn,
      description:
        'The key that encrypts the tables, queues, topics and logs; retained on teardown (its alias is not)',
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.staffUserPoolId, {
      value: this.staffUsers.userPool.userPoolId,
      description: 'Create staff users here (aws cognito-idp admin-create-user --user-pool-id …)',
    });
    new CfnOutput(this, 'StaffUserPoolClientId', {
      value: this.staffUsers.client.userPoolClientId,
      description:
        'The app client staff tools sign in with (SRP); the audience of the ID tokens the API accepts',
    });
    new CfnOutput(this, 'StaffTokenIssuer', {
      value: this.staffUsers.issuer,
      description: 'The iss of every staff token; the API accepts no other issuer',
    });
  }

  /**
   * Delivery receipts: End User Messaging's configuration set (SMS) and the
   * SES configuration set (email) publish their events to one encrypted
   * topic; the topic delivers them raw to the receipts queue, which
   * handle-receipts reads. SNS is the destination both services offer
   * (End User Messaging's are CloudWatch Logs, Firehose and SNS; SES's
   * EventBridge destination takes only the default bus), and one queue
   * gives retries, a dead-letter queue and partial batch failures.
   */
  private buildReceiptsPath(config: DeploymentConfig) {
    const receiptsDeadLetterQueue = this.deadLetterQueue('ReceiptsDeadLetterQueue');
    acknowledge(
      receiptsDeadLetterQueue,
      'Serverless-SQSRedrivePolicy',
      'A dead-letter queue is the end of the line: a person inspects the receipts that land here and redrives them.',
    );
    neverReplace(
      receiptsDeadLetterQueue.node.defaultChild as CfnResource,
      'a replaced dead-letter queue is deleted with the receipts set aside in it',
    );
    const receiptsQueue = new Queue(this, 'ReceiptsQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      visibilityTimeout: RECEIPT_QUEUE_VISIBILITY,
      deadLetterQueue: { queue: receiptsDeadLetterQueue, maxReceiveCount: RECEIPT_MAX_RECEIVES },
    });
    neverReplace(
      receiptsQueue.node.defaultChild as CfnResource,
      'a replaced receipts queue is deleted with the receipts waiting in it',
    );

    // A fixed name, so the key and queue policies can name the topic without
    // referring to it (the topic is encrypted with the key: a reference would
    // make the key and the topic depend on each other).
    const receiptsTopicName = `clinic-reminders-${config.name}-receipts`;
    const receiptsTopicArn = `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:${receiptsTopicName}`;
    const receiptsTopic = new Topic(this, 'ReceiptsTopic', {
      topicName: receiptsTopicName,
      displayName: `clinic-reminders ${config.name} delivery receipts`,
      masterKey: this.key,
      enforceSSL: true,
    });
    neverReplace(
      receiptsTopic.node.defaultChild as CfnResource,
      'both configuration sets publish to this fixed name: a replacement cannot be created beside it',
    );
    // SNS delivers to the encrypted queue from this topic only (the
    // subscription grants it the dead-letter queue itself).
    receiptsQueue.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [receiptsQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': receiptsTopicArn } },
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SnsDeliversReceiptsToEncryptedQueues',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { ArnEquals: { 'aws:SourceArn': receiptsTopicArn } },
      }),
    );
    new Subscription(this, 'ReceiptsSubscription', {
      topic: receiptsTopic,
      protocol: SubscriptionProtocol.SQS,
      endpoint: receiptsQueue.queueArn,
      // The event itself as the body: handle-receipts reads it without the envelope.
      rawMessageDelivery: true,
      deadLetterQueue: receiptsDeadLetterQueue,
    });

    const smsConfigurationSet = smsConfigurationSetName(config.name);
    const smsConfigurationSetArn = `arn:${Aws.PARTITION}:sms-voice:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${smsConfigurationSet}`;
    receiptsTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EndUserMessagingPublishesReceipts',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('sms-voice.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [receiptsTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': smsConfigurationSetArn },
        },
      }),
    );
    const smsConfigurationSetResource = new CfnConfigurationSet(this, 'SmsConfigurationSet', {
      configurationSetName: smsConfigurationSet,
      eventDestinations: [
        {
          eventDestinationName: 'receipts',
          enabled: true,
          // Final outcomes only: queued and pending would cost invocations and change nothing.
          matchingEventTypes: [...SMS_DELIVERED_EVENTS, ...SMS_UNDELIVERABLE_EVENTS],
          snsDestination: { topicArn: receiptsTopic.topicArn },
        },
      ],
    });
    neverReplace(
      smsConfigurationSetResource,
      'the set has a fixed name that every text names: a replacement cannot be created beside it',
    );

    // Email: SES adds its own statement to the topic policy with the destination.
    this.configurationSet.addEventDestination('Receipts', {
      configurationSetEventDestinationName: 'receipts',
      destination: EventDestination.snsTopic(receiptsTopic),
      events: [EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    // SES asks the key on its own behalf to publish to the encrypted topic.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SesPublishesReceiptsToEncryptedTopic',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${config.email.configurationSetName}`,
          },
        },
      }),
    );
    return {
      smsConfigurationSet: smsConfigurationSetResource,
      receiptsTopic,
      receiptsQueue,
      receiptsDeadLetterQueue,
    };
  }

  /** A KMS-encrypted, TLS-only queue that keeps messages as long as SQS allows. */
  private deadLetterQueue(id: string): Queue {
    return new Queue(this, id, {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
  }

  /**
   * The key policy lets the services that encrypt on our behalf use the
   * key, each only for its own resources of this deployment: CloudWatch
   * Logs (the deployment's log groups, by name prefix), CloudWatch (this
   * deployment's alarms, publishing to the encrypted alarm topic) and End
   * User Messaging (inbound texts to the encrypted topic), SNS (the inbound
   * topic's deliveries to the encrypted inbound queue). EventBridge's
   * statement, for the bus, comes with the bus.
   */
  private allowServicesToUseKey(config: DeploymentConfig): void {
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsEncryptsTheDeploymentsLogGroups',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        // As CloudWatch Logs documents it; in a key policy `*` is this key.
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${logGroupPrefix(config.name)}*`,
          },
        },
      }),
    );
    // Publishers to the encrypted topics: SNS asks the key on their behalf.
    for (const [sid, service, sourceArn] of [
      [
        'CloudWatchAlarmsPublishToEncryptedTopics',
        'cloudwatch.amazonaws.com',
        `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${alarmNamePrefix(config.name)}*`,
      ],
      ['EndUserMessagingPublishesToEncryptedTopics', 'sms-voice.amazonaws.com', endUserMessagingArns()],
      // The inbound topic delivers to the encrypted inbound queue (and its dead letters).
      [
        'SnsDeliversToEncryptedQueues',
        'sns.amazonaws.com',
        `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:*`,
      ],
    ] as const) {
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid,
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnLike: { 'aws:SourceArn': sourceArn },
          },
        }),
      );
    }
  }

  /**
   * The account root's `kms:*` (CDK's default key policy, which lets IAM
   * policies grant use of the key) would let any principal with
   * `kms:Decrypt` on `*` (an administrator, a power user) decrypt PHI
   * directly. This Deny leaves only three ways to use the key's data
   * operations: through the services that hold the data (DynamoDB, SQS,
   * SNS, CloudWatch Logs, EventBridge: `kms:ViaService`), as one of those
   * services itself (`aws:PrincipalIsAWSService`), or as a key-admin role
   * named in the config. Managing the key (policy, rotation, grants) is
   * not denied, so an administrator can still add a key admin.
   */
  private denyDirectUseOfKey(config: DeploymentConfig): void {
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyDataKeyUseOutsideTheDataServices',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        // ReEncryptFrom too: re-encrypting under a key of one's own is decrypting with a detour.
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom'],
        resources: ['*'],
        conditions: {
          StringNotEquals: {
            'kms:ViaService': KEY_SERVICES.map((service) => `${service}.${Aws.REGION}.amazonaws.com`),
          },
          Bool: { 'aws:PrincipalIsAWSService': 'false' },
          ...(config.keyAdminRoleArns.length > 0
            ? { ArnNotEquals: { 'aws:PrincipalArn': config.keyAdminRoleArns } }
            : {}),
        },
      }),
    );
  }
}

/** The services through which principals may use the data key (their `kms:ViaService` prefix). */
export const KEY_SERVICES = ['dynamodb', 'sqs', 'sns', 'logs', 'events'] as const;

/** End User Messaging resources of this account and region (phone numbers, pools, configuration sets). */
function endUserMessagingArns(): string {
  return `arn:${Aws.PARTITION}:sms-voice:${Aws.REGION}:${Aws.ACCOUNT_ID}:*`;
}
