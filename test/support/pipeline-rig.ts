/**
 * The whole message pipeline against DynamoDB Local, on a simulated clock:
 * the three shipped handlers composed by their own composition roots from
 * the environment CDK gives them (so the real SNS/SES/SQS/EventBridge
 * adapters run, over aws-sdk-client-mock, and tests can assert the exact
 * command input), the real stream of the appointments table, and an
 * in-process queue fed by the mocked SQS SendMessageBatch, with SQS's delay
 * and redelivery rules.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, inject } from 'vitest';
import {
  composePipeline,
  driverParts,
  type LocalPipeline,
  type PipelineSettings,
  pipelineEnvironment,
} from '../../local/pipeline';
import { SimulatedClock } from '../../shared/adapters/clock';
import { type DynamoClients, makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { createTables, deleteTables } from '../../shared/adapters/dynamodb/create-tables';
import { makeRepositories, type Repositories } from '../../shared/adapters/dynamodb/repositories';
import { InProcessQueue } from '../../shared/adapters/local/in-process-queue';
import { PipelineDriver } from '../../shared/adapters/local/pipeline-driver';
import { CapturingLogger, RecordingTelemetry } from '../../shared/adapters/local/recorders';
import { StreamPoller } from '../../shared/adapters/local/stream-poller';
import type { StatusChange } from '../../shared/domain/appointment-changes';
import type { Appointment, Clinic, Message, Patient } from '../../shared/domain/model';
import type { DailyCounters } from '../../shared/ports/counters';
import type { AppLogger, EmailSender, SendQueue, SmsSender } from '../../shared/ports/outbound';
import type { AppointmentRepository, MessageRepository } from '../../shared/ports/repositories';
import { prefixedTableNames, type TableNames } from '../../shared/tables';
import { changeAppointmentStatus, saveAppointment } from '../../shared/use-cases/appointments';
import { makeClinic, makePatient, TEST_NOW } from './factories';

export const REGION = 'us-east-1';
export const SEND_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/send-queue';
export const PLAN_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/plan-dead-letters';
export const SEND_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/send-dead-letters';
export const BUS_NAME = 'clinic-reminders-bus';
export const ORIGINATION_NUMBER = '+18005550199';
export const FROM_ADDRESS = 'Riverside Family Clinic <reminders@clinic.example>';
export const CONFIGURATION_SET = 'clinic-reminders';
export const SMS_CONFIGURATION_SET = 'clinic-reminders-sms';

/**
 * The exact SES SendEmail input the rig's sender makes for one email.
 *
 * @param email - recipient, subject, text, and the ids as the SES tags hold
 *   them (`#` written `@23`); the patient is `p-1` unless named
 */
export function sesInput(email: {
  to: string;
  subject: string;
  text: string;
  messageIdTag: string;
  patientIdTag?: string;
}) {
  return {
    FromEmailAddress: FROM_ADDRESS,
    Destination: { ToAddresses: [email.to] },
    Content: {
      Simple: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: email.text, Charset: 'UTF-8' } },
      },
    },
    ConfigurationSetName: CONFIGURATION_SET,
    EmailTags: [
      { Name: 'clinicId', Value: 'demo-clinic' },
      { Name: 'patientId', Value: email.patientIdTag ?? 'p-1' },
      { Name: 'messageId', Value: email.messageIdTag },
    ],
  };
}

const context = {} as Context;

/** Wrappers a test may put around a port to inject a crash or a fault. */
export interface RigOverrides {
  messages?: (real: MessageRepository) => MessageRepository;
  appointments?: (real: AppointmentRepository) => AppointmentRepository;
  queue?: (real: SendQueue) => SendQueue;
  sms?: (real: SmsSender) => SmsSender;
  email?: (real: EmailSender) => EmailSender;
  logger?: AppLogger;
  /** Settings as a deployment sets them (send rates, attempts, …). */
  settings?: Partial<PipelineSettings>;
  /** Dispatchers that sweep at the same moment (racing for the same items). */
  dispatchers?: number;
  /** The daily counters of plan-messages, send-message and handle-inbound (one shared wrapper). */
  counters?: (real: DailyCounters) => DailyCounters;
  /**
   * The driver's "when is the next item due" (the simulator answers it with
   * one scan of its own small table instead of a query per due partition).
   */
  earliestDueAt?: () => Promise<string | undefined>;
  /**
   * AWS client mocks that the caller programs and restores, for rigs that
   * run at once in one process (the simulator routes each call to its run).
   */
  mocks?: RigMocks;
}

/** The outbound AWS clients a rig mocks. */
export interface RigMocks {
  sns: AwsClientStub<SNSClient>;
  eum: AwsClientStub<PinpointSMSVoiceV2Client>;
  ses: AwsClientStub<SESv2Client>;
  sqs: AwsClientStub<SQSClient>;
  events: AwsClientStub<EventBridgeClient>;
}

