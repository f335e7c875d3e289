import { randomUUID } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsSmsSender } from '../../../shared/adapters/aws/sns-sms-sender';
import { SqsSendQueue } from '../../../shared/adapters/aws/sqs-send-queue';
import { SimulatedClock } from '../../../shared/adapters/clock';
import { DynamoAutoReplyCap } from '../../../shared/adapters/dynamodb/auto-reply-cap';
import { makeRepositories, type Repositories } from '../../../shared/adapters/dynamodb/repositories';
import { DynamoSendNowBudget } from '../../../shared/adapters/dynamodb/send-now-budget';
import { DynamoThrottleLog } from '../../../shared/adapters/dynamodb/throttle-log';
import {
  CapturingLogger,
  RecordingEventPublisher,
  RecordingTelemetry,
} from '../../../shared/adapters/local/recorders';
import type { Clinic, Patient } from '../../../shared/domain/model';
import { renderKeywordReply } from '../../../shared/domain/templates';
import { toUtcIso } from '../../../shared/domain/time';
import type { EmailSender } from '../../../shared/ports/outbound';
import { ClinicCache } from '../../../shared/use-cases/clinic-cache';
import type { SendNowDeps } from '../../../shared/use-cases/enqueue-due-now';
import { type AutoReplyRequest, contactIdOf } from '../../../shared/use-cases/handle-inbound';
import { keywordReplyIdOf, queueAutoReply } from '../../../shared/use-cases/queue-auto-reply';
import { type SendDeps, sendMessage } from '../../../shared/use-cases/send-message';
import { makeAppointment, makeClinic, makePatient } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
afterAll(() => {
  sqs.restore();
  sns.restore();
});

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/send-queue';
const PATIENT_NUMBER = '+14155552671';
const NOW = DateTime.fromISO('2026-12-07T16:00:00.000Z', { zone: 'utc' });

let repos: Repositories;
let clinic: Clinic;
let patient: Patient;
let clock: SimulatedClock;
let tokens: number;

function queueDeps(): SendNowDeps & { replyCap: DynamoAutoReplyCap } {
  return {
    replyCap: new DynamoAutoReplyCap(tables.clients.doc, tables.names.inbound),
    messages: repos.messages,
    queue: new SqsSendQueue(new SQSClient({ region: 'us-east-1' }), QUEUE_URL),
    budget: new DynamoSendNowBudget(tables.clients.doc, tables.names.messages),
    config: { perSecond: { sms: 20, email: 20 }, every: 10, windowSeconds: 60, leaseMinutes: 15 },
    newToken: () => `token-${++tokens}`,
    clock,
    logger: new CapturingLogger(),
    telemetry: new RecordingTelemetry(),
  };
}

function sendDeps(): SendDeps {
  const email: EmailSender = {
    send: async () => {
      throw new Error('no email in these tests');
    },
  };
  return {
    ...repos,
    clinics: new ClinicCache(repos.clinics, clock, 0),
    sms: new SnsSmsSender(new SNSClient({ region: 'us-east-1', maxAttempts: 1 }), {}),
    email,
    events: new RecordingEventPublisher(),
    throttles: new DynamoThrottleLog(tables.clients.doc, tables.names.messages),
    clock,
    logger: new CapturingLogger(),
    telemetry: new RecordingTelemetry(),
    config: { maxAttempts: 3, attemptWindowSeconds: 60, backoffBaseSeconds: 5, backoffMaxSeconds: 60 },
    random: () => 0.5,
    newId: randomUUID,
  };
}

function request(overrides: Partial<AutoReplyRequest> = {}): AutoReplyRequest {
  return {
    clinic,
    patientId: patient.patientId,
    numberPatientIds: [patient.patientId],
    inboundMessageId: `in-${randomUUID()}`,
    from: PATIENT_NUMBER,
    reply: { reply: 'help' },
    language: 'en',
    purpose: 'answer',
    optedOut: false,
    inbound: { text: 'HELP', at: toUtcIso(clock.now()) },
    earlierInbound: [],
    ...overrides,
  };
}

/** What the send queue got, as the sender reads it back. */
function queuedSends() {
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => JSON.parse(entry.MessageBody ?? '{}') as Parameters<typeof sendMessage>[1]);
}

/** Days since NOW given to the tests so far. */
let testDays = 0;

beforeEach(async () => {
  sqs.reset();
  sns.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-reply-1' });
  repos = makeRepositories(tables.clients.doc, tables.names);
  tokens = 0;
  // A clinic and a day of their own per test: no test shares data or an immediate-send budget
  // (the kept parts' cursor is per number and day, so a test later in the same day would spend an
  // earlier one's window; never 2026-12-08, where the send tests below set their clock).
  clock = new SimulatedClock(NOW.plus({ days: 2 * ++testDays }));
  clinic = makeClinic({ clinicId: `c-${randomUUID().slice(0, 8)}` });
  patient = makePatient({ clinicId: clinic.clinicId });
  await repos.clinics.put(clinic, null);
  await repos.patients.put(patient, null);
});

