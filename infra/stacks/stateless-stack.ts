import { Aws, CfnOutput, CustomResource, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { GraphWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Peer, Port, SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import {
  DispatchDueEnv,
  HandleInboundEnv,
  HandleReceiptsEnv,
  PlanMessagesEnv,
  ReplanFailedChangesEnv,
  SeedClinicsEnv,
  SendMessageEnv,
} from '../../shared/config/env';
import { SETTINGS } from '../../shared/config/settings';
import { CLINICS_CLAIM } from '../../shared/http/auth';
import { DEFAULT_STAFF_API_CONFIG, StaffApiEnv } from '../../shared/http/env';
import { STAFF_API_ROUTES } from '../../shared/http/staff-api';
import { INDEX } from '../../shared/tables';
import { acknowledge } from '../compliance';
import {
  type DeploymentConfig,
  inboundNumbersOf,
  smsLanesOf,
  smsLanesWithRates,
  totalSmsPartsPerSecond,
} from '../config/schema';
import { CONSOLE_OUTPUTS, ConsoleSite } from '../constructs/console-site';
import { allowOn, sendToQueueStatements } from '../constructs/iam';
import { Monitoring } from '../constructs/monitoring';
import {
  type EnvSchema,
  type FunctionPlatform,
  ReminderFunction,
  type ReminderFunctionProps,
} from '../constructs/reminder-function';
import { senderConcurrency } from '../constructs/sender-concurrency';
import {
  INBOUND_FUNCTION_TIMEOUT,
  logGroupPrefix,
  RECEIPT_FUNCTION_TIMEOUT,
  REPLAN_FUNCTION_TIMEOUT,
  SEND_FUNCTION_TIMEOUT,
  surveyLinkParameterName,
} from '../constructs/settings';
import { STAFF_API_TIMEOUT, StaffHttpApi } from '../constructs/staff-http-api';
import {
  addQueueSource,
  addStreamSource,
  useBus,
  useEmail,
  useParameter,
  useQueue,
  useSetting,
  useSms,
  useStreamRecords,
  useTable,
  useTableName,
  useTextMessaging,
} from '../constructs/wiring';
import type { StatefulStack } from './stateful-stack';

/**
 * What planning reads and writes, for every function that plans (the
 * stream's plan-messages and the replay's replan-failed-changes): clinics
 * and patients by key, and a patient's messages (the frequency cap and
 * reconcile read them; planning creates and withdraws them).
 */
function usePlanningTables(
  planner: ReminderFunction<typeof PlanMessagesEnv | typeof ReplanFailedChangesEnv>,
  stateful: StatefulStack,
  config: DeploymentConfig,
): void {
  useTable(planner, stateful.tables.clinics, { items: ['GetItem'] }, 'CLINICS_TABLE');
  useTable(planner, stateful.tables.patients, { items: ['GetItem'] }, 'PATIENTS_TABLE');
  useTable(
    planner,
    stateful.tables.messages,
    { items: ['Query', 'PutItem', 'UpdateItem'] },
    'MESSAGES_TABLE',
  );
  useSetting(planner, 'MESSAGE_RETENTION_DAYS', config.messageRetentionDays);
  useSetting(planner, 'CLINIC_CACHE_SECONDS', SETTINGS.clinicCacheSeconds.default);
}

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** The data the functions work on. */
  readonly stateful: StatefulStack;
}

/** How often the sweep runs; the design's precision comes from SQS delays, not from this. */
export const SWEEP_SCHEDULE = 'rate(1 minute)';

/**
 * The functions, their triggers, the clinic seeding, the staff API and the
 * monitoring. Nothing here holds data: the stack can be destroyed and
 * redeployed (the staff API's URL changes when it is).
 *
 * To add a capability (the staff API, inbound SMS), build its functions
 * with {@link StatelessStack.addFunction}, wire them with the helpers in
 * `constructs/wiring.ts`, and watch them with `monitoring`.
 */
export class StatelessStack extends Stack {
  /** Shared by every function: key, log retention, VPC, shared policies. */
  readonly platform: FunctionPlatform;
  readonly planMessages: ReminderFunction<typeof PlanMessagesEnv>;
  readonly replanFailedChanges: ReminderFunction<typeof ReplanFailedChangesEnv>;
  readonly dispatchDue: ReminderFunction<typeof DispatchDueEnv>;
  readonly sendMessage: ReminderFunction<typeof SendMessageEnv>;
  readonly seedClinics: ReminderFunction<typeof SeedClinicsEnv>;
  readonly handleReceipts: ReminderFunction<typeof HandleReceiptsEnv>;
  readonly staffApi: ReminderFunction<typeof StaffApiEnv>;
  readonly handleInbound: ReminderFunction<typeof HandleInboundEnv>;
  /** The HTTP API in front of staff-api, with its authorizer, stage and access logs. */
  readonly staffHttpApi: StaffHttpApi;
  /** The staff console: its files, distribution, app client and login domain. */
  readonly consoleSite: ConsoleSite;
  /** How many send-message instances may run at once (see sender-concurrency.ts). */
  readonly senderConcurrency: number;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const { tables } = stateful;
    this.platform = this.buildPlatform(config, stateful);

    const onlyStream = 'plan-messages reads appointments from the stream images, never from the table';

    // --- plan-messages: appointment stream → planned messages -------------
    this.planMessages = this.addFunction('PlanMessages', {
      entry: 'functions/plan-messages/handler.ts',
      envSchema: PlanMessagesEnv,
      description: 'Plans and withdraws the messages that follow from each appointment change',
      memorySize: 512,
      timeout: Duration.seconds(60),
      // Enough for every stream shard of a busy table; a bulk import cannot take the account's pool.
      concurrency: { reserved: 10 },
      deadLetter: {
        noneBecause:
          'Invoked synchronously by the DynamoDB stream mapping; failed batches go to the mapping on-failure queue.',
      },
    });
    usePlanningTables(this.planMessages, stateful, config);
    useTableName(this.planMessages, tables.appointments, 'APPOINTMENTS_TABLE', onlyStream);
    useQueue(this.planMessages, stateful.planDeadLetterQueue, 'PLAN_DEAD_LETTER_QUEUE_URL');
    // What is due at once (a confirmation, a change notice) is claimed and
    // queued by the planner itself, within a share of the send rate.
    useQueue(this.planMessages, stateful.sendQueue, 'SEND_QUEUE_URL');
    useSetting(this.planMessages, 'SMS_PER_SECOND', config.sms.sendRatePerSecond);
    useSetting(this.planMessages, 'SMS_LANES', smsLanesOf(config));
    useSetting(this.planMessages, 'EMAIL_PER_SECOND', config.email.sendRatePerSecond);
    useSetting(this.planMessages, 'LEASE_MINUTES', config.sending.leaseMinutes);
    addStreamSource(this.planMessages, tables.appointments, {
      batchSize: 50,
      retryAttempts: 8,
      maxRecordAge: Duration.hours(6),
      // Only the batch's position arrives there: replan-failed-changes reads it back at once.
      onFailure: stateful.planRetryQueue,
    });

    // --- replan-failed-changes: failed planning → ids, re-planned ----------
    this.replanFailedChanges = this.addFunction('ReplanFailedChanges', {
      entry: 'functions/replan-failed-changes/handler.ts',
      envSchema: ReplanFailedChangesEnv,
      description:
        'Reads batches planning gave up on back from the stream, re-plans their appointments, sets aside the rest by id',
      memorySize: 512,
      timeout: REPLAN_FUNCTION_TIMEOUT,
      // Failures are rare and re-planning is idempotent: two at a time is plenty.
      concurrency: { reserved: 2 },
      deadLetter: {
        noneBecause:
          "Invoked synchronously by the SQS mapping of the planning retry queue; an entry that keeps failing moves to the planning dead-letter queue by the queue's redrive policy.",
      },
    });
    usePlanningTables(this.replanFailedChanges, stateful, config);
    // Re-plans from the appointment as it is now, not from the stream images.
    useTable(this.replanFailedChanges, tables.appointments, { items: ['GetItem'] }, 'APPOINTMENTS_TABLE');
    useStreamRecords(this.replanFailedChanges, tables.appointments, 'APPOINTMENTS_STREAM_ARN');
    useQueue(this.replanFailedChanges, stateful.planDeadLetterQueue, 'PLAN_DEAD_LETTER_QUEUE_URL');
    addQueueSource(this.replanFailedChanges, stateful.planRetryQueue, { batchSize: 10, maxConcurrency: 2 });

    // --- dispatch-due: every minute, claim what is due and queue it -------
    this.dispatchDue = this.addFunction('DispatchDue', {
      entry: 'functions/dispatch-due/handler.ts',
      envSchema: DispatchDueEnv,
      description: 'Claims messages due within a minute and queues each with its delay',
      memorySize: 512,
      // Ends before the next sweep starts.
      timeout: Duration.seconds(50),
      // One sweep at a time: an overlapping one would only lose claim races.
      concurrency: { reserved: 1 },
      deadLetter: { queue: stateful.sweepDeadLetterQueue },
    });
    // A failed sweep is not retried: the next one, a minute later, catches up
    // from the due index. Older events would only queue up behind it.
    this.dispatchDue.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(2) });
    acknowledge(
      this.dispatchDue.fn.node.findChild('EventInvokeConfig'),
      'Serverless-LambdaAsyncFailureDestination',
      'Failed async invocations already go to the sweep dead-letter queue (DeadLetterConfig); an on-failure ' +
        'destination as well would put every failed sweep there twice.',
    );
    // A clinic's segment budgets: how many parts each of its texts may cost its number.
    useTable(this.dispatchDue, tables.clinics, { items: ['GetItem'] }, 'CLINICS_TABLE');
    useSetting(this.dispatchDue, 'CLINIC_CACHE_SECONDS', SETTINGS.clinicCacheSeconds.default);
    // After each sweep, the broadcasts' fan-out (issue 14): reads an audience
    // (listed patients, a clinic's patients, a closure's booked visits) ...
    useTable(this.dispatchDue, tables.patients, { items: ['GetItem', 'Query'] }, 'PATIENTS_TABLE');
    // A closure's visits: the start index names them (keys only), each is read from the table.
    useTable(
      this.dispatchDue,
      tables.appointments,
      { items: ['GetItem'], queries: [INDEX.appointmentsByStart] },
      'APPOINTMENTS_TABLE',
    );
    // Queries the due index and claims (updates) what it finds; reads the
    // lanes' throttles (a Query of their one partition of the table); the
    // fan-out reads a broadcast and creates its recipients' messages
    // (conditional puts; a resumed page reads the ones it made).
    useTable(
      this.dispatchDue,
      tables.messages,
      { items: ['UpdateItem', 'Query', 'GetItem', 'PutItem'], queries: ['due'] },
      'MESSAGES_TABLE',
    );
    useSetting(this.dispatchDue, 'MESSAGE_RETENTION_DAYS', config.messageRetentionDays);
    useQueue(this.dispatchDue, stateful.sendQueue, 'SEND_QUEUE_URL');
    useSetting(this.dispatchDue, 'SMS_PER_SECOND', config.sms.sendRatePerSecond);
    useSetting(this.dispatchDue, 'SMS_LANES', smsLanesOf(config));
    useSetting(this.dispatchDue, 'EMAIL_PER_SECOND', config.email.sendRatePerSecond);
    useSetting(this.dispatchDue, 'LEASE_MINUTES', config.sending.leaseMinutes);
    // The same run reports overdue feedback cases: it queries their due
    // partition of the party index (never the texts' partitions), records
    // each report with a conditional put and puts CaseOverdue on the bus.
    useTable(this.dispatchDue, tables.inbound, { items: ['PutItem'], queries: ['byParty'] }, 'INBOUND_TABLE');
    useBus(this.dispatchDue, stateful.bus, 'EVENT_BUS_NAME');
    this.scheduleSweep(config, stateful);

    // --- send-message: queued send → SMS or email ---------------------------
    this.senderConcurrency = senderConcurrency({
      // Every number at its own rate: the shared one and each clinic's.
      smsPerSecond: totalSmsPartsPerSecond(config),
      emailPerSecond: config.email.sendRatePerSecond,
      secondsPerSend: config.sending.secondsPerSend,
    });
    this.sendMessage = this.addFunction('SendMessage', {
      entry: 'functions/send-message/handler.ts',
      envSchema: SendMessageEnv,
      description:
        'Re-reads, decides and sends one queued message at a time (End User Messaging or SNS SMS, SES email)',
      memorySize: 512,
      timeout: SEND_FUNCTION_TIMEOUT,
      concurrency: { reserved: this.senderConcurrency },
      deadLetter: {
        noneBecause:
          'Invoked synchronously by the SQS mapping; a request that fails every receive moves to the send ' +
          "dead-letter queue by the queue's redrive policy.",
      },
    });
    useTable(this.sendMessage, tables.clinics, { items: ['GetItem'] }, 'CLINICS_TABLE');
    // PutItem: a carrier opt-out found while sending is recorded on the patient.
    useTable(this.sendMessage, tables.patients, { items: ['GetItem', 'PutItem'] }, 'PATIENTS_TABLE');
    useTable(this.sendMessage, tables.appointments, { items: ['GetItem'] }, 'APPOINTMENTS_TABLE');
    // Every step of a send is a conditional update that returns the item; Query: a survey reads
    // the patient's earlier surveys (policy.survey.minDaysBetween); GetItem: only a broadcast
    // message's broadcast (its text, whether it was cancelled); UpdateItem: its progress too.
    useTable(
      this.sendMessage,
      tables.messages,
      { items: ['GetItem', 'UpdateItem', 'Query'] },
      'MESSAGES_TABLE',
    );
    useSetting(this.sendMessage, 'MESSAGE_RETENTION_DAYS', config.messageRetentionDays);
    useSetting(this.sendMessage, 'CLINIC_CACHE_SECONDS', SETTINGS.clinicCacheSeconds.default);
    useBus(this.sendMessage, stateful.bus, 'EVENT_BUS_NAME');
    useQueue(this.sendMessage, stateful.sendDeadLetterQueue, 'SEND_DEAD_LETTER_QUEUE_URL');
    const smsPolicy = useSms(
      this.sendMessage,
      {
        ...(config.sms.originationNumber ? { originationNumber: config.sms.originationNumber } : {}),
        ...(config.sms.senderId ? { senderId: config.sms.senderId } : {}),
        ...(config.sms.maxPriceUsd ? { maxPriceUsd: config.sms.maxPriceUsd } : {}),
      },
      {
        originationNumber: 'SMS_ORIGINATION_NUMBER',
        senderId: 'SMS_SENDER_ID',
        maxPriceUsd: 'SMS_MAX_PRICE_USD',
      },
    );
    acknowledge(
      smsPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      'SNS Publish to a phone number has no resource ARN, so IAM requires Resource "*". The same policy denies ' +
        'Publish to every SNS topic and endpoint ARN, so the role can text phone numbers and nothing else.',
    );
    // Texts from a clinic's own number go through End User Messaging with the
    // configuration set, so their receipts come back (SNS takes no configuration set).
    useTextMessaging(
      this.sendMessage,
      {
        originationIdentities: config.clinics.flatMap((clinic) =>
          clinic.originationIdentity ? [clinic.originationIdentity.id] : [],
        ),
        configurationSetName: stateful.smsConfigurationSet.configurationSetName as string,
      },
      'SMS_CONFIGURATION_SET',
    );
    useEmail(
      this.sendMessage,
      {
        identityArn: this.formatArn({
          service: 'ses',
          resource: 'identity',
          resourceName: config.email.identity,
        }),
        configurationSetArn: this.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: stateful.configurationSet.configurationSetName,
        }),
        configurationSetName: stateful.configurationSet.configurationSetName,
        fromAddress: config.email.fromAddress,
      },
      { fromAddress: 'SES_FROM_ADDRESS', configurationSet: 'SES_CONFIGURATION_SET' },
    );
    useSetting(this.sendMessage, 'MAX_SEND_ATTEMPTS', config.sending.maxAttempts);
    useSetting(this.sendMessage, 'BACKOFF_BASE_SECONDS', config.sending.backoffBaseSeconds);
    useSetting(this.sendMessage, 'BACKOFF_MAX_SECONDS', config.sending.backoffMaxSeconds);
    addQueueSource(this.sendMessage, stateful.sendQueue, {
      batchSize: 10,
      maxConcurrency: this.senderConcurrency,
    });

    // --- handle-receipts: delivery receipts → delivered / undeliverable ----
    this.handleReceipts = this.addFunction('HandleReceipts', {
      entry: 'functions/handle-receipts/handler.ts',
      envSchema: HandleReceiptsEnv,
      description:
        'Applies SMS and email delivery receipts: delivered, undeliverable (next channel), bounces and complaints',
      memorySize: 512,
      timeout: RECEIPT_FUNCTION_TIMEOUT,
      concurrency: {
        unreservedBecause:
          'The receipts queue mapping starts at most 2 instances (maxConcurrency), which bounds the function ' +
          'without taking reserved capacity from the account.',
      },
      deadLetter: {
        noneBecause:
          'Invoked synchronously by the SQS mapping; a receipt that fails every receive moves to the receipts ' +
          "dead-letter queue by the queue's redrive policy.",
      },
    });
    const receiptsOnly = 'handle-receipts reads and writes messages and patients, and reads clinics, only';
    // The clinic's zone: a complaint's opt-out counts on the clinic's local day.
    useTable(this.handleReceipts, tables.clinics, { items: ['GetItem'] }, 'CLINICS_TABLE');
    useSetting(this.handleReceipts, 'CLINIC_CACHE_SECONDS', SETTINGS.clinicCacheSeconds.default);
    useTableName(this.handleReceipts, tables.appointments, 'APPOINTMENTS_TABLE', receiptsOnly);
    // Records the receipt (conditional update), stores the copy on the next channel; the daily counters.
    useTable(this.handleReceipts, tables.messages, { items: ['UpdateItem', 'PutItem'] }, 'MESSAGES_TABLE');
    // A permanent bounce or a complaint is recorded on the patient (versioned put).
    useTable(this.handleReceipts, tables.patients, { items: ['GetItem', 'PutItem'] }, 'PATIENTS_TABLE');
    useSetting(this.handleReceipts, 'MESSAGE_RETENTION_DAYS', config.messageRetentionDays);
    useBus(this.handleReceipts, stateful.bus, 'EVENT_BUS_NAME');
    useQueue(this.handleReceipts, stateful.receiptsDeadLetterQueue, 'RECEIPTS_DEAD_LETTER_QUEUE_URL');
    addQueueSource(this.handleReceipts, stateful.receiptsQueue, { batchSize: 10, maxConcurrency: 2 });
    // --- handle-inbound: patients' texts → effects and answers --------------
    this.handleInbound = this.addFunction('HandleInbound', {
      entry: 'functions/handle-inbound/handler.ts',
      envSchema: HandleInboundEnv,
      description:
        "Applies patients' texts (confirm, STOP, START, HELP, scores, free text) and queues the answers",
      memorySize: 512,
      timeout: INBOUND_FUNCTION_TIMEOUT,
      concurrency: {
        unreservedBecause:
          "The queue mapping's maximum concurrency (5) caps it; texts arrive at people's pace, and a burst waits " +
          'in the queue. Reserving would take from the account pool the preflight sizes for the sender.',
      },
      deadLetter: {
        noneBecause:
          'Invoked synchronously by the SQS mapping; a text that fails every receive moves to the inbound ' +
          "dead-letter queue by the queue's redrive policy.",
      },
    });
    useTable(this.handleInbound, tables.clinics, { items: ['GetItem'] }, 'CLINICS_TABLE');
    // Patients by number (byPhone); an opt-out or opt-in is a conditional put of the patient.
    useTable(
      this.handleInbound,
      tables.patients,
      { items: ['GetItem', 'PutItem'], queries: ['byPhone'] },
      'PATIENTS_TABLE',
    );
    // A confirmation is a conditional put of the appointment.
    useTable(
      this.handleInbound,
      tables.appointments,
      { items: ['GetItem', 'PutItem'] },
      'APPOINTMENTS_TABLE',
    );
    // The number's messages (the answered one, earlier answers); the answer's create and claim.
    useTable(
      this.handleInbound,
      tables.messages,
      { items: ['Query', 'PutItem', 'UpdateItem'] },
      'MESSAGES_TABLE',
    );
    useTable(
      this.handleInbound,
      tables.inbound,
      { items: ['GetItem', 'PutItem'], queries: ['byParty'] },
      'INBOUND_TABLE',
    );
    useSetting(this.handleInbound, 'MESSAGE_RETENTION_DAYS', config.messageRetentionDays);
    useSetting(this.handleInbound, 'INBOUND_NUMBERS', inboundNumbersOf(config));
    useBus(this.handleInbound, stateful.bus, 'EVENT_BUS_NAME');
    useQueue(this.handleInbound, stateful.inboundDeadLetterQueue, 'INBOUND_DEAD_LETTER_QUEUE_URL');
    // Answers go out at once, within the immediate share of the minute (as the planner's confirmations).
    useQueue(this.handleInbound, stateful.sendQueue, 'SEND_QUEUE_URL');
    useSetting(this.handleInbound, 'SMS_PER_SECOND', config.sms.sendRatePerSecond);
    useSetting(this.handleInbound, 'SMS_LANES', smsLanesOf(config));
    useSetting(this.handleInbound, 'EMAIL_PER_SECOND', config.email.sendRatePerSecond);
    useSetting(this.handleInbound, 'LEASE_MINUTES', config.sending.leaseMinutes);
    addQueueSource(this.handleInbound, stateful.inboundQueue, { batchSize: 10, maxConcurrency: 5 });

    // --- seed-clinics: the configured clinics, created once ---------------
    this.seedClinics = this.addFunction('SeedClinics', {
      entry: 'functions/seed-clinics/handler.ts',
      envSchema: SeedClinicsEnv,
      description: 'Deploy time: creates the configured clinics that do not exist yet, never overwrites one',
      memorySize: 256,
      timeout: Duration.seconds(60),
      concurrency: {
        unreservedBecause: 'Runs only during deployments, once per change of the configured clinics.',
      },
      deadLetter: {
        noneBecause:
          'A CloudFormation custom resource: the function answers CloudFormation itself, and a failure fails the ' +
          'deployment, which is where an operator looks.',
      },
    });
    useTable(this.seedClinics, tables.clinics, { items: ['GetItem', 'PutItem'] }, 'CLINICS_TABLE');
    const seeded = new CustomResource(this, 'ConfiguredClinics', {
      serviceToken: this.seedClinics.fn.functionArn,
      resourceType: 'Custom::ConfiguredClinics',
      properties: { Clinics: JSON.stringify(config.clinics) },
      serviceTimeout: Duration.minutes(5),
    });

    // --- staff-api: the HTTP API staff and their systems call -------------
    this.staffApi = this.addFunction('StaffApi', {
      entry: 'functions/staff-api/handler.ts',
      envSchema: StaffApiEnv,
      description:
        'Staff API: clinics, patients, appointments, message timelines, inbox and replies, metrics and imports',
      memorySize: 1024,
      timeout: STAFF_API_TIMEOUT,
      concurrency: { reserved: config.staffApi.concurrency },
      deadLetter: {
        noneBecause:
          'Invoked synchronously by API Gateway: the caller receives the error as the response, and nothing ' +
          'is retried or left over to set aside.',
      },
    });
    // The API gets and conditionally puts clinics, patients and appointments
    // (and queries the start index, keys only, for lists); it queries a patient's
    // messages by key for timelines and metrics, and never the due index,
    // which spans every clinic.
    useTable(this.staffApi, tables.clinics, { items: ['GetItem', 'PutItem'] }, 'CLINICS_TABLE');
    // Query: a broadcast's topic audience reads the clinic's patients in pages (preview and create count it).
    useTable(this.staffApi, tables.patients, { items: ['GetItem', 'PutItem', 'Query'] }, 'PATIENTS_TABLE');
    useTable(
      this.staffApi,
      tables.appointments,
      { items: ['GetItem', 'PutItem'], queries: [INDEX.appointmentsByStart] },
      'APPOINTMENTS_TABLE',
    );
    // Staff replies: created conditionally (a replayed Idempotency-Key reads
    // the reply back), put back to pending if the queue refuses them, and the
    // immediate-send counter (`#send-now`) taken.
    useTable(
      this.staffApi,
      tables.messages,
      { items: ['Query', 'GetItem', 'PutItem', 'UpdateItem'] },
      'MESSAGES_TABLE',
    );
    // The inbox (by state) and a patient's texts (by party); marking one done
    // reads it and updates it conditionally. Texts are written only by handle-inbound.
    // Feedback cases live here too: put conditionally, listed by status (inbox
    // index) or, unfiltered, from the clinic's own partition (Query).
    useTable(
      this.staffApi,
      tables.inbound,
      { items: ['GetItem', 'PutItem', 'Query', 'UpdateItem'], queries: ['inbox', 'byParty'] },
      'INBOUND_TABLE',
    );
    useSetting(this.staffApi, 'MESSAGE_RETENTION_DAYS', config.messageRetentionDays);
    // The claim Cognito gives the user pool's clinics attribute (constructs/staff-users.ts).
    useSetting(this.staffApi, 'CLINICS_CLAIM', CLINICS_CLAIM);
    useSetting(this.staffApi, 'JSON_MAX_BYTES', DEFAULT_STAFF_API_CONFIG.jsonMaxBytes);
    useSetting(this.staffApi, 'IMPORT_MAX_BYTES', DEFAULT_STAFF_API_CONFIG.importMaxBytes);
    useSetting(this.staffApi, 'IMPORT_MAX_ROWS', DEFAULT_STAFF_API_CONFIG.importMaxRows);
    useSetting(this.staffApi, 'STAFF_BROADCAST_MAX_RECIPIENTS', config.staffApi.staffBroadcastMaxRecipients);
    useSetting(this.staffApi, 'SMS_PRICE_PER_SEGMENT', config.staffApi.smsPricePerSegment);
    // A staff reply goes to the send queue at once, within the immediate share of its number's rate.
    useQueue(this.staffApi, stateful.sendQueue, 'SEND_QUEUE_URL');
    useSetting(this.staffApi, 'SMS_PER_SECOND', config.sms.sendRatePerSecond);
    useSetting(this.staffApi, 'SMS_LANES', smsLanesOf(config));
    useSetting(this.staffApi, 'EMAIL_PER_SECOND', config.email.sendRatePerSecond);
    useSetting(this.staffApi, 'LEASE_MINUTES', config.sending.leaseMinutes);
    // The public survey page checks the links' signatures.
    useParameter(this.staffApi, surveyLinkParameterName(config.name), 'SURVEY_LINK_SECRET_PARAMETER');
    this.staffHttpApi = new StaffHttpApi(this, 'StaffHttpApi', {
      deploymentName: config.name,
      handler: this.staffApi,
      // The handler's own route table: the API cannot serve a route the code lacks, or miss one it has.
      routes: STAFF_API_ROUTES,
      issuer: stateful.staffUsers.issuer,
      audience: stateful.staffUsers.client.userPoolClientId,
      key: stateful.key,
      accessLogGroupName: `${logGroupPrefix(config.name)}staff-api-access`,
      logRetentionDays: config.auditLogRetentionDays,
      throttle: config.staffApi,
    });

    // Survey emails carry a signed link to the API's public survey page.
    useParameter(this.sendMessage, surveyLinkParameterName(config.name), 'SURVEY_LINK_SECRET_PARAMETER');
    useSetting(this.sendMessage, 'SURVEY_LINK_BASE_URL', this.staffHttpApi.url);

    this.consoleSite = new ConsoleSite(this, 'Console', {
      deploymentName: config.name,
      userPool: stateful.staffUsers.userPool,
    });
    this.staffHttpApi.acceptConsole(this.consoleSite.client.userPoolClientId, this.consoleSite.url);

    this.monitoring = new Monitoring(this, 'Monitoring', {
      deploymentName: config.name,
      alarmTopic: stateful.alarmTopic,
      planMessages: this.planMessages,
      dispatchDue: this.dispatchDue,
      sendMessage: this.sendMessage,
      planRetryQueue: stateful.planRetryQueue,
      deadLetterQueues: {
        SendDeadLetterQueue: stateful.sendDeadLetterQueue,
        PlanDeadLetterQueue: stateful.planDeadLetterQueue,
        SweepDeadLetterQueue: stateful.sweepDeadLetterQueue,
        ReceiptsDeadLetterQueue: stateful.receiptsDeadLetterQueue,
        InboundDeadLetterQueue: stateful.inboundDeadLetterQueue,
      },
      sendLagSeconds: config.alarms.sendLagSeconds,
      failedMessages: config.alarms.failedMessages,
      smsMonthlyBudgetUsd: config.sms.monthlyBudgetUsd,
      smsLanes: smsLanesWithRates(config),
    });
    this.monitoring.addThrottleAlarm(this.node.findAll().filter((node) => node instanceof ReminderFunction));

    this.watchStaffApi();

    new CfnOutput(this, CONSOLE_OUTPUTS.url, {
      value: `${this.consoleSite.url}/`,
      description: 'The staff console (docs/deploy.md): sign in with a staff user of the pool',
    });
    new CfnOutput(this, CONSOLE_OUTPUTS.bucket, {
      value: this.consoleSite.bucket.bucketName,
      description: 'Where npm run console:deploy writes the built console and its config.json',
    });
    // What the app reads at /config.json: the API's URL and how to sign in (console/src/config.ts).
    new CfnOutput(this, CONSOLE_OUTPUTS.config, {
      value: this.toJsonString({
        apiUrl: this.staffHttpApi.url,
        auth: {
          mode: 'cognito',
          domain: this.consoleSite.loginUrl,
          clientId: this.consoleSite.client.userPoolClientId,
          userPoolId: stateful.staffUsers.userPool.userPoolId,
          region: this.region,
        },
      }),
      description: 'The console config.json that npm run console:deploy writes beside the files',
    });
    new CfnOutput(this, 'StaffApiUrl', {
      value: this.staffHttpApi.url,
      description: 'Base URL of the staff API (docs/api.md); GET /health needs no token',
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.monitoring.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'SeededClinics', {
      value: Fn.join(' ', [
        'created:',
        seeded.getAttString('Created'),
        'updated:',
        seeded.getAttString('Updated'),
        'kept:',
        seeded.getAttString('Kept'),
      ]),
      description:
        'Clinics the last seeding created, the ones whose origination identity it set, and the ones it left as they were',
    });
  }

  /**
   * A function on this deployment's platform (ARM64, newest Node.js, KMS
   * logs, tracing, VPC when configured). The extension point for later
   * capabilities such as the staff API.
   *
   * @param id - construct id
   * @param props - entry, env schema, sizing, concurrency and dead-letter choice
   */
  addFunction<S extends EnvSchema>(
    id: string,
    props: Omit<ReminderFunctionProps<S>, 'platform'>,
  ): ReminderFunction<S> {
    return new ReminderFunction(this, id, { ...props, platform: this.platform });
  }

  /**
   * Alarms on the staff API's server errors and on staff-api crashes or
   * timeouts, and a dashboard row with its traffic, latency and function health.
   */
  private watchStaffApi(): void {
    const fiveMinutes = Duration.minutes(5);
    const { api } = this.staffHttpApi;
    // The API has one stage, so the API-wide metrics are the stage's.
    this.monitoring.addAlarm('StaffApiServerErrorsAlarm', {
      metric: api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 3,
      evaluationPeriods: 1,
      description:
        'The staff API answered at least 3 requests with a 5xx within 5 minutes: check the staff-api logs and ' +
        'the API access logs (integrationErrorMessage).',
    });
    this.monitoring.addAlarm('StaffApiErrorsAlarm', {
      metric: this.staffApi.fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      description:
        'staff-api crashed or ran out of time (the handler answers every error it knows itself); an import ' +
        'may be too large to finish within 29 seconds.',
    });
    this.monitoring.dashboard.addWidgets(
      new GraphWidget({
        title: 'Staff API requests, 4xx and 5xx',
        left: [
          api.metricCount({ period: fiveMinutes, statistic: 'Sum', label: 'requests' }),
          api.metricClientError({ period: fiveMinutes, statistic: 'Sum', label: '4xx' }),
          api.metricServerError({ period: fiveMinutes, statistic: 'Sum', label: '5xx' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Staff API latency (ms)',
        left: ['p50', 'p99'].map((statistic) =>
          api.metricLatency({ period: fiveMinutes, statistic, label: `latency ${statistic}` }),
        ),
        right: [
          api.metricIntegrationLatency({ period: fiveMinutes, statistic: 'p99', label: 'integration p99' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'staff-api errors and throttles',
        left: [
          this.staffApi.fn.metricErrors({ period: fiveMinutes, label: 'errors' }),
          this.staffApi.fn.metricThrottles({ period: fiveMinutes, label: 'throttles' }),
        ],
        width: 8,
      }),
    );
  }

  private buildPlatform(config: DeploymentConfig, stateful: StatefulStack): FunctionPlatform {
    const sharedPolicies: ManagedPolicy[] = [];
    if (!config.vpc) {
      return {
        key: stateful.key,
        logRetentionDays: config.logRetentionDays,
        logGroupPrefix: logGroupPrefix(config.name),
        sharedPolicies,
      };
    }

    // Only the id is used (the security group's VPC); the subnets are given explicitly.
    const vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: config.vpc.vpcId,
      availabilityZones: Fn.getAzs(),
    });
    acknowledge(
      vpc,
      '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
      'The imported VPC serves only as the security group VPC; subnets are passed explicitly, never looked up by zone.',
    );
    const subnets = config.vpc.subnetIds.map((subnetId, index) => {
      const subnet = Subnet.fromSubnetId(this, `Subnet${index}`, subnetId);
      acknowledge(
        subnet,
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        "Lambda needs only the subnet id; nothing here reads the subnet's route table.",
      );
      return subnet;
    });
    const securityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc,
      description: 'clinic-reminders functions: HTTPS out to AWS endpoints, nothing in',
      allowAllOutbound: false,
    });
    // HTTPS to the VPC endpoints and nowhere else: a compromised function has
    // no route to the internet, only to the AWS services it uses.
    for (const prefixListId of config.vpc.endpoints.prefixListIds) {
      securityGroup.addEgressRule(
        Peer.prefixList(prefixListId),
        Port.tcp(443),
        `HTTPS to the gateway endpoint ${prefixListId}`,
      );
    }
    for (const endpointGroupId of config.vpc.endpoints.securityGroupIds) {
      securityGroup.addEgressRule(
        Peer.securityGroupId(endpointGroupId),
        Port.tcp(443),
        `HTTPS to the interface endpoints of ${endpointGroupId}`,
      );
    }
    const networking = new ManagedPolicy(this, 'VpcNetworkingPolicy', {
      description: 'Lets Lambda manage the network interfaces of functions in the VPC',
      statements: [
        allowOn(
          [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          ['*'],
        ),
      ],
    });
    acknowledge(
      networking,
      'AwsSolutions-IAM5[Resource::*]',
      'The network-interface actions Lambda needs for a VPC function (as in AWSLambdaVPCAccessExecutionRole) ' +
        'take "*": the interfaces do not exist until Lambda creates them and the Describe actions have no resource type.',
    );
    return {
      key: stateful.key,
      logRetentionDays: config.logRetentionDays,
      logGroupPrefix: logGroupPrefix(config.name),
      network: { vpc, subnets, securityGroup },
      sharedPolicies: [...sharedPolicies, networking],
    };
  }

  /**
   * EventBridge Scheduler invokes dispatch-due every minute, retries a
   * failed delivery briefly and then drops it into the sweep dead-letter
   * queue. Written on the L1 so the role holds exactly these permissions.
   */
  private scheduleSweep(config: DeploymentConfig, stateful: StatefulStack): void {
    const policy = new ManagedPolicy(this, 'SweepSchedulePolicy', {
      description: 'Scheduler: invoke dispatch-due, dead-letter undeliverable sweeps',
      statements: [
        allowOn(['lambda:InvokeFunction'], [this.dispatchDue.fn.functionArn]),
        ...sendToQueueStatements(this, stateful.sweepDeadLetterQueue),
      ],
    });
    // A schedule group of our own, so the role can trust exactly it: Scheduler
    // names the group (not the schedule) as aws:SourceArn when it assumes the role.
    const group = new CfnScheduleGroup(this, 'SweepScheduleGroup', {
      name: `clinic-reminders-${config.name}`,
    });
    const groupArn = this.formatArn({
      service: 'scheduler',
      resource: 'schedule-group',
      resourceName: `clinic-reminders-${config.name}`,
    });
    const role = new Role(this, 'SweepScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnEquals: { 'aws:SourceArn': groupArn },
        },
      }),
      description: 'Assumed by EventBridge Scheduler for the dispatch-due sweep',
      managedPolicies: [policy],
    });
    new CfnSchedule(this, 'SweepSchedule', {
      description: 'Runs dispatch-due every minute',
      // Ref of a schedule group is its name; it also orders the group first.
      groupName: group.ref,
      scheduleExpression: SWEEP_SCHEDULE,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.dispatchDue.fn.functionArn,
        roleArn: role.roleArn,
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 120 },
        deadLetterConfig: { arn: stateful.sweepDeadLetterQueue.queueArn },
      },
    });
  }
}
