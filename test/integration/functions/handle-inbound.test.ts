import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handle-inbound/handler';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { makeRepositories, type Repositories } from '../../../shared/adapters/dynamodb/repositories';
import { toUtcIso } from '../../../shared/domain/time';
import { makeAppointment, makeClinic, makeMessage, makePatient } from '../../support/factories';
import {
  BUS_NAME,
  INBOUND_DLQ_URL,
  LAMBDA_CONTEXT,
  SEND_QUEUE_URL,
  TWO_WAY_NUMBER,
  useShippedHandlerEnvironment,
} from '../../support/shipped';

const tables = useShippedHandlerEnvironment('handle-inbound');
const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);
afterAll(() => {
  sqs.restore();
  events.restore();
});

const PATIENT_NUMBER = '+14155552671';
let repos: Repositories;
let inbound: DynamoInboundRepository;
let sequence = 0;

/** End User Messaging's payload, as the inbound topic publishes it. */
function payload(overrides: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    originationNumber: PATIENT_NUMBER,
    destinationNumber: TWO_WAY_NUMBER,
    messageKeyword: 'KEYWORD_123456789012',
    messageBody: 'C',
    inboundMessageId: `in-${sequence}-${Date.now()}`,
    previousPublishedMessageId: null,
    ...overrides,
  };
}

/** An SQS record whose body is the SNS envelope (raw delivery off) around a payload. */
function record(message: unknown, timestamp = toUtcIso(DateTime.utc()), id = `sqs-${sequence}`): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `${id}-receipt`,
    body: JSON.stringify({
      Type: 'Notification',
      MessageId: `sns-${id}`,
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:inbound-sms',
      Message: typeof message === 'string' ? message : JSON.stringify(message),
      Timestamp: timestamp,
      SignatureVersion: '1',
    }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'sns',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:inbound-queue',
    awsRegion: 'us-east-1',
  };
}

function setAside() {
  return sqs
    .commandCalls(SendMessageCommand)
    .map((call) => call.args[0].input)
    .map((input) => ({ QueueUrl: input.QueueUrl, body: JSON.parse(input.MessageBody ?? '{}') }));
}

function queuedAnswers() {
  return sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
}

beforeAll(async () => {
  repos = makeRepositories(tables.clients.doc, tables.names);
  inbound = new DynamoInboundRepository(tables.clients.doc, tables.names.inbound);
  // The handler runs on the real clock: a visit two days ahead, its reminder sent an hour ago.
  const now = DateTime.utc();
  await repos.clinics.put(
    makeClinic({
      originationIdentity: {
        id: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        number: TWO_WAY_NUMBER,
        numberType: 'toll-free',
      },
    }),
    null,
  );
  await repos.patients.put(makePatient({ channels: ['sms'] }), null);
  await repos.appointments.put(makeAppointment({ startAt: toUtcIso(now.plus({ days: 2 })) }), null);
  await repos.messages.create(
    makeMessage({
      status: 'sent',
      attempts: 1,
      providerMessageId: 'provider-1',
      dueAt: toUtcIso(now.minus({ hours: 1 })),
      plannedAt: toUtcIso(now.minus({ hours: 1 })),
      notAfter: toUtcIso(now.plus({ days: 2 })),
      finishedAt: toUtcIso(now.minus({ hours: 1 })),
      rev: 3,
    }),
  );
});

