import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { handler } from '../../../functions/plan-messages/handler';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import { StreamPoller } from '../../../shared/adapters/local/stream-poller';
import { toUtcIso } from '../../../shared/domain/time';
import { makeAppointment, makeClinic, makePatient } from '../../support/factories';
import { LAMBDA_CONTEXT, PLAN_DLQ_URL, REGION, useShippedHandlerEnvironment } from '../../support/shipped';

const tables = useShippedHandlerEnvironment('plan-messages');
const sqs = mockClient(SQSClient);
afterAll(() => sqs.restore());

/** The appointments stream as Lambda would deliver it: the real records of DynamoDB Local's stream. */
async function streamRecords(): Promise<DynamoDBRecord[]> {
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
  return records;
}

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
});
