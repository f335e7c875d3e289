import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/send-message/handler';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import { toUtcIso } from '../../../shared/domain/time';
import type { MessageKey } from '../../../shared/ports/repositories';
import { makeAppointment, makeClinic, makeMessage, makePatient } from '../../support/factories';
import {
  BUS_NAME,
  LAMBDA_CONTEXT,
  ORIGINATION_NUMBER,
  SEND_DLQ_URL,
  SMS_CONFIGURATION_SET,
  useShippedHandlerEnvironment,
} from '../../support/shipped';

const tables = useShippedHandlerEnvironment('send-message');
const sns = mockClient(SNSClient);
const ses = mockClient(SESv2Client);
const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);
const eum = mockClient(PinpointSMSVoiceV2Client);
afterAll(() => {
  for (const mock of [sns, ses, sqs, events, eum]) mock.restore();
});

function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `${messageId}-receipt`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'dispatch-due',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:send-queue',
    awsRegion: 'us-east-1',
  };
}

describe('the shipped send-message handler', () => {
  it('sends a claimed message by SNS, reports the one whose earlier delivery is still at work as failed, and sets a malformed body aside', async () => {
    // Prepare: two claimed reminders of a visit two days ahead (the handler runs on the real clock).
    const now = DateTime.utc();
    const repos = makeRepositories(tables.clients.doc, tables.names);
    await repos.clinics.put(
      makeClinic({ policy: { quietHours: { enabled: false, start: '21:00', end: '08:00' } } }),
      null,
    );
    await repos.patients.put(makePatient({ channels: ['sms'] }), null);
    const startAt = toUtcIso(now.plus({ days: 2 }));
    await repos.appointments.put(makeAppointment({ startAt }), null);
    const claimedMessage = async (messageId: string, token: string): Promise<MessageKey> => {
      const message = makeMessage({
        messageId,
        dueAt: toUtcIso(now.minus({ seconds: 5 })),
        plannedAt: toUtcIso(now.minus({ seconds: 5 })),
        notAfter: startAt,
      });
      await repos.messages.create(message);
      const key = { clinicId: message.clinicId, patientId: message.patientId, messageId };
      const at = toUtcIso(now);
      await repos.messages.claim(key, 1, { token, leaseUntil: toUtcIso(now.plus({ minutes: 15 })), at });
      return key;
    };
    const due = await claimedMessage('a-1#reminder#1d#v1', 'token-due');
    const inFlight = await claimedMessage('a-1#reminder#2h#v1', 'token-in-flight');
    await repos.messages.markSending(inFlight, {
      token: 'token-in-flight',
      attemptId: 'other',
      at: toUtcIso(now),
    });
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });

    // Act
    const response = await handler(
      {
        Records: [
          sqsRecord('sqs-1', JSON.stringify({ ...due, token: 'token-due' })),
          sqsRecord('sqs-2', JSON.stringify({ ...inFlight, token: 'token-in-flight' })),
          sqsRecord('sqs-3', 'not a send request'),
        ],
      },
      LAMBDA_CONTEXT,
    );

    // Assess: only the in-flight one comes back from SQS.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-2' }] });
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        // The render-time guard drops the first name when the place line needs the room.
        PhoneNumber: '+14155552671',
        Message: expect.stringMatching(/^Riverside Clinic: Hi( Ana)?, your visit is .* STOP to opt out/),
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: ORIGINATION_NUMBER },
          'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.50' },
        },
      },
    ]);
    const published = events
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(published).toEqual([
      expect.objectContaining({
        EventBusName: BUS_NAME,
        Source: 'clinic-reminders',
        DetailType: 'MessageSent',
      }),
    ]);
    expect(JSON.parse(String(published[0]?.Detail))).toMatchObject({
      messageId: due.messageId,
      status: 'sent',
    });
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: SEND_DLQ_URL,
        MessageBody: JSON.stringify({
          source: 'send-message',
          reason: 'malformed-request',
          ids: { sqsMessageId: 'sqs-3' },
        }),
      },
    ]);
    expect((await repos.messages.get(due))?.status).toBe('sent');
    expect((await repos.messages.get(inFlight))?.status).toBe('sending');
  });

  it('sends to a stored phone that the current metadata rejects: it was valid when saved, and the carrier has the last word', async () => {
    // Prepare: the patient written straight into DynamoDB Local, as a record from before a metadata update.
    const now = DateTime.utc();
    const repos = makeRepositories(tables.clients.doc, tables.names);
    const patient = { ...makePatient({ patientId: 'p-old', channels: ['sms'] }), phone: '+11234567890' };
    await tables.clients.doc.send(new PutCommand({ TableName: tables.names.patients, Item: patient }));
    await repos.appointments.put(
      makeAppointment({
        appointmentId: 'a-old',
        patientId: 'p-old',
        startAt: toUtcIso(now.plus({ days: 2 })),
      }),
      null,
    );
    const message = makeMessage({
      patientId: 'p-old',
      appointmentId: 'a-old',
      messageId: 'a-old#reminder#1d#v1',
      dueAt: toUtcIso(now.minus({ seconds: 5 })),
      plannedAt: toUtcIso(now.minus({ seconds: 5 })),
      notAfter: toUtcIso(now.plus({ days: 2 })),
    });
    await repos.messages.create(message);
    const key = { clinicId: message.clinicId, patientId: 'p-old', messageId: message.messageId };
    await repos.messages.claim(key, 1, {
      token: 't-old',
      leaseUntil: toUtcIso(now.plus({ minutes: 15 })),
      at: toUtcIso(now),
    });
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'sns-old' });

    // Act
    const response = await handler(
      { Records: [sqsRecord('sqs-old', JSON.stringify({ ...key, token: 't-old' }))] },
      LAMBDA_CONTEXT,
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input.PhoneNumber)).toEqual([
      '+11234567890',
    ]);
    expect((await repos.messages.get(key))?.status).toBe('sent');
  });
  it('texts from a clinic’s own number through End User Messaging, with the configuration set and our ids as context', async () => {
    // Prepare: a clinic with its own number, and one claimed reminder of its patient.
    const now = DateTime.utc();
    const repos = makeRepositories(tables.clients.doc, tables.names);
    const identity = {
      id: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      number: '+18885550123',
      numberType: 'toll-free' as const,
    };
    await repos.clinics.put(
      makeClinic({
        clinicId: 'own-number',
        originationIdentity: identity,
        policy: { quietHours: { enabled: false, start: '21:00', end: '08:00' } },
      }),
      null,
    );
    await repos.patients.put(
      makePatient({ clinicId: 'own-number', patientId: 'p-eum', channels: ['sms'] }),
      null,
    );
    const startAt = toUtcIso(now.plus({ days: 2 }));
    await repos.appointments.put(
      makeAppointment({ clinicId: 'own-number', appointmentId: 'a-eum', patientId: 'p-eum', startAt }),
      null,
    );
    const message = makeMessage({
      clinicId: 'own-number',
      patientId: 'p-eum',
      appointmentId: 'a-eum',
      messageId: 'a-eum#reminder#1d#v1',
      ownNumber: true,
      dueAt: toUtcIso(now.minus({ seconds: 5 })),
      plannedAt: toUtcIso(now.minus({ seconds: 5 })),
      notAfter: startAt,
    });
    await repos.messages.create(message);
    const key = { clinicId: 'own-number', patientId: 'p-eum', messageId: message.messageId };
    await repos.messages.claim(key, 1, {
      token: 't-eum',
      leaseUntil: toUtcIso(now.plus({ minutes: 15 })),
      at: toUtcIso(now),
    });
    sns.reset();
    eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-1' });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    const response = await handler(
      { Records: [sqsRecord('sqs-eum', JSON.stringify({ ...key, token: 't-eum' }))] },
      LAMBDA_CONTEXT,
    );

    // Assess: End User Messaging, not SNS, and the receipt will name the message.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(eum.commandCalls(SendTextMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        DestinationPhoneNumber: '+14155552671',
        OriginationIdentity: identity.id,
        MessageBody: expect.stringMatching(/STOP to opt out/),
        MessageType: 'TRANSACTIONAL',
        ConfigurationSetName: SMS_CONFIGURATION_SET,
        Context: { clinicId: 'own-number', patientId: 'p-eum', messageId: 'a-eum#reminder#1d#v1' },
        MaxPrice: '0.50',
      },
    ]);
    expect(await repos.messages.get(key)).toMatchObject({ status: 'sent', providerMessageId: 'eum-1' });
  });
});