beforeEach(() => {
  sqs.reset();
  events.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('the shipped handle-inbound handler', () => {
  it('applies a confirm from the SNS envelope, queues its answer at once, and sets every malformed record aside without a retry', async () => {
    // Prepare
    const confirm = payload({ messageBody: 'C' });
    const tooLong = payload({ messageBody: 'x'.repeat(1601) });
    const notE164 = payload({ originationNumber: '4155552671' });
    const elsewhere = payload({ destinationNumber: '+12025550111' });

    // Act
    const response = await handler(
      {
        Records: [
          record(confirm, undefined, 'sqs-confirm'),
          record('not json', undefined, 'sqs-garbage'),
          record({ hello: 'world' }, undefined, 'sqs-shape'),
          record(tooLong, undefined, 'sqs-long'),
          record(notE164, undefined, 'sqs-e164'),
          record(elsewhere, undefined, 'sqs-elsewhere'),
        ],
      },
      LAMBDA_CONTEXT,
    );

    // Assess: nothing comes back from SQS.
    expect(response).toEqual({ batchItemFailures: [] });
    expect((await repos.appointments.get('demo-clinic', 'a-1'))?.confirmation).toMatchObject({
      via: 'sms',
      messageId: 'a-1#reminder#1d#v1',
      inboundMessageId: confirm.inboundMessageId,
    });
    const answers = queuedAnswers();
    expect(answers).toEqual([
      {
        QueueUrl: SEND_QUEUE_URL,
        Entries: [{ Id: '0', MessageBody: expect.any(String), DelaySeconds: 0 }],
      },
    ]);
    expect(JSON.parse(answers[0]?.Entries?.[0]?.MessageBody ?? '{}')).toEqual({
      clinicId: 'demo-clinic',
      patientId: 'p-1',
      messageId: `~keyword-reply#${confirm.inboundMessageId}`,
      token: expect.any(String),
    });
    const published = events
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(published.map((entry) => [entry.EventBusName, entry.DetailType])).toEqual([
      [BUS_NAME, 'AppointmentConfirmed'],
    ]);
    expect(String(published[0]?.Detail)).not.toContain(PATIENT_NUMBER);
    expect(setAside()).toEqual([
      {
        QueueUrl: INBOUND_DLQ_URL,
        body: {
          source: 'handle-inbound',
          reason: 'not-an-inbound-text',
          ids: { sqsMessageId: 'sqs-garbage' },
        },
      },
      {
        QueueUrl: INBOUND_DLQ_URL,
        body: { source: 'handle-inbound', reason: 'not-an-inbound-text', ids: { sqsMessageId: 'sqs-shape' } },
      },
      {
        QueueUrl: INBOUND_DLQ_URL,
        body: {
          source: 'handle-inbound',
          reason: 'body-too-long',
          ids: { sqsMessageId: 'sqs-long', inboundMessageId: tooLong.inboundMessageId },
        },
      },
      {
        QueueUrl: INBOUND_DLQ_URL,
        body: {
          source: 'handle-inbound',
          reason: 'origination-not-e164',
          ids: { sqsMessageId: 'sqs-e164', inboundMessageId: notE164.inboundMessageId },
        },
      },
      {
        QueueUrl: INBOUND_DLQ_URL,
        body: {
          source: 'handle-inbound',
          reason: 'unknown-destination',
          ids: { inboundMessageId: elsewhere.inboundMessageId },
        },
      },
    ]);
    for (const text of [tooLong, notE164, elsewhere]) {
      expect(await inbound.get('demo-clinic', text.inboundMessageId)).toBeUndefined();
    }
  });

  it('records an empty or emoji-only text as unreadable and answers nothing', async () => {
    // Prepare
    const empty = payload({ messageBody: '   ' });
    const emoji = payload({ messageBody: '🙂🙂' });

    // Act
    const response = await handler({ Records: [record(empty), record(emoji)] }, LAMBDA_CONTEXT);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    for (const text of [empty, emoji]) {
      expect(await inbound.get('demo-clinic', text.inboundMessageId)).toMatchObject({
        outcome: 'unreadable',
        intent: { kind: 'unreadable' },
      });
    }
    expect(queuedAnswers()).toEqual([]);
  });

  it('reports a record whose effects could not all be applied, and applies it once on the redelivery', async () => {
    // Prepare: the bus refuses the first time, so the STOP is not recorded as handled.
    const stop = payload({ messageBody: 'STOP' });
    events
      .on(PutEventsCommand)
      .rejectsOnce(new Error('bus unavailable'))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });

    // Act
    const first = await handler({ Records: [record(stop, undefined, 'sqs-stop')] }, LAMBDA_CONTEXT);
    const afterFirst = await inbound.get('demo-clinic', stop.inboundMessageId);
    const again = await handler({ Records: [record(stop, undefined, 'sqs-stop')] }, LAMBDA_CONTEXT);
    const duplicate = await handler({ Records: [record(stop, undefined, 'sqs-stop-dup')] }, LAMBDA_CONTEXT);

    // Assess: the opt-out stays, one confirmation goes, the third delivery changes nothing.
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-stop' }] });
    expect(afterFirst).toBeUndefined();
    expect(again).toEqual({ batchItemFailures: [] });
    expect(duplicate).toEqual({ batchItemFailures: [] });
    expect((await repos.patients.get('demo-clinic', 'p-1'))?.optOuts.sms?.source).toBe('patient');
    expect(queuedAnswers()).toHaveLength(1);
    expect(await inbound.get('demo-clinic', stop.inboundMessageId)).toMatchObject({ outcome: 'opted-out' });
  });
  it('answers exactly three of four different texts from one number handled in one batch, and skips the fourth hourly-limit', async () => {
    // Prepare: a patient on a phone of their own, so the earlier tests' answers do not count. Four different
    // texts within a minute: under the loop guard's burst (5) and repeat rules, so only the hourly cap (3) speaks.
    const burstNumber = '+14155550142';
    await repos.patients.put(
      makePatient({ patientId: 'p-burst', phone: burstNumber, channels: ['sms'] }),
      null,
    );
    const texts = ['HELP', 'Is there parking?', 'INFO', 'What time do you open?'].map((messageBody) =>
      payload({ originationNumber: burstNumber, messageBody }),
    );

    // Act: the four arrive in one batch.
    const response = await handler(
      { Records: texts.map((text, n) => record(text, undefined, `sqs-burst-${n}`)) },
      LAMBDA_CONTEXT,
    );

    // Assess: three answers handed to the send queue, one entry each, exact inputs; the fourth stored skipped.
    expect(response).toEqual({ batchItemFailures: [] });
    const answers = queuedAnswers();
    expect(answers).toEqual(
      Array(3).fill({
        QueueUrl: SEND_QUEUE_URL,
        // Each on its own kept part of the number: now or within the minute.
        Entries: [{ Id: '0', MessageBody: expect.any(String), DelaySeconds: expect.any(Number) }],
      }),
    );
    for (const input of answers) expect(input.Entries?.[0]?.DelaySeconds).toBeLessThanOrEqual(60);
    const answered = answers.map((input) => JSON.parse(input.Entries?.[0]?.MessageBody ?? '{}').messageId);
    const stored = await Promise.all(
      texts.map((text) =>
        repos.messages.get({
          clinicId: 'demo-clinic',
          patientId: 'p-burst',
          messageId: `~keyword-reply#${text.inboundMessageId}`,
        }),
      ),
    );
    expect(
      stored.filter((message) => message?.status === 'skipped').map((message) => message?.reason),
    ).toEqual(['hourly-limit']);
    expect(
      stored
        .filter((message) => message?.status !== 'skipped')
        .map((message) => message?.messageId)
        .sort(),
    ).toEqual([...answered].sort());
  });
});
