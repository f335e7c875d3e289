import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  InternalErrorException,
  InvalidParameterException,
  OptedOutException,
  PublishCommand,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type Message, TERMINAL_STATUSES } from '../../../shared/domain/model';
import { render } from '../../../shared/domain/templates';
import type { SendQueue } from '../../../shared/ports/outbound';
import type { AppointmentRepository, MessageRepository } from '../../../shared/ports/repositories';
import { BUS_NAME, type PipelineRig, sesInput, usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();
const context = {} as Context;
const VISIT = '2026-12-08T15:00:00Z';
/**
 * Five SMS a minute: too low a rate to keep any parts for immediate sends
 * (settings.ts, SEND_NOW_EVERY), so the confirmation waits for the sweep,
 * for the tests of the sweep's own claim.
 */
const SWEEP_ONLY = { settings: { smsPerSecond: 5 / 60 } };

/** Throws `times` times right after (or instead of) the real call, like a Lambda that dies there. */
function crashing<T extends object, K extends keyof T>(
  target: T,
  method: K,
  when: 'after' | 'instead',
  times = 1,
): T {
  let left = times;
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (property !== method || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(object) : value;
      return async (...args: unknown[]) => {
        if (left > 0 && when === 'instead') {
          left -= 1;
          throw new Error(`injected crash instead of ${String(method)}`);
        }
        const result = await value.apply(object, args);
        if (left > 0) {
          left -= 1;
          throw new Error(`injected crash after ${String(method)}`);
        }
        return result;
      };
    },
  });
}

async function bookOne(rig: PipelineRig, appointmentId = 'a-fault') {
  await rig.seedClinic();
  const patient = await rig.seedPatient();
  return rig.book(appointmentId, { patientId: patient.patientId, startAt: VISIT, durationMinutes: 30 });
}

function duplicates(ids: string[]): string[] {
  return ids.filter((id, index) => ids.indexOf(id) !== index);
}

function expectAllTerminal(messages: Message[]) {
  for (const message of messages) {
    expect(TERMINAL_STATUSES.has(message.status), `${message.messageId} is ${message.status}`).toBe(true);
    expect(
      message.status === 'sent' ? message.providerMessageId : message.reason,
      message.messageId,
    ).toBeTruthy();
  }
}

describe('a crash at each step, then the retries', () => {
  const steps: { name: string; overrides: () => Parameters<typeof rigFor>[0]; expectUnknown: boolean }[] = [
    {
      name: 'after the claim',
      overrides: () => ({ messages: (real: MessageRepository) => crashing(real, 'claim', 'after') }),
      expectUnknown: false,
    },
    {
      name: 'after the enqueue',
      overrides: () => ({ queue: (real: SendQueue) => crashing(real, 'enqueue', 'after') }),
      expectUnknown: false,
    },
    {
      name: 'after marking sending',
      overrides: () => ({ messages: (real: MessageRepository) => crashing(real, 'markSending', 'after') }),
      expectUnknown: true,
    },
    {
      name: 'after the provider call',
      overrides: () => ({ messages: (real: MessageRepository) => crashing(real, 'markSent', 'instead') }),
      expectUnknown: true,
    },
    {
      name: 'after marking sent',
      overrides: () => ({ messages: (real: MessageRepository) => crashing(real, 'markSent', 'after') }),
      expectUnknown: false,
    },
  ];

  for (const step of steps) {
    it(`sends nothing twice and ends every message in a terminal state with a reason: crash ${step.name}`, async () => {
      const rig = rigFor(step.overrides());
      const appointment = await bookOne(rig);

      await rig.advanceTo('2026-12-09T00:00:00Z');

      const messages = await rig.messagesOf(appointment);
      expect(duplicates(rig.providerRequests.map((r) => r.messageId))).toEqual([]);
      expect(messages).toHaveLength(4);
      expectAllTerminal(messages);
      const unknown = messages.filter((m) => m.status === 'unknown');
      expect(unknown.map((m) => m.reason)).toEqual(step.expectUnknown ? ['interrupted-attempt'] : []);
      expect(rig.telemetry.total('UnknownOutcome')).toBe(step.expectUnknown ? 1 : 0);
      if (step.name === 'after marking sending') {
        // The provider was never called for the interrupted message.
        expect(rig.providerRequests).toHaveLength(3);
      } else {
        expect(rig.providerRequests).toHaveLength(4);
      }
    });
  }

  it('takes over a claim whose dispatcher died before enqueueing once its lease runs out', async () => {
    const rig = rigFor({
      ...SWEEP_ONLY,
      messages: (real: MessageRepository) => crashing(real, 'claim', 'after'),
    });
    await bookOne(rig);

    await rig.advanceTo('2026-12-01T16:00:00Z');

    expect(rig.sweepErrors).toHaveLength(1);
    // Booked at 15:00:00; the first sweep at 15:00 claimed and died; the lease (15 min) ran out.
    expect(rig.calls.map((c) => c.at)).toEqual(['2026-12-01T15:16:00.000Z']);
  });

  it('takes over an immediate claim whose planner died before enqueueing once its lease runs out', async () => {
    // The planner stored the confirmation claimed, then died instead of handing it to the queue.
    const rig = rigFor({ queue: (real: SendQueue) => crashing(real, 'enqueue', 'instead') });
    const appointment = await bookOne(rig);

    await rig.advanceTo('2026-12-01T16:00:00Z');

    // Booked at 15:00:00; the claim's lease (15 min) ran out at 15:15:00, so the 15:16 sweep took it.
    expect(rig.calls.map((c) => c.at)).toEqual(['2026-12-01T15:16:00.000Z']);
    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({ status: 'sent', attempts: 1 });
    expect(rig.providerRequests.filter((r) => r.messageId === confirmation?.messageId)).toHaveLength(1);
  });
});

