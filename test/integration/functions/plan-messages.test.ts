import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord, ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { handler as sweep } from '../../../functions/dispatch-due/handler';
import { handler } from '../../../functions/plan-messages/handler';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import { StreamPoller } from '../../../shared/adapters/local/stream-poller';
import { toUtcIso } from '../../../shared/domain/time';
import { makeAppointment, makeClinic, makePatient } from '../../support/factories';
import {
  LAMBDA_CONTEXT,
  PLAN_DLQ_URL,
  REGION,
  SEND_QUEUE_URL,
  useShippedHandlerEnvironment,
} from '../../support/shipped';

const tables = useShippedHandlerEnvironment('plan-messages');
// The sweep this file races against the planner is dispatch-due, which also reports overdue cases.
beforeAll(() => {
  process.env.INBOUND_TABLE = tables.names.inbound;
  process.env.EVENT_BUS_NAME = 'clinic-reminders-bus';
});
const sqs = mockClient(SQSClient);
afterAll(() => sqs.restore());

/** The appointments stream as Lambda would deliver it: the real records of DynamoDB Local's stream (of one appointment, if named). */
async function streamRecords(appointmentId?: string): Promise<DynamoDBRecord[]> {
  const streams = new DynamoDBStreamsClient({
    region: REGION,
    endpoint: inject('dynamoEndpoint'),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const records: DynamoDBRecord[] = [];
  await new StreamPoller(tables.clients.raw, streams, tables.names.appointments).drain(async (event) => {
    records.push(...event.Records);
    return { batchItemFailures: [] };
  });
  streams.destroy();
  return appointmentId
    ? records.filter((record) => record.dynamodb?.Keys?.appointmentId?.S === appointmentId)
    : records;
}

/** The send queue accepts every entry. */
function queueAcceptsAll() {
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: entry.Id, MD5OfMessageBody: '' })),
    Failed: [],
  }));
}