describe('queueAutoReply', () => {
  it('stores the answer (which one, never words) and hands it to the send queue at once, with no delay', async () => {
    // Prepare
    const help = request();

    // Act
    const result = await queueAutoReply(queueDeps(), help);

    // Assess
    const messageId = `~keyword-reply#${help.inboundMessageId}`;
    expect(result).toEqual({ outcome: 'queued', messageId });
    expect(sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: QUEUE_URL,
        Entries: [
          {
            Id: '0',
            MessageBody: JSON.stringify({
              clinicId: clinic.clinicId,
              patientId: 'p-1',
              messageId,
              token: 'token-1',
            }),
            DelaySeconds: 0,
          },
        ],
      },
    ]);
    const stored = await repos.messages.get({ clinicId: clinic.clinicId, patientId: 'p-1', messageId });
    expect(stored).toMatchObject({
      kind: 'keyword-reply',
      priority: 'high',
      channel: 'sms',
      status: 'queued',
      dueAt: toUtcIso(clock.now()),
      notAfter: toUtcIso(clock.now().plus({ minutes: 30 })),
      keywordReply: { answer: 'help', purpose: 'answer', inboundMessageId: help.inboundMessageId },
    });
    expect(stored?.appointmentId).toBeUndefined();
    expect(JSON.stringify(stored)).not.toContain('HELP');
  });

  it('creates nothing and queues nothing for a second delivery of the same text', async () => {
    // Prepare
    const help = request();
    await queueAutoReply(queueDeps(), help);

    // Act
    const again = await queueAutoReply(queueDeps(), help);

    // Assess
    expect(again).toEqual({ outcome: 'replayed', messageId: keywordReplyIdOf(help.inboundMessageId) });
    expect(queuedSends()).toHaveLength(1);
  });

  it('answers at most three times an hour per number, across every patient of the number, and says why on the timeline', async () => {
    // Prepare: a second patient on the same phone got one answer, the first two.
    const sibling = makePatient({ clinicId: clinic.clinicId, patientId: 'p-2' });
    await repos.patients.put(sibling, null);
    const family = [patient.patientId, sibling.patientId];
    await queueAutoReply(queueDeps(), request({ patientId: 'p-2', numberPatientIds: family }));
    clock.advance({ minutes: 10 });
    await queueAutoReply(queueDeps(), request({ numberPatientIds: family }));
    clock.advance({ minutes: 10 });
    await queueAutoReply(queueDeps(), request({ numberPatientIds: family }));
    clock.advance({ minutes: 10 });

    // Act
    const fourth = request({ numberPatientIds: family });
    const declined = await queueAutoReply(queueDeps(), fourth);
    // An hour after the first, there is room again.
    clock.advance({ minutes: 31 });
    const later = await queueAutoReply(queueDeps(), request({ numberPatientIds: family }));

    // Assess
    expect(declined).toEqual({
      outcome: 'declined',
      messageId: keywordReplyIdOf(fourth.inboundMessageId),
      reason: 'hourly-limit',
    });
    expect(
      await repos.messages.get({
        clinicId: clinic.clinicId,
        patientId: 'p-1',
        messageId: keywordReplyIdOf(fourth.inboundMessageId),
      }),
    ).toMatchObject({ status: 'skipped', reason: 'hourly-limit' });
    expect(later.outcome).toBe('queued');
    expect(queuedSends()).toHaveLength(4);
  });

  it('answers exactly three of ten texts from one number handled at once, and records why the other seven got none', async () => {
    // Act: ten texts from the same phone, each answered by its own worker at the same instant.
    const texts = Array.from({ length: 10 }, (_, n) =>
      request({ inbound: { text: `Question ${n}`, at: toUtcIso(clock.now()) } }),
    );
    const results = await Promise.all(texts.map((text) => queueAutoReply(queueDeps(), text)));

    // Assess: three queued, to the send queue once each; seven stored skipped with the reason.
    expect(results.filter((result) => result.outcome === 'queued')).toHaveLength(3);
    const declined = results.filter((result) => result.outcome === 'declined');
    expect(declined.map((result) => result.reason)).toEqual(Array(7).fill('hourly-limit'));
    expect(queuedSends()).toHaveLength(3);
    const stored = await Promise.all(
      declined.map((result) =>
        repos.messages.get({
          clinicId: clinic.clinicId,
          patientId: patient.patientId,
          messageId: result.messageId,
        }),
      ),
    );
    expect(stored.map((message) => [message?.status, message?.reason])).toEqual(
      Array(7).fill(['skipped', 'hourly-limit']),
    );
  });

  it('does not answer a text that looks automated (the loop guard)', async () => {
    // Act
    const result = await queueAutoReply(
      queueDeps(),
      request({ inbound: { text: 'Auto reply: I am driving', at: toUtcIso(clock.now()) } }),
    );
    const echo = renderKeywordReply({ reply: 'help', language: 'en', clinic }).text;
    const second = await queueAutoReply(queueDeps(), request());
    const echoed = await queueAutoReply(
      queueDeps(),
      request({ inbound: { text: echo, at: toUtcIso(clock.now()) } }),
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'declined', reason: 'looks-automated' });
    expect(second.outcome).toBe('queued');
    expect(echoed).toMatchObject({ outcome: 'declined', reason: 'looks-automated' });
    expect(queuedSends()).toHaveLength(1);
  });

  it('sends an opted-out number nothing but its one opt-out confirmation', async () => {
    // Act
    const help = await queueAutoReply(queueDeps(), request({ optedOut: true }));
    const confirmation = await queueAutoReply(
      queueDeps(),
      request({ optedOut: true, purpose: 'opt-out-confirmation', reply: { reply: 'opted-out' } }),
    );

    // Assess
    expect(help).toMatchObject({ outcome: 'declined', reason: 'opted-out' });
    expect(confirmation.outcome).toBe('queued');
    const stored = await repos.messages.get({
      clinicId: clinic.clinicId,
      patientId: 'p-1',
      messageId: confirmation.messageId,
    });
    // FCC 24-18: one confirmation, within five minutes.
    expect(stored?.notAfter).toBe(toUtcIso(clock.now().plus({ minutes: 5 })));
  });
});

