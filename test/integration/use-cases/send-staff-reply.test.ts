import { randomUUID } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsSmsSender } from '../../../shared/adapters/aws/sns-sms-sender';
import { SqsSendQueue } from '../../../shared/adapters/aws/sqs-send-queue';
import { SimulatedClock } from '../../../shared/adapters/clock';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { makeRepositories, type Repositories } from '../../../shared/adapters/dynamodb/repositories';
import { DynamoSendNowBudget } from '../../../shared/adapters/dynamodb/send-now-budget';
import { DynamoThrottleLog } from '../../../shared/adapters/dynamodb/throttle-log';
import {
  CapturingLogger,
  RecordingEventPublisher,
  RecordingTelemetry,
} from '../../../shared/adapters/local/recorders';
import type { Clinic, Patient } from '../../../shared/domain/model';
import { toUtcIso } from '../../../shared/domain/time';
import type { EmailSender } from '../../../shared/ports/outbound';
import { ClinicCache } from '../../../shared/use-cases/clinic-cache';
import { type SendDeps, sendMessage } from '../../../shared/use-cases/send-message';
import { type StaffReplyDeps, sendStaffReply } from '../../../shared/use-cases/staff/replies';
import { makeClinic, makeInbound, makePatient } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
afterAll(() => {
  sqs.restore();
  sns.restore();
});

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/send-queue';
const NOW = DateTime.fromISO('2026-12-07T16:00:00.000Z', { zone: 'utc' });
const TEXT = 'Hi Ana, yes: parking is free. — Front desk';

let repos: Repositories;
let inbound: DynamoInboundRepository;
let clinic: Clinic;
let patient: Patient;
let clock: SimulatedClock;
let events: RecordingEventPublisher;
let logger: CapturingLogger;

function replyDeps(): StaffReplyDeps {
  return {
    ...repos,
    inbound,
    queue: new SqsSendQueue(new SQSClient({ region: 'us-east-1' }), QUEUE_URL),
    budget: new DynamoSendNowBudget(tables.clients.doc, tables.names.messages),
    config: { perSecond: { sms: 20, email: 20 }, every: 10, windowSeconds: 60, leaseMinutes: 15 },
    newToken: randomUUID,
    newId: randomUUID,
    clock,
    logger,
    telemetry: new RecordingTelemetry(),
  };
}

function sendDeps(): SendDeps {
  const email: EmailSender = {
    send: async () => {
      throw new Error('no email for a staff reply');
    },
  };
  return {
    ...repos,
    clinics: new ClinicCache(repos.clinics, clock, 0),
    sms: new SnsSmsSender(new SNSClient({ region: 'us-east-1', maxAttempts: 1 }), {}),
    email,
    events,
    throttles: new DynamoThrottleLog(tables.clients.doc, tables.names.messages),
    clock,
    logger,
    telemetry: new RecordingTelemetry(),
    config: { maxAttempts: 3, attemptWindowSeconds: 60, backoffBaseSeconds: 5, backoffMaxSeconds: 60 },
    random: () => 0.5,
    newId: randomUUID,
  };
}

/** Sends a staff reply through the API's use case, then runs send-message on what the queue got. */
async function replyAndSend(beforeSend?: () => Promise<void>, text = TEXT) {
  const accepted = await sendStaffReply(replyDeps(), {
    clinicId: clinic.clinicId,
    patientId: patient.patientId,
    body: { text },
    by: 'staff-user-1',
  });
  const key = { clinicId: clinic.clinicId, patientId: patient.patientId, messageId: accepted.messageId };
  if (accepted.status === 'pending') {
    // Longer than a part: the sweep takes it; claim it as the sweep does.
    await repos.messages.claim(key, 1, {
      token: 'sweep-token',
      leaseUntil: toUtcIso(clock.now().plus({ minutes: 15 })),
      at: toUtcIso(clock.now()),
    });
  }
  await beforeSend?.();
  const [entry] = sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries ?? []);
  const request = entry ? JSON.parse(entry.MessageBody ?? '{}') : { ...key, token: 'sweep-token' };
  const outcome = await sendMessage(sendDeps(), request);
  return { outcome, stored: await repos.messages.get(key), accepted };
}