describe('failures before any provider call', () => {
  it('puts the message back to wait when a re-read fails after it was marked sending, and sends it later', async () => {
    let failures = 1;
    const rig = rigFor({
      appointments: (real: AppointmentRepository) =>
        new Proxy(real, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver);
            if (property !== 'get') return typeof value === 'function' ? value.bind(target) : value;
            return async (...args: [string, string]) => {
              if (failures-- > 0) throw new Error('DynamoDB is briefly unavailable');
              return target.get(...args);
            };
          },
        }),
    });
    const appointment = await bookOne(rig);

    await rig.advanceTo('2026-12-01T16:00:00Z');

    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({ status: 'sent', attempts: 2 });
    expect(rig.telemetry.total('UnknownOutcome')).toBe(0);
    expect(rig.telemetry.total('SendPreparationFailed')).toBe(1);
    expect(rig.providerRequests.filter((r) => r.messageId === confirmation?.messageId)).toHaveLength(1);
  });
});

describe('a queue message delivered twice at once', () => {
  it('lets the first delivery finish instead of calling its outcome unknown', async () => {
    // Prepare: SNS answers only when the test says so; the confirmation waits for the sweep.
    const rig = rigFor(SWEEP_ONLY);
    let answer: (() => void) | undefined;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let published = 0;
    rig.snsMock.on(PublishCommand).callsFake(async (input) => {
      published += 1;
      await answered;
      return rig.acceptSms(input);
    });
    const appointment = await bookOne(rig);
    await rig.driver.settle(); // plan it
    await rig.sweep(); // claim and enqueue it, without delivering
    const body = String(
      rig.sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0]?.MessageBody,
    );
    const record = (id: string) => ({ messageId: id, body }) as SQSRecord;

    // Act: the first delivery is at SNS when the duplicate arrives.
    const first = rig.send({ Records: [record('delivery-1')] }, context);
    for (let waited = 0; published === 0 && waited < 200; waited++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const duplicate = await rig.send({ Records: [record('delivery-2')] }, context);
    answer?.();
    const firstResult = await first;
    rig.clock.advance({ minutes: 3 });
    const redelivered = await rig.send({ Records: [record('delivery-2')] }, context);

    // Assess
    expect(duplicate.batchItemFailures).toEqual([{ itemIdentifier: 'delivery-2' }]);
    expect(firstResult.batchItemFailures).toEqual([]);
    expect(redelivered.batchItemFailures).toEqual([]);
    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation?.status).toBe('sent');
    expect(published).toBe(1);
    expect(rig.telemetry.total('AttemptInFlight')).toBe(1);
    expect(rig.telemetry.total('UnknownOutcome')).toBe(0);
  });
});

