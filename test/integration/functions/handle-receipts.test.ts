import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handle-receipts/handler';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import type { Message } from '../../../shared/domain/model';
import { fallbackIdFor } from '../../../shared/domain/planning/ids';
import { toUtcIso } from '../../../shared/domain/time';
import { makeMessage, makePatient } from '../../support/factories';
import { emailEvent, smsEvent } from '../../support/receipt-events';
import {
  BUS_NAME,
  LAMBDA_CONTEXT,
  RECEIPTS_DLQ_URL,
  useShippedHandlerEnvironment,
} from '../../support/shipped';

const tables = useShippedHandlerEnvironment('handle-receipts');
const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);
afterAll(() => {
  for (const mock of [sqs, events]) mock.restore();
});

function sqsRecord(messageId: string, body: unknown, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `${messageId}-receipt`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'sns',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:receipts-queue',
    awsRegion: 'us-east-1',
  };
}

describe('the shipped handle-receipts handler', () => {
  it('applies a batch of SMS and SES receipts, reports the one before sent, and sets a malformed body aside', async () => {
    // Prepare: one patient, five messages the sender left `sent`, one still `sending`.
    const now = DateTime.utc();
    const at = toUtcIso(now.minus({ seconds: 30 }));
    const repos = makeRepositories(tables.clients.doc, tables.names);
    const patient = makePatient({ patientId: 'p-rx', channels: ['sms', 'email'] });
    await repos.patients.put(patient, null);
    const stored = async (messageId: string, fields: Partial<Message>) => {
      const message = makeMessage({
        patientId: 'p-rx',
        messageId,
        dueAt: toUtcIso(now.minus({ minutes: 1 })),
        plannedAt: toUtcIso(now.minus({ minutes: 1 })),
        notAfter: toUtcIso(now.plus({ days: 1 })),
        status: 'sent',
        attempts: 1,
        rev: 3,
        providerMessageId: 'provider-1',
        sendingAt: toUtcIso(now.minus({ minutes: 1 })),
        finishedAt: toUtcIso(now.minus({ minutes: 1 })),
        ...fields,
      });
      await repos.messages.create(message);
      return { clinicId: message.clinicId, patientId: 'p-rx', messageId };
    };
    const delivered = await stored('a-1#reminder#3d#v1', {});
    const blocked = await stored('a-1#reminder#1d#v1', {});
    const bounced = await stored('a-2#reminder#1d#v1', { channel: 'email' });
    const complained = await stored('a-3#reminder#1d#v1', { channel: 'email' });
    const sending = await stored('a-1#reminder#2h#v1', { status: 'sending' });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    const batch = {
      Records: [
        sqsRecord('r-delivered', smsEvent(delivered, 'TEXT_DELIVERED', at)),
        sqsRecord('r-blocked', smsEvent(blocked, 'TEXT_CARRIER_BLOCKED', at)),
        sqsRecord('r-bounce', emailEvent(bounced, { bounce: 'Permanent' }, patient.email ?? '', at)),
        sqsRecord('r-complaint', emailEvent(complained, 'Complaint', patient.email ?? '', at)),
        sqsRecord('r-sending', smsEvent(sending, 'TEXT_DELIVERED', at)),
        sqsRecord('r-malformed', 'not a receipt'),
      ],
    };

    // Act
    const response = await handler(batch, LAMBDA_CONTEXT);

    // Assess: only the receipt of the text still being sent comes back from SQS.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'r-sending' }] });
    expect(await repos.messages.get(delivered)).toMatchObject({
      status: 'delivered',
      receipt: { event: 'TEXT_DELIVERED', at },
    });
    expect(await repos.messages.get(blocked)).toMatchObject({
      status: 'undeliverable',
      reason: 'TEXT_CARRIER_BLOCKED',
    });
    // The carrier-blocked text's copy on the patient's next channel, due at once.
    expect(
      await repos.messages.get({ ...blocked, messageId: fallbackIdFor(blocked.messageId, 'email') }),
    ).toMatchObject({ channel: 'email', status: 'pending', failedChannels: ['sms'] });
    expect(await repos.messages.get(bounced)).toMatchObject({
      status: 'undeliverable',
      reason: 'bounce-permanent',
    });
    // The bounced email's copy goes by text, which the patient allows too.
    expect(
      await repos.messages.get({ ...bounced, messageId: fallbackIdFor(bounced.messageId, 'sms') }),
    ).toMatchObject({ channel: 'sms', status: 'pending', failedChannels: ['email'] });
    expect(await repos.messages.get(complained)).toMatchObject({ status: 'delivered' });
    expect(await repos.messages.get(sending)).toMatchObject({ status: 'sending' });
    const updated = await repos.patients.get('demo-clinic', 'p-rx');
    expect(updated?.undeliverable?.email).toMatchObject({ source: 'bounce', messageId: bounced.messageId });
    expect(updated?.optOuts.email).toEqual({ at, source: 'complaint' });
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: RECEIPTS_DLQ_URL,
        MessageBody: JSON.stringify({
          source: 'handle-receipts',
          reason: 'malformed-receipt',
          ids: { sqsMessageId: 'r-malformed' },
        }),
      },
    ]);
    const published = events
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => ({
        bus: entry.EventBusName,
        type: entry.DetailType,
        detail: JSON.parse(String(entry.Detail)),
      }));
    expect(published).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          bus: BUS_NAME,
          type: 'MessageFailed',
          detail: expect.objectContaining({ messageId: blocked.messageId }),
        }),
        expect.objectContaining({
          bus: BUS_NAME,
          type: 'PatientOptedOut',
          detail: expect.objectContaining({ patientId: 'p-rx', channel: 'email', source: 'complaint' }),
        }),
      ]),
    );
    // Events carry ids, never the address.
    expect(JSON.stringify(published)).not.toContain(patient.email);

    // Act again: the same batch delivered a second time (SQS at-least-once).
    sqs.resetHistory();
    const again = await handler(batch, LAMBDA_CONTEXT);

    // Assess: nothing new (one copy of each undeliverable message), the early receipt still waits.
    expect(again).toEqual({ batchItemFailures: [{ itemIdentifier: 'r-sending' }] });
    const copies = (await repos.messages.listForPatient('demo-clinic', 'p-rx')).filter((message) =>
      message.messageId.includes('#via-'),
    );
    expect(copies.map((copy) => copy.messageId).sort()).toEqual(
      [fallbackIdFor(blocked.messageId, 'email'), fallbackIdFor(bounced.messageId, 'sms')].sort(),
    );
  });
});