export interface ProviderCall {
  at: string;
  channel: 'sms' | 'email';
  to: string;
  text: string;
  subject?: string;
  messageId: string;
}

export class PipelineRig {
  readonly clock = new SimulatedClock(DateTime.fromISO(TEST_NOW, { zone: 'utc' }));
  readonly snsMock: AwsClientStub<SNSClient>;
  /** End User Messaging: texts of the clinics with a number of their own. */
  readonly eumMock: AwsClientStub<PinpointSMSVoiceV2Client>;
  readonly sesMock: AwsClientStub<SESv2Client>;
  readonly sqsMock: AwsClientStub<SQSClient>;
  readonly eventsMock: AwsClientStub<EventBridgeClient>;
  /** The mocks are the caller's (shared by rigs running at once): not programmed, not restored here. */
  private readonly sharedMocks: boolean;
  readonly queue = new InProcessQueue(this.clock);
  readonly logger: AppLogger;
  readonly telemetry = new RecordingTelemetry();
  readonly calls: ProviderCall[] = [];
  /** Every request that reached a provider adapter, by message id (success or not). */
  readonly providerRequests: { channel: 'sms' | 'email'; messageId: string }[] = [];
  /** Errors of sweeps; the schedule retries and the next minute sweeps anyway. */
  readonly sweepErrors: unknown[] = [];
  readonly setAside: unknown[] = [];
  readonly repos: Repositories;
  readonly plan: LocalPipeline['plan'];
  readonly dispatch: LocalPipeline['dispatch'];
  readonly send: LocalPipeline['send'];
  /** handle-inbound, composed beside the three (texts go in as the SQS records AWS delivers). */
  readonly inbound: LocalPipeline['inbound'];
  /** The environment the functions were composed from (the simulator composes the staff API from it too). */
  readonly environment: Record<string, string>;
  readonly driver: PipelineDriver;
  private readonly poller: StreamPoller;
  private readonly streams: DynamoDBStreamsClient;
  private providerSeq = 0;

  constructor(
    readonly clients: DynamoClients,
    readonly names: TableNames,
    streams: DynamoDBStreamsClient,
    overrides: RigOverrides = {},
  ) {
    const mocks = overrides.mocks;
    this.sharedMocks = mocks !== undefined;
    this.snsMock = mocks?.sns ?? mockClient(SNSClient);
    this.eumMock = mocks?.eum ?? mockClient(PinpointSMSVoiceV2Client);
    this.sesMock = mocks?.ses ?? mockClient(SESv2Client);
    this.sqsMock = mocks?.sqs ?? mockClient(SQSClient);
    this.eventsMock = mocks?.events ?? mockClient(EventBridgeClient);
    this.logger = overrides.logger ?? new CapturingLogger();
    this.repos = makeRepositories(clients.doc, names);
    this.streams = streams;
    this.poller = new StreamPoller(clients.raw, streams, names.appointments);
    if (!this.sharedMocks) this.mockProviders();

    const environment = pipelineEnvironment(
      names,
      { smsPerSecond: 10, emailPerSecond: 10, ...overrides.settings },
      {
        region: REGION,
        sendQueueUrl: SEND_QUEUE_URL,
        planDeadLetterQueueUrl: PLAN_DLQ_URL,
        sendDeadLetterQueueUrl: SEND_DLQ_URL,
        eventBusName: BUS_NAME,
        sesFromAddress: FROM_ADDRESS,
        sesConfigurationSet: CONFIGURATION_SET,
        smsConfigurationSet: SMS_CONFIGURATION_SET,
        receiptsDeadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/receipts-dead-letters',
        smsOriginationNumber: ORIGINATION_NUMBER,
        smsMaxPriceUsd: '0.50',
      },
    );
    this.environment = environment;
    const wrap = <T>(real: T, wrapper?: (real: T) => T) => (wrapper ? wrapper(real) : real);
    // One wrapped outbox for the three functions, so a fault's own state (crash once) is shared.
    let messages: MessageRepository | undefined;
    const sharedMessages = (built: { messages: MessageRepository }) =>
      (messages ??= wrap(built.messages, overrides.messages));
    let counters: DailyCounters | undefined;
    const sharedCounters = (built: { counters: DailyCounters }) =>
      (counters ??= wrap(built.counters, overrides.counters));
    const pipeline = composePipeline(environment, {
      dynamo: clients.doc,
      clock: this.clock,
      logger: this.logger,
      telemetry: this.telemetry,
      random: () => 0.5,
      replace: {
        plan: (built) => ({ messages: sharedMessages(built), counters: sharedCounters(built) }),
        dispatch: (built) => ({
          messages: sharedMessages(built),
          queue: wrap(built.queue, overrides.queue),
        }),
        send: (built) => ({
          messages: sharedMessages(built),
          appointments: wrap(built.appointments, overrides.appointments),
          sms: wrap(this.recorded('sms', built.sms), overrides.sms),
          email: wrap(this.recorded('email', built.email), overrides.email),
          counters: sharedCounters(built),
        }),
        inbound: (built) => ({ counters: sharedCounters(built) }),
      },
    });
    this.plan = pipeline.plan;
    this.dispatch = pipeline.dispatch;
    this.send = pipeline.send;
    this.inbound = pipeline.inbound;
    this.driver = new PipelineDriver({
      ...driverParts(pipeline, { clock: this.clock, poller: this.poller, queue: this.queue }),
      ...(overrides.earliestDueAt ? { earliestDueAt: overrides.earliestDueAt } : {}),
      // A scheduled sweep may run several dispatchers at once; their errors are kept.
      sweep: () => this.sweep(overrides.dispatchers ?? 1),
    });
  }