/** Every entry put on the send queue, by whichever function. */
function queuedEntries() {
  return sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

const SCHEDULED_EVENT = {
  version: '0',
  id: 'sweep-1',
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: '123456789012',
  time: '2026-12-01T15:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {},
} as ScheduledEvent;

/** Quiet hours off, so that a confirmation planned on the real clock is due now whatever the hour. */
const noQuietHours = { quietHours: { enabled: false, start: '21:00', end: '08:00' } };

beforeEach(() => {
  sqs.reset();
});

describe('the shipped plan-messages handler', () => {
  it('plans the messages of a stream batch and sets a malformed record aside on the plan DLQ, going on with the batch', async () => {
    // Prepare: a clinic, a patient and a booking three days ahead (the handler runs on the real clock).
    const repos = makeRepositories(tables.clients.doc, tables.names);
    await repos.clinics.put(makeClinic(), null);
    await repos.patients.put(makePatient(), null);
    const startAt = toUtcIso(DateTime.utc().plus({ days: 3 }).startOf('hour'));
    const appointment = makeAppointment({
      startAt,
      createdAt: toUtcIso(DateTime.utc()),
      updatedAt: toUtcIso(DateTime.utc()),
    });
    await repos.appointments.put(appointment, null);
    const [booked] = await streamRecords();
    const malformed: DynamoDBRecord = {
      eventID: 'malformed-1',
      eventName: 'INSERT',
      dynamodb: {
        Keys: { clinicId: { S: 'demo-clinic' }, appointmentId: { S: 'a-broken' } },
        NewImage: { clinicId: { S: 'demo-clinic' }, appointmentId: { S: 'a-broken' } },
        SequenceNumber: '1',
      },
    };
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });

    // Act
    const response = await handler({ Records: [malformed, booked as DynamoDBRecord] }, LAMBDA_CONTEXT);

    // Assess: nothing to retry; the malformed change set aside with ids and reason only; the booking planned.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: PLAN_DLQ_URL,
        MessageBody: JSON.stringify({
          source: 'plan-messages',
          reason: 'malformed-record',
          ids: {
            clinicId: 'demo-clinic',
            appointmentId: 'a-broken',
            sequenceNumber: '1',
            eventId: 'malformed-1',
          },
        }),
      },
    ]);
    const planned = await repos.messages.listForAppointment('demo-clinic', 'p-1', appointment.appointmentId);
    expect(planned.map((message) => message.kind).sort()).toEqual(
      expect.arrayContaining(['confirmation', 'reminder']),
    );
    expect(planned.every((message) => message.planVersion === 1)).toBe(true);
  });

  it('puts a booking confirmation on the send queue at once, claimed, without waiting for a sweep', async () => {
    // Prepare: a booking three days ahead of the real clock, for a patient of a clinic without quiet hours.
    const repos = makeRepositories(tables.clients.doc, tables.names);
    await repos.clinics.put(makeClinic({ clinicId: 'now-clinic', policy: noQuietHours }), null);
    await repos.patients.put(makePatient({ clinicId: 'now-clinic', patientId: 'p-now' }), null);
    const now = DateTime.utc();
    await repos.appointments.put(
      makeAppointment({
        clinicId: 'now-clinic',
        patientId: 'p-now',
        appointmentId: 'a-now',
        startAt: toUtcIso(now.plus({ days: 3 }).startOf('hour')),
        createdAt: toUtcIso(now),
        updatedAt: toUtcIso(now),
      }),
      null,
    );
    const records = await streamRecords('a-now');
    queueAcceptsAll();

    // Act: the stream batch only; no sweep runs.
    const response = await handler({ Records: records }, LAMBDA_CONTEXT);

    // Assess: the confirmation is queued with the claim it holds (ids and token only, no delay); the reminders wait.
    expect(response).toEqual({ batchItemFailures: [] });
    const planned = await repos.messages.listForAppointment('now-clinic', 'p-now', 'a-now');
    const confirmations = planned.filter((message) => message.kind === 'confirmation');
    expect(confirmations.map((message) => message.status)).toEqual(['queued']);
    const reminders = planned.filter((message) => message.kind === 'reminder');
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.some((message) => message.status === 'queued')).toBe(false);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      QueueUrl: SEND_QUEUE_URL,
      Entries: expect.arrayContaining(
        confirmations.map((message) => ({
          Id: expect.any(String),
          MessageBody: JSON.stringify({
            clinicId: 'now-clinic',
            patientId: 'p-now',
            messageId: message.messageId,
            token: message.claimToken,
          }),
          DelaySeconds: 0,
        })),
      ),
    });
    expect(calls[0]?.args[0].input.Entries).toHaveLength(confirmations.length);
  });

  it('never queues a message twice when a sweep runs while the planner queues it at once', async () => {
    // Prepare: five bookings, each planned while a sweep runs at the same moment.
    const repos = makeRepositories(tables.clients.doc, tables.names);
    await repos.clinics.put(makeClinic({ clinicId: 'race-clinic', policy: noQuietHours }), null);
    const now = DateTime.utc();
    const ids = ['a-race-1', 'a-race-2', 'a-race-3', 'a-race-4', 'a-race-5'];
    for (const [index, appointmentId] of ids.entries()) {
      const patientId = `p-race-${index}`;
      await repos.patients.put(makePatient({ clinicId: 'race-clinic', patientId }), null);
      await repos.appointments.put(
        makeAppointment({
          clinicId: 'race-clinic',
          patientId,
          appointmentId,
          startAt: toUtcIso(now.plus({ days: 3 }).startOf('hour')),
          createdAt: toUtcIso(now),
          updatedAt: toUtcIso(now),
        }),
        null,
      );
    }
    const records = await streamRecords();
    queueAcceptsAll();

    // Act: each booking's stream record and a sweep, at once; then one more sweep after all.
    for (const appointmentId of ids) {
      const record = records.filter((r) => r.dynamodb?.Keys?.appointmentId?.S === appointmentId);
      await Promise.all([
        handler({ Records: record }, LAMBDA_CONTEXT),
        sweep(SCHEDULED_EVENT, LAMBDA_CONTEXT),
      ]);
    }
    await sweep(SCHEDULED_EVENT, LAMBDA_CONTEXT);

    // Assess: every confirmation went on the queue exactly once, with the token it is claimed by.
    const entries = queuedEntries().map((entry) => JSON.parse(entry.MessageBody ?? '{}'));
    const confirmations = (
      await Promise.all(
        ids.map((appointmentId, index) =>
          repos.messages.listForAppointment('race-clinic', `p-race-${index}`, appointmentId),
        ),
      )
    )
      .flat()
      .filter((message) => message.kind === 'confirmation');
    expect(confirmations).toHaveLength(ids.length);
    for (const message of confirmations) {
      const sends = entries.filter((entry) => entry.messageId === message.messageId);
      expect(sends).toEqual([
        {
          clinicId: 'race-clinic',
          patientId: message.patientId,
          messageId: message.messageId,
          token: message.claimToken,
        },
      ]);
      expect(message.status).toBe('queued');
    }
  });
});
