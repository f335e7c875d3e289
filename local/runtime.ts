/**
 * The whole system in one process, no AWS account: DynamoDB Local holds the
 * data; the SAME handlers as in Lambda run on a simulated clock — a stream
 * poller feeds plan-messages from DynamoDB Local's real stream, the minute
 * schedule drives dispatch-due, an in-process queue with delays stands in for
 * SQS, and the SMS and email senders write to a local outbox.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context, SQSRecord } from 'aws-lambda';
import { DateTime } from 'luxon';
import { composeHandleReceipts } from '../functions/handle-receipts/compose';
import { makeHandler as makeReceiptsHandler } from '../functions/handle-receipts/handler';
import { composeStaffApi } from '../functions/staff-api/compose';
import { SimulatedClock } from '../shared/adapters/clock';
import { type DynamoClients, makeDynamoClients } from '../shared/adapters/dynamodb/client';
import { createTables } from '../shared/adapters/dynamodb/create-tables';
import { DynamoInboundRepository } from '../shared/adapters/dynamodb/inbound-repository';
import type { Repositories } from '../shared/adapters/dynamodb/repositories';
import { InProcessQueue } from '../shared/adapters/local/in-process-queue';
import { LocalOutbox, type OutboxEntry } from '../shared/adapters/local/local-outbox';
import { LocalSurveyLinkSecret } from '../shared/adapters/local/local-survey-link-secret';
import { PipelineDriver } from '../shared/adapters/local/pipeline-driver';
import {
  RecordingDeadLetters,
  RecordingEventPublisher,
  RecordingTelemetry,
} from '../shared/adapters/local/recorders';
import { StreamPoller } from '../shared/adapters/local/stream-poller';
import { ConflictError, NotFoundError, ValidationError } from '../shared/domain/errors';
import {
  ClinicSchema,
  DEFAULT_POLICY,
  type InboundMessage,
  type MessageStatus,
  type OriginationIdentity,
} from '../shared/domain/model';
import { neverSent } from '../shared/domain/receipts';
import type { Role } from '../shared/domain/roles';
import { toUtcIso } from '../shared/domain/time';
import type { JwtClaims } from '../shared/http/local-tokens';
import type { StaffApiDeps } from '../shared/http/staff-api';
import type { AppLogger } from '../shared/ports/outbound';
import { prefixedTableNames, type TableNames } from '../shared/tables';
import { contactIdOf } from '../shared/use-cases/handle-inbound';
import { keywordReplyIdOf } from '../shared/use-cases/queue-auto-reply';
import { type DynamoDbLocal, LOCAL_REGION, startDynamoDbLocal } from './dynamodb-local';
import { inboundEvent, type LocalInbound } from './inbound';
import { composePipeline, driverParts, type LocalPipeline, pipelineEnvironment } from './pipeline';
import { type LocalReceipt, type ReceiptTarget, receiptQueueBody } from './receipts';
import { checkLocalToken, dataFolderTokenSecret, issueLocalToken, newTokenSecret } from './tokens';

export const DEMO_CLINIC_ID = 'demo-clinic';

/** The clinics local mode creates on start; the banner prints a token for each. */
export const SEEDED_CLINIC_IDS: readonly string[] = [DEMO_CLINIC_ID];

/**
 * The demo clinic's number: what patients text in local mode
 * (`POST /local/inbound` sends to it unless `to` names another).
 */
export const DEMO_CLINIC_IDENTITY: OriginationIdentity = {
  id: 'phone-localdemo0000000000000000000000',
  number: '+12025550180',
  numberType: 'simulator',
};

export interface LocalRuntimeOptions {
  /** Folder for DynamoDB Local's data, the outbox file and the clock; none keeps everything in memory. */
  dataDir?: string;
  /** Where the simulated clock starts (default: now, or where a kept clock stopped). */
  start?: DateTime;
  /** One line per outbox message (console.log in `npm start`). */
  print?: (line: string) => void;
  /** Log lines of the handlers (ids only, like in Lambda). */
  logger?: AppLogger;
  /** Send rates per second (the sweep budget). */
  rates?: { sms: number; email: number };
  /** Where local mode's HTTP server answers (survey emails link to its survey page). Default: http://127.0.0.1:$PORT or :3000. */
  publicUrl?: string;
}

