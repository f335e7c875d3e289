import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { makeHandler as makePlanHandler } from '../../../functions/plan-messages/handler';
import { handler } from '../../../functions/replan-failed-changes/handler';
import { SimulatedClock } from '../../../shared/adapters/clock';
import { makeRepositories, type Repositories } from '../../../shared/adapters/dynamodb/repositories';
import {
  CapturingLogger,
  RecordingDeadLetters,
  RecordingTelemetry,
} from '../../../shared/adapters/local/recorders';
import { StreamPoller } from '../../../shared/adapters/local/stream-poller';
import type { MessageRepository } from '../../../shared/ports/repositories';
import { ClinicCache } from '../../../shared/use-cases/clinic-cache';
import { makeAppointment, makeClinic, makePatient } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
const sqs = mockClient(SQSClient);
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/plan-dead-letters';
const CLINIC = 'replay-clinic';
// Far ahead of the real clock the shipped handler runs on, so every reminder is planned.
const START = '2031-06-03T15:00:00.000Z';

let repos: Repositories;
let streams: DynamoDBStreamsClient;
let streamArn: string;
let poller: StreamPoller;
const savedEnv = { ...process.env };

/** A Lambda context good enough for the Powertools middlewares. */
const context = {
  functionName: 'replan-failed-changes',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:replan-failed-changes',
  memoryLimitInMB: '512',
  awsRequestId: 'test-request',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

beforeAll(async () => {
  repos = makeRepositories(tables.clients.doc, tables.names);
  const endpoint = inject('dynamoEndpoint');
  streams = new DynamoDBStreamsClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { Table } = await tables.clients.raw.send(
    new DescribeTableCommand({ TableName: tables.names.appointments }),
  );
  streamArn = Table?.LatestStreamArn ?? '';
  poller = new StreamPoller(tables.clients.raw, streams, tables.names.appointments);
  await repos.clinics.put(makeClinic({ clinicId: CLINIC }), null);
  await repos.patients.put(makePatient({ clinicId: CLINIC, patientId: 'p-1' }), null);
  // The shipped handler's environment, pointed at DynamoDB Local.
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoint,
    CLINICS_TABLE: tables.names.clinics,
    PATIENTS_TABLE: tables.names.patients,
    APPOINTMENTS_TABLE: tables.names.appointments,
    MESSAGES_TABLE: tables.names.messages,
    PLAN_DEAD_LETTER_QUEUE_URL: DLQ_URL,
    APPOINTMENTS_STREAM_ARN: streamArn,
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
});

afterAll(() => {
  process.env = savedEnv;
  streams.destroy();
});

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
});

/** A messages repository whose writes fail, as during an outage: planning fails and the batch is retried. */
function failingWrites(messages: MessageRepository): MessageRepository {
  return new Proxy(messages, {
    get(target, property, receiver) {
      if (property === 'create')
        return async () => Promise.reject(new Error('ProvisionedThroughputExceeded'));
      return Reflect.get(target, property, receiver);
    },
  });
}

/**
 * Runs the real plan-messages handler over what the stream holds, with the
 * given messages repository; returns the batch record it reported as
 * failed (Lambda would retry it, then give up), and what it set aside.
 */
async function planWith(
  messages: MessageRepository,
): Promise<[Record<string, unknown> | undefined, DynamoDBRecord | undefined]> {
  let failed: DynamoDBRecord | undefined;
  const deadLetters = new RecordingDeadLetters();
  const clock = new SimulatedClock(DateTime.fromISO('2031-01-01T00:00:00.000Z', { zone: 'utc' }));
  const plan = makePlanHandler({
    clinics: new ClinicCache(repos.clinics, clock),
    patients: repos.patients,
    messages,
    clock,
    logger: new CapturingLogger(),
    telemetry: new RecordingTelemetry(),
    deadLetters,
    counters: repos.counters,
  });
  await poller.drain(async (event) => {
    const response = await plan(event, context);
    const sequence = response.batchItemFailures[0]?.itemIdentifier;
    failed ??= event.Records.find((record) => record.dynamodb?.SequenceNumber === sequence);
    // Lambda would retry, then give up and move on: acknowledge the batch here.
    return { batchItemFailures: [] };
  });
  return [deadLetters.entries[0] as Record<string, unknown> | undefined, failed];
}

/**
 * Fails planning of what the stream holds (an outage of the messages
 * table) and returns what Lambda writes to the on-failure destination once
 * it gives up on the failed record: its shard and sequence numbers only.
 */