  private recorded<S extends SmsSender | EmailSender>(channel: 'sms' | 'email', sender: S): S {
    const requests = this.providerRequests;
    return {
      send: (request: { messageId: string }) => {
        requests.push({ channel, messageId: request.messageId });
        return sender.send(request as never);
      },
    } as unknown as S;
  }

  /** One scheduled sweep: `dispatchers` invocations at the same instant, errors kept. */
  async sweep(dispatchers = 1): Promise<void> {
    const runs = Array.from({ length: dispatchers }, () => this.dispatch({} as ScheduledEvent, context));
    for (const result of await Promise.allSettled(runs)) {
      if (result.status === 'rejected') this.sweepErrors.push(result.reason);
    }
  }

  /** Default provider behaviour: accept and record; tests override per case. */
  /** SNS refuses the next `times` publishes with `error`, then accepts again (every time if `times` is omitted). */
  smsFails(error: Error, times?: number): void {
    const behaviour = this.snsMock.on(PublishCommand);
    if (times === undefined) {
      behaviour.rejects(error);
      return;
    }
    let chain = behaviour;
    for (let i = 0; i < times; i++) chain = chain.rejectsOnce(error);
    chain.callsFake((input) => this.acceptSms(input));
  }

  /** The default SNS behaviour: record the call and accept it. */
  acceptSms(input: { PhoneNumber?: string; Message?: string }) {
    this.calls.push({
      at: this.clock.now().toISO() ?? '',
      channel: 'sms',
      to: String(input.PhoneNumber),
      text: String(input.Message),
      messageId: '',
    });
    return { MessageId: `sns-${++this.providerSeq}` };
  }

  /** End User Messaging refuses the next `times` texts with `error`, then accepts again (every time if omitted). */
  eumFails(error: Error, times?: number): void {
    const behaviour = this.eumMock.on(SendTextMessageCommand);
    if (times === undefined) {
      behaviour.rejects(error);
      return;
    }
    let chain = behaviour;
    for (let i = 0; i < times; i++) chain = chain.rejectsOnce(error);
    chain.callsFake((input) => this.acceptText(input));
  }

  /** The default End User Messaging behaviour: record the call and accept it. */
  acceptText(input: {
    DestinationPhoneNumber?: string;
    MessageBody?: string;
    Context?: Record<string, string>;
  }) {
    this.calls.push({
      at: this.clock.now().toISO() ?? '',
      channel: 'sms',
      to: String(input.DestinationPhoneNumber),
      text: String(input.MessageBody),
      messageId: String(input.Context?.messageId ?? ''),
    });
    return { MessageId: `eum-${++this.providerSeq}` };
  }