const silentLogger: AppLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Runs one task at a time, in order: ticks, clock jumps and shutdown never overlap. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** What local mode says about a text it ran through handle-inbound (no body: texts are PHI). */
export interface InboundReport {
  inboundMessageId: string;
  /** Why the handler set it aside (malformed, unknown number), if it did. */
  setAside?: string;
  /** The stored record: what it was read as, matched and did, and its inbox state. */
  inbound?: Pick<
    InboundMessage,
    'intent' | 'outcome' | 'outcomeReason' | 'state' | 'patientId' | 'appointmentId' | 'answeredMessageId'
  >;
  /**
   * The automatic answer the text got, as stored: `sent` (also in `sent`),
   * or `skipped` with why it was withheld (`hourly-limit`, `looks-automated`,
   * `opted-out`, …). Absent when the text gets no answer (an unknown number's
   * free text, a duplicate, a text set aside).
   */
  answer?: { messageId: string; status: MessageStatus; reason?: string };
  /** What went out meanwhile (the answer, at once). */
  sent: OutboxEntry[];
}

export class LocalRuntime {
  readonly clock: SimulatedClock;
  readonly repos: Repositories;
  readonly outbox: LocalOutbox;
  readonly events = new RecordingEventPublisher();
  readonly deadLetters = new RecordingDeadLetters();
  readonly telemetry = new RecordingTelemetry();
  /** This run's survey link secret: links die with the run. */
  private readonly surveyLinkSecret = new LocalSurveyLinkSecret();
  /** Signs and checks local tokens: kept in the data folder, or this run's own (local/tokens.ts). */
  readonly tokenSecret: string;
  readonly driver: PipelineDriver;
  readonly queue: InProcessQueue;
  private readonly api: StaffApiDeps;
  private readonly inboundHandler: LocalPipeline['inbound'];
  private readonly inbound: DynamoInboundRepository;
  private readonly inboundNumbers: ReadonlyMap<string, string>;
  private readonly serial = new SerialQueue();
  /** The shipped handle-receipts handler, composed by its own composition root. */
  private readonly receipts: ReturnType<typeof makeReceiptsHandler>;
  private receiptSeq = 0;
  /**
   * The envelope time given to the last text posted without one (epoch ms).
   * The simulated clock stands still between requests, so two texts posted
   * one after the other would share an instant; each is stamped a
   * millisecond after the one before, so STOP then START ends opted in, as
   * it would on a phone.
   */
  private lastTextStamp = Number.NEGATIVE_INFINITY;
  private readonly clockFile: string | undefined;