describe('racing dispatchers', () => {
  it('enqueue each message once when four sweep the same minute', async () => {
    const rig = rigFor({ dispatchers: 4 });
    await rig.seedClinic();
    for (let i = 0; i < 10; i++) {
      const patient = await rig.seedPatient({ patientId: `p-race-${i}` });
      await rig.book(`a-race-${i}`, { patientId: patient.patientId, startAt: VISIT, durationMinutes: 30 });
    }

    await rig.advanceTo('2026-12-09T00:00:00Z');

    const enqueued = rig.sqsMock
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) =>
        (call.args[0].input.Entries ?? []).map(
          (entry) => JSON.parse(String(entry.MessageBody)).messageId as string,
        ),
      );
    expect(enqueued).toHaveLength(40);
    expect(duplicates(enqueued)).toEqual([]);
    expect(duplicates(rig.providerRequests.map((r) => r.messageId))).toEqual([]);
    expect(rig.providerRequests).toHaveLength(40);
    expect(rig.telemetry.total('ClaimLostRace')).toBeGreaterThan(0);
  });

  it('gives the queue the message ids, the claim token and the seconds left until due, nothing else', async () => {
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    await rig.book('a-delay', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:17:30Z',
      durationMinutes: 30,
    });

    // The sweep at 13:17 takes the 2 h reminder due at 13:17:30.
    await rig.advanceTo('2026-12-08T13:17:00Z');
    await rig.driver.sweepNow();

    const last = rig.sqsMock.commandCalls(SendMessageBatchCommand).at(-1)?.args[0].input;
    expect(last).toEqual({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/send-queue',
      Entries: [{ Id: '0', MessageBody: expect.any(String), DelaySeconds: 30 }],
    });
    expect(JSON.parse(String(last?.Entries?.[0]?.MessageBody))).toEqual({
      clinicId: 'demo-clinic',
      patientId: 'p-1',
      messageId: 'a-delay#reminder#2h#v1',
      token: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });
});

