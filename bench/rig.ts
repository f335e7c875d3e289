/**
 * The pipeline the benchmarks drive: DynamoDB Local (the shared database,
 * synthetic data, dummy keys), fresh tables under a random prefix, a
 * capacity meter on the raw client, a simulated clock, and the functions'
 * own composition roots (local/pipeline.ts) with the local stand-ins for
 * AWS: the in-process queue, the local outbox as the providers, recorders
 * for events, dead letters, logs and metrics. No benchmark calls AWS.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { type DynamoDbLocal, startDynamoDbLocal } from '../local/dynamodb-local';
import {
  composePipeline,
  driverParts,
  type LocalPipeline,
  type PipelineSettings,
  pipelineEnvironment,
} from '../local/pipeline';
import { SimulatedClock } from '../shared/adapters/clock';
import { type DynamoClients, makeDynamoClients } from '../shared/adapters/dynamodb/client';
import { createTables } from '../shared/adapters/dynamodb/create-tables';
import { makeRepositories, type Repositories } from '../shared/adapters/dynamodb/repositories';
import { InProcessQueue } from '../shared/adapters/local/in-process-queue';
import { LocalOutbox } from '../shared/adapters/local/local-outbox';
import type { DriverParts } from '../shared/adapters/local/pipeline-driver';
import {
  CapturingLogger,
  RecordingDeadLetters,
  RecordingEventPublisher,
  RecordingTelemetry,
} from '../shared/adapters/local/recorders';
import { StreamPoller } from '../shared/adapters/local/stream-poller';
import type { Message } from '../shared/domain/model';
import type { SmsSender } from '../shared/ports/outbound';
import { prefixedTableNames, type TableNames } from '../shared/tables';
import { CapacityMeter } from './capacity-meter';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface BenchPipelineOptions {
  /** The simulated clock's first instant (UTC ISO). */
  start: string;
  /** The rates and numbers the functions' environment gets. */
  settings: PipelineSettings;
  /** The meter on the raw client; a plain one unless the bench splits phases. */
  meter?: CapacityMeter;
  /** Deliveries the in-process queue runs at once (8 unless given). */
  queueConcurrency?: number;
  /** How long DynamoDB Local may take to answer (its own default unless given). */
  dynamoTimeoutMs?: number;
  /** The SMS provider, given the outbox and the clock; the outbox's own unless given. */
  sms?: (outbox: LocalOutbox, clock: SimulatedClock) => SmsSender;
}

export interface BenchPipeline {
  dynamo: DynamoDbLocal;
  clients: DynamoClients;
  meter: CapacityMeter;
  names: TableNames;
  clock: SimulatedClock;
  repos: Repositories;
  outbox: LocalOutbox;
  queue: InProcessQueue;
  handlers: LocalPipeline;
  poller: StreamPoller;
  /** The driver's parts (stream, sweep, deliver) for a bench to wrap in its meter phases. */
  parts: DriverParts;
}

/**
 * Starts the pipeline, runs the benchmark on it, and stops DynamoDB Local
 * whatever happens.
 *
 * @param options - start instant, settings, and what the bench replaces
 * @param run - the benchmark
 */
export async function withBenchPipeline<T>(
  options: BenchPipelineOptions,
  run: (pipeline: BenchPipeline) => Promise<T>,
): Promise<T> {
  const dynamo = await startDynamoDbLocal({
    sharedDb: true,
    ...(options.dynamoTimeoutMs ? { timeoutMs: options.dynamoTimeoutMs } : {}),
  });
  try {
    const clients = makeDynamoClients({ endpoint: dynamo.endpoint });
    const meter = options.meter ?? new CapacityMeter();
    meter.attach(clients.raw);
    const names = prefixedTableNames(`bench-${randomUUID().slice(0, 6)}-`);
    await createTables(clients.raw, names);
    const streams = new DynamoDBStreamsClient({
      region: 'us-east-1',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const clock = new SimulatedClock(DateTime.fromISO(options.start, { zone: 'utc' }));
    const outbox = new LocalOutbox(clock);
    const sms = options.sms?.(outbox, clock) ?? outbox.sms;
    const queue = new InProcessQueue(clock, {
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 5,
      batchSize: 10,
      concurrency: options.queueConcurrency ?? 8,
    });
    const handlers = composePipeline(pipelineEnvironment(names, options.settings), {
      dynamo: clients.doc,
      clock,
      logger: new CapturingLogger(),
      telemetry: new RecordingTelemetry(),
      replace: {
        plan: () => ({ deadLetters: new RecordingDeadLetters() }),
        dispatch: () => ({ queue, events: new RecordingEventPublisher() }),
        send: () => ({
          sms,
          email: outbox.email,
          events: new RecordingEventPublisher(),
          deadLetters: new RecordingDeadLetters(),
        }),
        inbound: () => ({ events: new RecordingEventPublisher(), deadLetters: new RecordingDeadLetters() }),
      },
    });
    const poller = new StreamPoller(clients.raw, streams, names.appointments);
    const parts = driverParts(handlers, { clock, poller, queue });
    try {
      return await run({
        dynamo,
        clients,
        meter,
        names,
        clock,
        repos: makeRepositories(clients.doc, names),
        outbox,
        queue,
        handlers,
        poller,
        parts,
      });
    } finally {
      clients.raw.destroy();
      streams.destroy();
    }
  } finally {
    await dynamo.stop();
  }
}

/**
 * Every item of the messages table, as stored (a scan; not metered by the
 * bench's phases): what a benchmark reads its figures from after the run.
 *
 * @param pipeline - the benchmark's pipeline
 */
export async function storedMessages(pipeline: Pick<BenchPipeline, 'clients' | 'names'>): Promise<Message[]> {
  const messages: Message[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await pipeline.clients.doc.send(
      new ScanCommand({
        TableName: pipeline.names.messages,
        ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
      }),
    );
    messages.push(...((page.Items ?? []) as Message[]));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return messages;
}