async function failPlanning(): Promise<Record<string, unknown>> {
  const [, failed] = await planWith(failingWrites(repos.messages));
  const sequence = failed?.dynamodb?.SequenceNumber;
  if (!sequence) throw new Error('planning did not fail');
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shard = StreamDescription?.Shards?.find(
    (candidate) => BigInt(candidate.SequenceNumberRange?.StartingSequenceNumber ?? '0') <= BigInt(sequence),
  );
  return {
    requestContext: {
      requestId: 'c0ffee00-0000-4000-8000-000000000000',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:plan-messages',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 9,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2031-01-01T00:00:05.000Z',
    DDBStreamBatchInfo: {
      shardId: shard?.ShardId,
      startSequenceNumber: sequence,
      endSequenceNumber: sequence,
      approximateArrivalOfFirstRecord: '2031-01-01T00:00:00Z',
      approximateArrivalOfLastRecord: '2031-01-01T00:00:00Z',
      batchSize: 1,
      streamArn,
    },
  };
}

let entries = 0;
function sqsEvent(...bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body) => {
      entries += 1;
      return {
        messageId: `entry-${entries}`,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      } as SQSRecord;
    }),
  };
}

function setAside(reason: string, ids: Record<string, string>) {
  return {
    QueueUrl: DLQ_URL,
    MessageBody: JSON.stringify({ source: 'replan-failed-changes', reason, ids }),
  };
}

describe('replan-failed-changes: a planning failure is recoverable', () => {
  it('reads a failed change back from the stream and plans its appointment', async () => {
    // Prepare
    await repos.appointments.put(
      makeAppointment({ clinicId: CLINIC, appointmentId: 'a-outage', patientId: 'p-1', startAt: START }),
      null,
    );
    const entry = await failPlanning();
    expect(await repos.messages.listForAppointment(CLINIC, 'p-1', 'a-outage')).toEqual([]);

    // Act
    const response = await handler(sqsEvent(entry), context);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const planned = await repos.messages.listForAppointment(CLINIC, 'p-1', 'a-outage');
    expect(planned.map((message) => message.kind).sort()).toEqual([
      'confirmation',
      'reminder',
      'reminder',
      'reminder',
    ]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('plans a change only once however often its entry is replayed', async () => {
    // Prepare
    await repos.appointments.put(
      makeAppointment({ clinicId: CLINIC, appointmentId: 'a-twice', patientId: 'p-1', startAt: START }),
      null,
    );
    const entry = await failPlanning();

    // Act
    await handler(sqsEvent(entry, entry), context);

    // Assess
    expect(await repos.messages.listForAppointment(CLINIC, 'p-1', 'a-twice')).toHaveLength(4);
  });

  it('sets a change that still cannot be planned aside by ids, and plans it when the entry is replayed after the fix', async () => {
    // Prepare: an appointment of a patient the clinic does not have yet; plan-messages sets it aside.
    await repos.appointments.put(
      makeAppointment({ clinicId: CLINIC, appointmentId: 'a-orphan', patientId: 'p-later', startAt: START }),
      null,
    );
    const [setAsideByPlanning] = await planWith(repos.messages);
    expect(setAsideByPlanning).toMatchObject({ reason: 'unknown-patient' });

    // Act: replayed before the cause is fixed.
    await handler(sqsEvent(setAsideByPlanning), context);

    // Assess
    const ids = { clinicId: CLINIC, appointmentId: 'a-orphan' };
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      setAside('unknown-patient', ids),
    ]);

    // Act: the cause is fixed, and the entry set aside again is moved back to the retry queue.
    await repos.patients.put(makePatient({ clinicId: CLINIC, patientId: 'p-later' }), null);
    const replay = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '';
    sqs.resetHistory();
    await handler(sqsEvent(replay), context);

    // Assess
    expect(await repos.messages.listForAppointment(CLINIC, 'p-later', 'a-orphan')).toHaveLength(4);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('sets a batch aside with its position when the stream no longer holds it', async () => {
    // Act
    const entry = {
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000000000000000000-00000000',
        startSequenceNumber: '000000000000000000100',
        endSequenceNumber: '000000000000000000100',
        streamArn,
      },
    };
    await handler(sqsEvent(entry), context);

    // Assess
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      setAside('stream-records-gone', {
        shardId: 'shardId-00000000000000000000-00000000',
        startSequenceNumber: '000000000000000000100',
        endSequenceNumber: '000000000000000000100',
      }),
    ]);
  });

  it('never reads another stream than the appointments table’s, and sets unreadable entries aside', async () => {
    // Act
    const response = await handler(
      sqsEvent(
        {
          DDBStreamBatchInfo: {
            shardId: 'shardId-1',
            startSequenceNumber: '100000000000000000001',
            endSequenceNumber: '100000000000000000001',
            streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/other/stream/2031-01-01T00:00:00.000',
          },
        },
        'not json {',
      ),
      context,
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      setAside('unknown-stream', {
        shardId: 'shardId-1',
        startSequenceNumber: '100000000000000000001',
        endSequenceNumber: '100000000000000000001',
      }),
      setAside('unreadable-entry', { entryId: `entry-${entries}` }),
    ]);
  });

  it('lets SQS deliver an entry again when the dead-letter queue cannot be written', async () => {
    // Prepare
    sqs.on(SendMessageCommand).rejects(new Error('ServiceUnavailable'));

    // Act
    const response = await handler(sqsEvent('not json either'), context);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: `entry-${entries}` }]);
  });
});