  private constructor(
    private readonly dynamo: DynamoDbLocal,
    private readonly clients: DynamoClients,
    private readonly streams: DynamoDBStreamsClient,
    readonly names: TableNames,
    options: LocalRuntimeOptions,
    start: DateTime,
  ) {
    this.clock = new SimulatedClock(start);
    this.tokenSecret = options.dataDir ? dataFolderTokenSecret(options.dataDir) : newTokenSecret();
    this.clockFile = options.dataDir ? join(options.dataDir, 'clock.json') : undefined;
    const outboxFile = options.dataDir ? join(options.dataDir, 'outbox.jsonl') : undefined;
    this.outbox = new LocalOutbox(this.clock, {
      ...(outboxFile ? { file: outboxFile } : {}),
      ...(options.print ? { print: options.print } : {}),
    });
    if (outboxFile && existsSync(outboxFile)) {
      for (const line of readFileSync(outboxFile, 'utf8').split('\n').filter(Boolean)) {
        this.outbox.entries.push(JSON.parse(line) as OutboxEntry);
      }
    }
    this.queue = new InProcessQueue(this.clock, {
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 5,
      batchSize: 10,
      concurrency: 4,
    });
    const rates = options.rates ?? { sms: 20, email: 20 };
    // The functions' own composition roots, given what CDK would set (local
    // edits to a clinic apply at once) and the local stand-ins for AWS.
    const environment = pipelineEnvironment(names, {
      smsPerSecond: rates.sms,
      emailPerSecond: rates.email,
      // The demo clinic texts from its own (simulator) number, as a clinic
      // with its own number does in AWS; here at the local rate.
      ownNumbers: new Map([[DEMO_CLINIC_ID, rates.sms]]),
      clinicCacheSeconds: 0,
      inboundNumbers: new Map([[DEMO_CLINIC_IDENTITY.number, DEMO_CLINIC_ID]]),
      surveyLinkBaseUrl: options.publicUrl ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`,
    });
    this.inboundNumbers = new Map([[DEMO_CLINIC_IDENTITY.number, DEMO_CLINIC_ID]]);
    const logger = options.logger ?? silentLogger;
    const pipeline = composePipeline(environment, {
      dynamo: clients.doc,
      clock: this.clock,
      logger,
      telemetry: this.telemetry,
      surveyLinkSecret: this.surveyLinkSecret,
      replace: {
        plan: () => ({ deadLetters: this.deadLetters }),
        dispatch: () => ({ queue: this.queue, events: this.events }),
        send: () => ({
          sms: this.outbox.sms,
          email: this.outbox.email,
          events: this.events,
          deadLetters: this.deadLetters,
        }),
        inbound: () => ({ events: this.events, deadLetters: this.deadLetters }),
      },
    });
    this.receipts = makeReceiptsHandler(
      composeHandleReceipts(environment, {
        dynamo: clients.doc,
        clock: this.clock,
        logger,
        telemetry: this.telemetry,
        replace: () => ({ events: this.events, deadLetters: this.deadLetters }),
      }).deps,
    );
    this.inboundHandler = pipeline.inbound;
    this.inbound = new DynamoInboundRepository(clients.doc, names.inbound);
    // Staff replies go to the same queue the sweep fills.
    this.api = composeStaffApi(environment, {
      dynamo: clients.doc,
      clock: this.clock,
      logger,
      telemetry: this.telemetry,
      queue: this.queue,
      surveyLinkSecret: this.surveyLinkSecret,
    }).deps;
    this.repos = this.api;
    const poller = new StreamPoller(clients.raw, streams, names.appointments);
    this.driver = new PipelineDriver(driverParts(pipeline, { clock: this.clock, poller, queue: this.queue }));
  }

  /**
   * Starts DynamoDB Local, creates the tables from the shared definitions and
   * makes sure the demo clinic exists.
   *
   * @param options - data folder, clock start, printing
   */
  static async start(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
    let start = (options.start ?? DateTime.utc()).startOf('second');
    let dynamoDir: string | undefined;
    if (options.dataDir) {
      // The folder holds patients' data (the database, the outbox file) and the keys: its owner's only,
      // also one an earlier version left open (its database file is named after the access key).
      mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      chmodSync(options.dataDir, 0o700);
      dynamoDir = join(options.dataDir, 'dynamodb');
      mkdirSync(dynamoDir, { recursive: true, mode: 0o700 });
      chmodSync(dynamoDir, 0o700);
      const clockFile = join(options.dataDir, 'clock.json');
      if (existsSync(clockFile)) {
        // Time never goes backwards for kept data: resume where the clock stopped.
        const kept = DateTime.fromISO(JSON.parse(readFileSync(clockFile, 'utf8')).now as string, {
          zone: 'utc',
        });
        if (kept.isValid && kept > start) start = kept;
      }
    }
    const dynamo = await startDynamoDbLocal(dynamoDir ? { dataDir: dynamoDir } : {});
    try {
      // The data is this key's own: a client with any other sees an empty database.
      const clients = makeDynamoClients({
        region: LOCAL_REGION,
        endpoint: dynamo.endpoint,
        credentials: dynamo.credentials,
      });
      const streams = new DynamoDBStreamsClient({
        region: LOCAL_REGION,
        endpoint: dynamo.endpoint,
        credentials: dynamo.credentials,
      });
      const names = prefixedTableNames('local-');
      await createTables(clients.raw, names);
      const runtime = new LocalRuntime(dynamo, clients, streams, names, options, start);
      await runtime.seedDemoClinic();
      await runtime.settle();
      return runtime;
    } catch (error) {
      await dynamo.stop();
      throw error;
    }
  }

  get dynamoStartMs(): number {
    return this.dynamo.startMs;
  }

  /** DynamoDB Local's endpoint and the access key that sees this run's data (for the banner). */
  get dynamoAccess(): { endpoint: string; region: string; accessKeyId: string } {
    return {
      endpoint: this.dynamo.endpoint,
      region: LOCAL_REGION,
      accessKeyId: this.dynamo.credentials.accessKeyId,
    };
  }

  private async seedDemoClinic(): Promise<void> {
    const kept = await this.repos.clinics.get(DEMO_CLINIC_ID);
    const now = toUtcIso(this.clock.now());
    if (kept) {
      // Data kept from before the demo clinic had a number gets it, as a deploy would.
      if (!kept.originationIdentity) {
        await this.repos.clinics.put(
          { ...kept, originationIdentity: DEMO_CLINIC_IDENTITY, version: kept.version + 1, updatedAt: now },
          kept.version,
        );
      }
      return;
    }
    await this.repos.clinics.put(
      ClinicSchema.parse({
        clinicId: DEMO_CLINIC_ID,
        name: 'Demo Family Clinic',
        timeZone: 'America/New_York',
        country: 'US',
        contactPhone: '+12025550143',
        policy: DEFAULT_POLICY,
        originationIdentity: DEMO_CLINIC_IDENTITY,
        version: 1,
        createdAt: now,
        updatedAt: now,
      }),
      null,
    );
  }

  /**
   * A token for the given clinics (the demo clinic by default) and role (a
   * clinic admin by default), signed with this run's secret and valid for
   * LOCAL_TOKEN_TTL_DAYS of real time, whatever the simulated clock does.
   */
  staffToken(clinics: readonly string[] = [DEMO_CLINIC_ID], role: Role = 'clinic-admin'): Promise<string> {
    return issueLocalToken(this.tokenSecret, clinics, role);
  }

  /**
   * The claims of a token this run (or its data folder) signed, checked against real time.
   *
   * @throws UnauthorizedError with the reason
   */
  verifyToken(token: string): Promise<JwtClaims> {
    return checkLocalToken(token, this.tokenSecret);
  }

  /** The staff API as its composition root built it, logging to `logger`. */
  staffApiDeps(logger: AppLogger = this.api.logger): StaffApiDeps {
    return { ...this.api, logger };
  }

  /** Plans pending changes and delivers visible sends, without moving the clock. */
  settle(): Promise<void> {
    return this.serial.run(() => this.driver.settle());
  }

  /**
   * Moves the simulated clock to `target`, running every sweep and send on
   * the way at the moment it would happen. Returns the outbox entries sent.
   *
   * @param target - where the clock stops (never before now)
   */
  advanceTo(target: DateTime): Promise<OutboxEntry[]> {
    return this.serial.run(async () => {
      const before = this.outbox.entries.length;
      if (target > this.clock.now()) await this.driver.advanceTo(target);
      else await this.driver.settle();
      this.saveClock();
      return this.outbox.entries.slice(before);
    });
  }

  /**
   * Runs one delivery receipt through the shipped handle-receipts handler, as
   * the receipts queue delivers it in AWS (one SQS record whose body is the
   * provider's event), then plans and sends what it made due (a copy on the
   * next channel goes at the next sweep, as in AWS).
   *
   * @param receipt - the message id, the event type and (a bounce) its type
   * @throws NotFoundError when no such message was sent here
   */
  deliverReceipt(receipt: LocalReceipt) {
    return this.serial.run(async () => {
      const target = await this.receiptTarget(receipt);
      const sqsMessageId = `local-receipt-${++this.receiptSeq}`;
      const record = {
        messageId: sqsMessageId,
        receiptHandle: sqsMessageId,
        body: receiptQueueBody(receipt, target, toUtcIso(this.clock.now())),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(this.clock.now().toMillis()),
          SenderId: 'sns.amazonaws.com',
          ApproximateFirstReceiveTimestamp: String(this.clock.now().toMillis()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:local-receipts',
        awsRegion: 'us-east-1',
      } as SQSRecord;
      const { batchItemFailures } = await this.receipts({ Records: [record] }, {} as Context);
      const message = await this.repos.messages.get(target);
      return {
        messageId: target.messageId,
        status: message?.status,
        ...(message?.reason ? { reason: message.reason } : {}),
        ...(batchItemFailures.length > 0
          ? {
              retry:
                'the message is still being sent: SQS delivers the receipt again after its visibility timeout',
            }
          : {}),
      };
    });
  }

  /**
   * A text from a phone to a clinic's number, run through handle-inbound in
   * the SQS/SNS shape AWS delivers it, then the answer it queued (sent at
   * once, like in AWS). Returns what was recorded and sent.
   *
   * @param text - from, body; `to` defaults to the demo clinic's number; `at` (the envelope Timestamp) to now
   */
  receiveText(text: LocalInbound): Promise<InboundReport> {
    return this.serial.run(async () => {
      const before = this.outbox.entries.length;
      const asideBefore = this.deadLetters.entries.length;
      const inboundMessageId = text.inboundMessageId ?? `local-${randomUUID()}`;
      const to = text.to ?? DEMO_CLINIC_IDENTITY.number;
      await this.inboundHandler(
        inboundEvent({ ...text, to, inboundMessageId, at: text.at ?? this.nextTextStamp() }),
        {} as Context,
      );
      await this.driver.settle();
      const aside = this.deadLetters.entries
        .slice(asideBefore)
        .find((entry) => entry.source === 'handle-inbound');
      const clinicId = this.inboundNumbers.get(to);
      const stored = clinicId ? await this.inbound.get(clinicId, inboundMessageId) : undefined;
      const answer =
        clinicId && stored
          ? await this.repos.messages.get({
              clinicId,
              patientId: stored.patientId ?? contactIdOf(clinicId, text.from),
              messageId: keywordReplyIdOf(inboundMessageId),
            })
          : undefined;
      return {
        inboundMessageId,
        ...(aside ? { setAside: aside.reason } : {}),
        ...(stored
          ? {
              inbound: {
                intent: stored.intent,
                outcome: stored.outcome,
                ...(stored.outcomeReason ? { outcomeReason: stored.outcomeReason } : {}),
                ...(stored.state ? { state: stored.state } : {}),
                ...(stored.patientId ? { patientId: stored.patientId } : {}),
                ...(stored.appointmentId ? { appointmentId: stored.appointmentId } : {}),
                ...(stored.answeredMessageId ? { answeredMessageId: stored.answeredMessageId } : {}),
              },
            }
          : {}),
        ...(answer
          ? {
              answer: {
                messageId: answer.messageId,
                status: answer.status,
                ...(answer.reason ? { reason: answer.reason } : {}),
              },
            }
          : {}),
        sent: this.outbox.entries.slice(before),
      };
    });
  }

  /** The envelope time of a text posted without one: now, and after the last one posted. */
  private nextTextStamp(): string {
    const stamp = Math.max(this.clock.now().toMillis(), this.lastTextStamp + 1);
    this.lastTextStamp = stamp;
    return toUtcIso(DateTime.fromMillis(stamp, { zone: 'utc' }));
  }

  /** The message a posted receipt names: from the outbox, else by the patient given. */
  private async receiptTarget(receipt: LocalReceipt): Promise<ReceiptTarget> {
    const entry = [...this.outbox.entries]
      .reverse()
      .find(
        (sent) =>
          sent.messageId === receipt.messageId && (!receipt.clinicId || sent.clinicId === receipt.clinicId),
      );
    const clinicId = entry?.clinicId ?? receipt.clinicId ?? DEMO_CLINIC_ID;
    // A sent message's partition is on its outbox entry (answers and staff
    // replies too); appointment messages are named after their appointment
    // (<appointmentId>#…), so one not sent yet is found from the visit.
    const appointmentId = receipt.messageId.split('#')[0] ?? '';
    const patientId =
      entry?.patientId ??
      receipt.patientId ??
      (await this.repos.appointments.get(clinicId, appointmentId))?.patientId;
    const message = patientId
      ? await this.repos.messages.get({ clinicId, patientId, messageId: receipt.messageId })
      : undefined;
    if (!patientId || !message) {
      throw new NotFoundError(
        `message ${JSON.stringify(receipt.messageId)} of clinic ${clinicId} not found ` +
          '(see GET /local/outbox; for a message not sent yet give its patientId)',
      );
    }
    if (!entry && !message.providerMessageId && neverSent(message.status)) {
      // handle-receipts would ignore it (no provider ever had the message): say so rather than answer 200.
      throw new ConflictError(
        `message ${JSON.stringify(receipt.messageId)} of clinic ${clinicId} has not been sent (status ` +
          `${message.status}${message.reason ? `, ${message.reason}` : ''}): a receipt follows a send; move the ` +
          'clock (POST /local/clock) until GET /local/outbox shows it',
      );
    }
    const forText = receipt.event.startsWith('TEXT_');
    if (forText !== (message.channel === 'sms')) {
      throw new ValidationError([
        {
          path: 'event',
          message: `${receipt.event} is ${forText ? 'an SMS' : 'an email'} event; message ${receipt.messageId} went by ${message.channel}`,
        },
      ]);
    }
    const patient = await this.repos.patients.get(clinicId, patientId);
    return {
      clinicId,
      patientId,
      messageId: receipt.messageId,
      channel: message.channel,
      providerMessageId: entry?.providerMessageId ?? message.providerMessageId ?? 'local',
      to: entry?.to ?? (message.channel === 'email' ? patient?.email : patient?.phone) ?? '',
    };
  }

  private saveClock() {
    if (this.clockFile) writeFileSync(this.clockFile, JSON.stringify({ now: toUtcIso(this.clock.now()) }));
  }

  async stop(): Promise<void> {
    await this.serial.run(async () => {
      this.saveClock();
      this.clients.raw.destroy();
      this.streams.destroy();
      await this.dynamo.stop();
    });
  }
}