describe('provider refusals', () => {
  it('retries a throttled SMS after a backoff and sends it once', async () => {
    const rig = rigFor();
    rig.smsFails(new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }), 1);
    const appointment = await bookOne(rig);

    await rig.advanceTo('2026-12-01T16:00:00Z');

    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({ status: 'sent', attempts: 2, channel: 'sms' });
    // Sent at once at 15:00:00 and throttled. Backoff for the first retry: 30 s ceiling, jitter
    // in the upper half (random 0.5 → 23 s); the 15:00 sweep takes it with that delay.
    expect(confirmation?.finishedAt).toBe('2026-12-01T15:00:23.000Z');
    expect(rig.snsMock.commandCalls(PublishCommand)).toHaveLength(2);
    expect(rig.telemetry.total('ProviderRetry')).toBe(1);
  });

  it('retries a 5xx from SNS the same way', async () => {
    const rig = rigFor();
    rig.smsFails(new InternalErrorException({ message: 'Internal', $metadata: { httpStatusCode: 500 } }), 1);
    const appointment = await bookOne(rig);

    await rig.advanceTo('2026-12-01T16:00:00Z');

    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('falls back to email when throttling outlasts the retry budget', async () => {
    const rig = rigFor({ settings: { maxSendAttempts: 3 } });
    rig.smsFails(new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    const appointment = await bookOne(rig);

    await rig.advanceTo('2026-12-01T17:00:00Z');

    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({
      status: 'sent',
      channel: 'email',
      attempts: 3,
      reason: 'fallback-after-sms-retries-exhausted:ThrottledException',
    });
    expect(rig.snsMock.commandCalls(PublishCommand)).toHaveLength(3);
    expect(rig.sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('sends by email at once when SNS calls the number invalid, with the exact SES input', async () => {
    const rig = rigFor();
    rig.smsFails(
      new InvalidParameterException({
        message: 'Invalid parameter: PhoneNumber',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const clinic = await rig.seedClinic();
    const patient = await rig.seedPatient();
    const appointment = await rig.book('a-invalid', {
      patientId: patient.patientId,
      startAt: VISIT,
      durationMinutes: 30,
    });

    await rig.advanceTo('2026-12-01T15:05:00Z');

    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({
      status: 'sent',
      channel: 'email',
      reason: 'fallback-after-sms-invalid-address',
    });
    const email = render({
      kind: 'confirmation',
      language: 'en',
      channel: 'email',
      clinic,
      patient,
      appointment,
    });
    expect(rig.sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual(
      sesInput({ to: 'ana.rivera@example.com', ...email, messageIdTag: 'a-invalid@23confirmation@23-@23v1' }),
    );
  });

  it('fails a message for good, with a reason and a MessageFailed event, when no other channel is allowed', async () => {
    const rig = rigFor();
    rig.smsFails(
      new InvalidParameterException({
        message: 'Invalid parameter: PhoneNumber',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await rig.seedClinic();
    const patient = await rig.seedPatient({ channels: ['sms'] });
    const appointment = await rig.book('a-sms-only', {
      patientId: patient.patientId,
      startAt: VISIT,
      durationMinutes: 30,
    });

    await rig.advanceTo('2026-12-01T15:05:00Z');

    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({ status: 'failed', reason: 'sms-invalid-address' });
    const failed = rig.events().find((e) => e.detailType === 'MessageFailed');
    expect(failed?.detail).toMatchObject({
      messageId: 'a-sms-only#confirmation#-#v1',
      status: 'failed',
      reason: 'sms-invalid-address',
    });
  });

  it('records a carrier opt-out on the patient, falls back to email, and never tries the number again', async () => {
    const rig = rigFor();
    rig.smsFails(
      new OptedOutException({ message: 'Phone number is opted out', $metadata: { httpStatusCode: 400 } }),
    );
    const appointment = await bookOne(rig);

    await rig.advanceTo('2026-12-09T00:00:00Z');

    const patient = await rig.repos.patients.get('demo-clinic', 'p-1');
    expect(patient?.optOuts.sms).toEqual({ at: '2026-12-01T15:00:00.000Z', source: 'carrier' });
    expect(rig.snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    const messages = await rig.messagesOf(appointment);
    expect(messages.map((m) => [m.kind, m.status, m.channel])).toEqual([
      ['confirmation', 'sent', 'email'],
      ['reminder', 'sent', 'email'],
      ['reminder', 'sent', 'email'],
      ['reminder', 'sent', 'email'],
    ]);
    expect(rig.events().filter((e) => e.detailType === 'PatientOptedOut')).toEqual([
      {
        detailType: 'PatientOptedOut',
        detail: {
          clinicId: 'demo-clinic',
          patientId: 'p-1',
          channel: 'sms',
          source: 'carrier',
          at: '2026-12-01T15:00:00.000Z',
        },
      },
    ]);
  });

  it('marks a send whose provider never answered as unknown, without retrying it', async () => {
    const rig = rigFor();
    rig.smsFails(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 1);
    const appointment = await bookOne(rig);

    await rig.advanceTo('2026-12-01T16:00:00Z');

    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({ status: 'unknown', reason: 'provider-no-answer' });
    expect(rig.snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(rig.telemetry.total('UnknownOutcome')).toBe(1);
  });

  it('publishes MessageSent to the project bus with ids only', async () => {
    const rig = rigFor();
    await bookOne(rig);

    await rig.advanceTo('2026-12-01T15:02:00Z');

    const entry = rig.eventsMock.calls()[0]?.args[0].input as { Entries: Record<string, unknown>[] };
    expect(entry.Entries).toEqual([
      {
        EventBusName: BUS_NAME,
        Source: 'clinic-reminders',
        DetailType: 'MessageSent',
        Detail: expect.any(String),
      },
    ]);
    expect(JSON.parse(String(entry.Entries[0]?.Detail))).toEqual({
      clinicId: 'demo-clinic',
      patientId: 'p-1',
      appointmentId: 'a-fault',
      messageId: 'a-fault#confirmation#-#v1',
      kind: 'confirmation',
      channel: 'sms',
      status: 'sent',
      providerMessageId: 'sns-1',
      dueAt: '2026-12-01T15:00:00.000Z',
      at: '2026-12-01T15:00:00.000Z',
      lagSeconds: 0,
      attempts: 1,
    });
  });
});