  private mockProviders() {
    this.snsMock.on(PublishCommand).callsFake((input) => this.acceptSms(input));
    this.eumMock.on(SendTextMessageCommand).callsFake((input) => this.acceptText(input));
    this.sesMock.on(SendEmailCommand).callsFake((input) => {
      this.calls.push({
        at: this.clock.now().toISO() ?? '',
        channel: 'email',
        to: String(input.Destination?.ToAddresses?.[0]),
        text: String(input.Content?.Simple?.Body?.Text?.Data),
        subject: String(input.Content?.Simple?.Subject?.Data),
        messageId: String(input.EmailTags?.find((tag: { Name: string }) => tag.Name === 'messageId')?.Value),
      });
      return { MessageId: `ses-${++this.providerSeq}` };
    });
    this.sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      for (const entry of input.Entries ?? [])
        this.queue.push(String(entry.MessageBody), Number(entry.DelaySeconds ?? 0));
      return {
        Successful: (input.Entries ?? []).map((e: { Id: string }) => ({
          Id: e.Id,
          MessageId: e.Id,
          MD5OfMessageBody: '',
        })),
        Failed: [],
      };
    });
    this.sqsMock.on(SendMessageCommand).callsFake((input) => {
      this.setAside.push(JSON.parse(String(input.MessageBody)));
      return { MessageId: 'dlq' };
    });
    this.eventsMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: 0,
      Entries: (input.Entries ?? []).map((_, i) => ({ EventId: `event-${i}` })),
    }));
  }

  /** Every event published to the bus, parsed. */
  events(): { detailType: string; detail: Record<string, unknown> }[] {
    return this.eventsMock.commandCalls(PutEventsCommand).flatMap((call) =>
      (call.args[0].input.Entries ?? []).map((entry) => ({
        detailType: String(entry.DetailType),
        detail: JSON.parse(String(entry.Detail)) as Record<string, unknown>,
      })),
    );
  }

  private appointmentDeps() {
    return { appointments: this.repos.appointments, patients: this.repos.patients, clock: this.clock };
  }

  async seedClinic(overrides: Parameters<typeof makeClinic>[0] = {}): Promise<Clinic> {
    const clinic = makeClinic(overrides);
    await this.repos.clinics.put(clinic, null);
    return clinic;
  }

  async seedPatient(overrides: Partial<Patient> = {}): Promise<Patient> {
    const patient = makePatient(overrides);
    await this.repos.patients.put(patient, null);
    return patient;
  }

  async book(
    appointmentId: string,
    fields: Record<string, unknown>,
    clinicId = 'demo-clinic',
  ): Promise<Appointment> {
    const { record: appointment } = await saveAppointment(
      this.appointmentDeps(),
      { clinicId, appointmentId },
      fields,
      undefined,
    );
    return appointment;
  }

  async update(current: Appointment, fields: Record<string, unknown>): Promise<Appointment> {
    const { record: appointment } = await saveAppointment(
      this.appointmentDeps(),
      { clinicId: current.clinicId, appointmentId: current.appointmentId },
      {
        patientId: current.patientId,
        durationMinutes: current.durationMinutes,
        type: current.type,
        location: current.location,
        ...fields,
      },
      current.version,
    );
    return appointment;
  }

  async changeStatus(current: Appointment, change: StatusChange): Promise<Appointment> {
    const { record: appointment } = await changeAppointmentStatus(
      this.appointmentDeps(),
      { clinicId: current.clinicId, appointmentId: current.appointmentId },
      change,
    );
    return appointment;
  }

  /** Every stored message of an appointment. */
  async messagesOf(appointment: Appointment): Promise<Message[]> {
    return this.repos.messages.listForAppointment(
      appointment.clinicId,
      appointment.patientId,
      appointment.appointmentId,
    );
  }

  /** A new reader of the appointments stream, from its start. */
  newStreamPoller(): StreamPoller {
    return new StreamPoller(this.clients.raw, this.streams, this.names.appointments);
  }

  /** Delivers the whole stream again from its start, as a replay after an outage would. */
  async replayStream(): Promise<number> {
    return this.newStreamPoller().drain((event: DynamoDBStreamEvent) => this.plan(event, context));
  }

  async advanceTo(iso: string): Promise<void> {
    await this.driver.advanceTo(DateTime.fromISO(iso, { zone: 'utc' }));
  }

  restoreMocks() {
    if (this.sharedMocks) return;
    this.snsMock.restore();
    this.eumMock.restore();
    this.sesMock.restore();
    this.sqsMock.restore();
    this.eventsMock.restore();
  }
}

/**
 * Gives each test its own tables; `rigFor(overrides)` builds the pipeline on
 * them (once per test), with faults injected through `overrides`.
 */
export function usePipelineRig(): (overrides?: RigOverrides) => PipelineRig {
  let tables: { clients: DynamoClients; names: TableNames; streams: DynamoDBStreamsClient } | undefined;
  let built: PipelineRig | undefined;
  beforeEach(async () => {
    const endpoint = inject('dynamoEndpoint');
    const clients = makeDynamoClients({ endpoint });
    const names = prefixedTableNames(`p${randomUUID().slice(0, 8)}-`);
    await createTables(clients.raw, names);
    const streams = new DynamoDBStreamsClient({
      region: REGION,
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    tables = { clients, names, streams };
  });
  afterEach(async () => {
    built?.restoreMocks();
    built = undefined;
    if (tables) {
      await deleteTables(tables.clients.raw, tables.names);
      tables.clients.raw.destroy();
      tables.streams.destroy();
    }
  });
  return (overrides: RigOverrides = {}) => {
    if (!tables) throw new Error('rigFor() is for use inside a test');
    if (built) throw new Error('one rig per test');
    built = new PipelineRig(tables.clients, tables.names, tables.streams, overrides);
    return built;
  };
}