beforeEach(async () => {
  sqs.reset();
  sns.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-staff-1' });
  repos = makeRepositories(tables.clients.doc, tables.names);
  inbound = new DynamoInboundRepository(tables.clients.doc, tables.names.inbound);
  events = new RecordingEventPublisher();
  logger = new CapturingLogger();
  // A clinic and a minute of their own per test: no test shares data or an immediate-send budget.
  clock = new SimulatedClock(NOW.plus({ minutes: Math.floor(Math.random() * 100_000) }));
  clinic = makeClinic({ clinicId: `c-${randomUUID().slice(0, 8)}` });
  patient = makePatient({ clinicId: clinic.clinicId });
  await repos.clinics.put(clinic, null);
  await repos.patients.put(patient, null);
});

/** The patient's text `hoursAgo` hours before now, as handle-inbound records it (matched to them, or to no one). */
async function patientTexted(hoursAgo: number, matched = true) {
  const at = toUtcIso(clock.now().minus({ hours: hoursAgo }));
  await inbound.record(
    makeInbound({
      clinicId: clinic.clinicId,
      inboundMessageId: `in-${randomUUID()}`,
      from: patient.phone,
      body: 'Is there parking?',
      receivedAt: at,
      recordedAt: at,
      intent: { kind: 'free-text' },
      outcome: 'free-text',
      state: 'open',
      appointmentId: undefined,
      answeredMessageId: undefined,
      matchedBy: undefined,
      ...(matched
        ? { patientId: patient.patientId }
        : { patientId: undefined, outcome: 'unmatched', state: 'open' }),
    }),
  );
}

describe('sendMessage: kind staff-reply', () => {
  it('texts the stored words as written by SNS, marks the reply sent, and the event carries ids only', async () => {
    // Arrange: the patient asked an hour ago, so the reply answers them.
    await patientTexted(1);

    // Act
    const { outcome, stored } = await replyAndSend();

    // Assess
    expect(outcome).toBe('sent');
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        PhoneNumber: patient.phone,
        Message: TEXT,
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      },
    ]);
    expect(stored).toMatchObject({
      status: 'sent',
      providerMessageId: 'sns-staff-1',
      staffReply: { text: TEXT },
    });
    expect(events.events.map((event) => event.detailType)).toEqual(['MessageSent']);
    expect(JSON.stringify(events.events)).not.toContain('parking');
    expect(JSON.stringify(logger.lines)).not.toContain('parking');
  });

  it("texts a reply to a patient who has not texted in 24 hours with the clinic's SMS name and the opt-out line, as of send time", async () => {
    // Arrange: the last text is 25 hours old, so the reply starts a new message; the clinic renames itself meanwhile.
    await patientTexted(25);

    // Act
    const { outcome, stored, accepted } = await replyAndSend(async () => {
      await repos.clinics.put({ ...clinic, smsName: 'Riverside Health', version: 2 }, 1);
    });

    // Assess
    // The dash makes it UCS-2: its 42 characters fit one part, framed (83) they take two.
    expect(accepted).toMatchObject({ opensConversation: true, segments: 2 });
    expect(outcome).toBe('sent');
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input.Message)).toEqual([
      `Riverside Health: ${TEXT} Reply STOP to opt out.`,
    ]);
    expect(stored?.staffReply).toMatchObject({ text: TEXT, opensConversation: true });
  });

  it("answers as written when the patient's last text matched no one (they texted before the clinic registered them)", async () => {
    // Arrange: an unmatched text from the patient's number, 3 hours ago, and an older one of their own.
    await patientTexted(3, false);
    await patientTexted(30);

    // Act
    const { outcome, accepted } = await replyAndSend();

    // Assess
    expect(accepted.opensConversation).toBe(false);
    expect(outcome).toBe('sent');
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input.Message)).toEqual([TEXT]);
  });

  it('skips the reply opted-out when the patient texted STOP after staff wrote it, and calls no provider', async () => {
    // Act
    const { outcome, stored } = await replyAndSend(async () => {
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

  it('skips a reply that could not go within its hour (expired), and one over a budget lowered since (over-segment-budget)', async () => {
    // Act
    const late = await replyAndSend(async () => {
      clock.advance({ minutes: 61 });
    });
    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    // Two parts when written (budget 3), so the sweep sends it; the clinic then lowers its budget to one part.
    const tooLong = await replyAndSend(async () => {
      await repos.clinics.put(
        { ...clinic, policy: { ...clinic.policy, segmentBudget: { exempt: 1, other: 1 } }, version: 2 },
        1,
      );
    }, 'b'.repeat(200));

    // Assess
    expect(late.stored).toMatchObject({ status: 'skipped', reason: 'expired' });
    expect(tooLong.accepted).toMatchObject({ status: 'pending', segments: 2 });
    expect(tooLong.stored).toMatchObject({ status: 'skipped', reason: 'over-segment-budget' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