describe('sendMessage: kind keyword-reply', () => {
  async function queueAndSend(overrides: Partial<AutoReplyRequest> = {}, beforeSend?: () => Promise<void>) {
    const queued = await queueAutoReply(queueDeps(), request(overrides));
    await beforeSend?.();
    const [send] = queuedSends();
    if (!send) throw new Error('nothing queued');
    const outcome = await sendMessage(sendDeps(), send);
    const stored = await repos.messages.get({
      clinicId: clinic.clinicId,
      patientId: send.patientId,
      messageId: queued.messageId,
    });
    return { outcome, stored };
  }

  it('renders the answer at send time in the patient language as it is then, and texts it back by SNS', async () => {
    // Act: the patient switched to Spanish between the text and the send.
    const { outcome, stored } = await queueAndSend({}, async () => {
      await repos.patients.put({ ...patient, language: 'es', version: 2 }, 1);
    });

    // Assess
    expect(outcome).toBe('sent');
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        PhoneNumber: PATIENT_NUMBER,
        Message: renderKeywordReply({ reply: 'help', language: 'es', clinic }).text,
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      },
    ]);
    expect(stored).toMatchObject({ status: 'sent', providerMessageId: 'sns-reply-1' });
  });

  it('shows the confirmed visit as stored at send time', async () => {
    // Prepare
    const appointment = makeAppointment({ clinicId: clinic.clinicId });
    await repos.appointments.put(appointment, null);

    // Act
    const { outcome, stored } = await queueAndSend({ reply: { reply: 'confirmed', appointment } });

    // Assess
    expect(outcome).toBe('sent');
    expect(stored?.keywordReply).toEqual({
      answer: 'confirmed',
      purpose: 'answer',
      inboundMessageId: expect.any(String),
      appointmentId: 'a-1',
    });
    expect(stored?.appointmentId).toBeUndefined();
    const [publish] = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(publish?.Message).toBe(
      renderKeywordReply({ reply: 'confirmed', appointment, language: 'en', clinic }).text,
    );
  });

  it('skips an answer as opted-out when the patient opted out after it was queued', async () => {
    // Act
    const { outcome, stored } = await queueAndSend({}, async () => {
      await repos.patients.put(
        { ...patient, optOuts: { sms: { at: toUtcIso(clock.now()), source: 'patient' } }, version: 2 },
        1,
      );
    });

    // Assess
    expect(outcome).toBe('skipped');
    expect(stored).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('sends the opt-out confirmation to the patient who just opted out, even in quiet hours', async () => {
    // Prepare: 23:00 in New York, the patient opted out.
    clock = new SimulatedClock(DateTime.fromISO('2026-12-08T04:00:00.000Z', { zone: 'utc' }));
    await repos.patients.put(
      { ...patient, optOuts: { sms: { at: toUtcIso(clock.now()), source: 'patient' } }, version: 2 },
      1,
    );

    // Act
    const { outcome } = await queueAndSend({
      optedOut: true,
      purpose: 'opt-out-confirmation',
      reply: { reply: 'opted-out' },
    });

    // Assess
    expect(outcome).toBe('sent');
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input.Message)).toEqual([
      renderKeywordReply({ reply: 'opted-out', language: 'en', clinic }).text,
    ]);
  });

  it('answers a number no patient has at that number, in the clinic language', async () => {
    // Prepare
    const stranger = '+14155550123';
    const contactId = contactIdOf(clinic.clinicId, stranger);

    // Act
    const { outcome, stored } = await queueAndSend({
      patientId: contactId,
      numberPatientIds: [],
      from: stranger,
    });

    // Assess
    expect(outcome).toBe('sent');
    expect(stored?.keywordReply?.to).toBe(stranger);
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input.PhoneNumber)).toEqual([
      stranger,
    ]);
  });

  it('skips an answer that is no longer worth sending', async () => {
    // Act
    const { outcome, stored } = await queueAndSend({}, async () => {
      clock.advance({ minutes: 31 });
    });

    // Assess
    expect(outcome).toBe('skipped');
    expect(stored).toMatchObject({ status: 'skipped', reason: 'expired' });
  });
});
