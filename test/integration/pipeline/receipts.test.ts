import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../shared/adapters/clock';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import {
  CapturingLogger,
  RecordingEventPublisher,
  RecordingTelemetry,
} from '../../../shared/adapters/local/recorders';
import type { Message, Patient } from '../../../shared/domain/model';
import type { DeliveryReceipt } from '../../../shared/domain/receipts';
import type { DailyCounters } from '../../../shared/ports/counters';
import type { MessageKey, MessageRepository } from '../../../shared/ports/repositories';
import { applyReceipt, type ReceiptDeps } from '../../../shared/use-cases/apply-receipt';
import { makeClinic, makeMessage, makePatient } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
const NOW = '2026-12-07T15:00:10.000Z';
const EVENT_AT = '2026-12-07T15:00:04.000Z';
let counter = 0;

function setup(
  overrides: {
    messages?: (real: MessageRepository) => MessageRepository;
    counters?: (real: DailyCounters) => DailyCounters;
  } = {},
) {
  const repos = makeRepositories(tables.clients.doc, tables.names);
  const events = new RecordingEventPublisher();
  const telemetry = new RecordingTelemetry();
  const logger = new CapturingLogger();
  const deps: ReceiptDeps = {
    messages: overrides.messages ? overrides.messages(repos.messages) : repos.messages,
    patients: repos.patients,
    clinics: repos.clinics,
    counters: overrides.counters ? overrides.counters(repos.counters) : repos.counters,
    events,
    clock: new SimulatedClock(DateTime.fromISO(NOW, { zone: 'utc' })),
    logger,
    telemetry,
  };
  return { repos, deps, events, telemetry, logger };
}

/** A patient of their own and one message of theirs in `status`, as the sender leaves it. */
async function seeded(
  repos: ReturnType<typeof setup>['repos'],
  message: Partial<Message>,
  patient: Partial<Patient> = {},
): Promise<{ key: MessageKey; patient: Patient; message: Message }> {
  counter += 1;
  const patientId = `p-rc-${counter}`;
  const stored = makePatient({ patientId, ...patient });
  await repos.patients.put(stored, null);
  const sent = makeMessage({
    patientId,
    dueAt: '2026-12-07T15:00:00.000Z',
    status: 'sent',
    attempts: 1,
    rev: 3,
    claimToken: 'token-1',
    providerMessageId: 'provider-1',
    sendingAt: '2026-12-07T15:00:00.000Z',
    finishedAt: '2026-12-07T15:00:01.000Z',
    ...message,
  });
  expect(await repos.messages.create(sent)).toBe(true);
  return {
    key: { clinicId: sent.clinicId, patientId, messageId: sent.messageId },
    patient: stored,
    message: sent,
  };
}

function receipt(
  key: MessageKey,
  fields: Partial<DeliveryReceipt> & Pick<DeliveryReceipt, 'event'>,
): DeliveryReceipt {
  return { channel: 'sms', ...key, at: EVENT_AT, ...fields };
}

describe('delivery receipts on DynamoDB Local', () => {
  it('marks a sent text delivered, and a duplicate of the receipt changes nothing', async () => {
    const { repos, deps, events } = setup();
    const { key } = await seeded(repos, {});

    expect(await applyReceipt(deps, receipt(key, { event: 'TEXT_DELIVERED' }))).toBe('delivered');
    const delivered = await repos.messages.get(key);
    expect(delivered).toMatchObject({
      status: 'delivered',
      receipt: { event: 'TEXT_DELIVERED', at: EVENT_AT },
      providerMessageId: 'provider-1',
      finishedAt: '2026-12-07T15:00:01.000Z',
    });

    expect(await applyReceipt(deps, receipt(key, { event: 'TEXT_DELIVERED' }))).toBe('replayed');
    expect(await repos.messages.get(key)).toEqual(delivered);
    expect(events.events).toEqual([]);
  });

  it('sends a carrier-blocked text again by email, once however often the receipt comes', async () => {
    const { repos, deps, events, telemetry } = setup();
    const { key } = await seeded(repos, {});
    const blocked = receipt(key, { event: 'TEXT_CARRIER_BLOCKED' });

    expect(await applyReceipt(deps, blocked)).toBe('undeliverable');
    expect(await applyReceipt(deps, blocked)).toBe('replayed');

    const stored = await repos.messages.listForPatient(key.clinicId, key.patientId);
    expect(
      stored.map((message) => [message.messageId, message.status, message.channel, message.reason]),
    ).toEqual([
      ['a-1#reminder#1d#v1', 'undeliverable', 'sms', 'TEXT_CARRIER_BLOCKED'],
      ['a-1#reminder#1d#v1#via-email', 'pending', 'email', undefined],
    ]);
    expect(stored[1]).toMatchObject({ dueAt: NOW, failedChannels: ['sms'], attempts: 0 });
    expect(telemetry.total('FallbackQueued')).toBe(1);
    expect(
      events.events.map((event) => [event.detailType, event.detail.status, event.detail.reason]),
    ).toEqual([['MessageFailed', 'undeliverable', 'TEXT_CARRIER_BLOCKED']]);
  });

  it('leaves an undeliverable text alone when the patient allows no other channel', async () => {
    const { repos, deps, telemetry } = setup();
    const { key } = await seeded(repos, {}, { channels: ['sms'] });

    expect(await applyReceipt(deps, receipt(key, { event: 'TEXT_UNREACHABLE' }))).toBe('undeliverable');
    expect((await repos.messages.listForPatient(key.clinicId, key.patientId)).length).toBe(1);
    expect(telemetry.total('NoFallback')).toBe(1);
  });

  it('keeps a receipt that arrives before sent is stored, and applies it when it comes back after', async () => {
    const { repos, deps } = setup();
    const { key } = await seeded(repos, {
      status: 'sending',
      providerMessageId: undefined,
      finishedAt: undefined,
    });
    const delivered = receipt(key, { event: 'TEXT_DELIVERED' });

    expect(await applyReceipt(deps, delivered)).toBe('not-yet-sent');
    expect((await repos.messages.get(key))?.status).toBe('sending');

    await repos.messages.markSent(key, 'token-1', {
      providerMessageId: 'provider-1',
      channel: 'sms',
      at: '2026-12-07T15:00:06.000Z',
    });
    expect(await applyReceipt(deps, delivered)).toBe('delivered');
    expect(await repos.messages.get(key)).toMatchObject({
      status: 'delivered',
      providerMessageId: 'provider-1',
      receipt: { event: 'TEXT_DELIVERED' },
    });
  });

  it('settles a message whose outcome was unknown: the receipt proves it went out', async () => {
    const { repos, deps } = setup();
    const { key } = await seeded(repos, { status: 'unknown', reason: 'interrupted-attempt' });
    expect(await applyReceipt(deps, receipt(key, { event: 'TEXT_SUCCESSFUL' }))).toBe('delivered');
    expect((await repos.messages.get(key))?.status).toBe('delivered');
  });

  it('lets a later failure overturn a carrier’s acceptance, but not a handset receipt', async () => {
    const { repos, deps } = setup();
    const carrier = await seeded(repos, {}, { channels: ['sms'] });
    await applyReceipt(deps, receipt(carrier.key, { event: 'TEXT_SUCCESSFUL' }));
    expect(
      await applyReceipt(
        deps,
        receipt(carrier.key, { event: 'TEXT_TTL_EXPIRED', at: '2026-12-07T16:00:00.000Z' }),
      ),
    ).toBe('undeliverable');
    expect((await repos.messages.get(carrier.key))?.status).toBe('undeliverable');

    const handset = await seeded(repos, {}, { channels: ['sms'] });
    await applyReceipt(deps, receipt(handset.key, { event: 'TEXT_DELIVERED' }));
    expect(await applyReceipt(deps, receipt(handset.key, { event: 'TEXT_SPAM' }))).toBe('ignored');
    expect((await repos.messages.get(handset.key))?.status).toBe('delivered');
  });

  it('changes nothing on a message that was never sent, and finds no message for an unknown id', async () => {
    const { repos, deps } = setup();
    const { key, message } = await seeded(repos, {
      status: 'pending',
      providerMessageId: undefined,
      claimToken: undefined,
      sendingAt: undefined,
      finishedAt: undefined,
      rev: 1,
      attempts: 0,
    });
    expect(await applyReceipt(deps, receipt(key, { event: 'TEXT_DELIVERED' }))).toBe('ignored');
    expect(await repos.messages.get(key)).toEqual(message);
    expect(
      await applyReceipt(
        deps,
        receipt({ ...key, messageId: 'a-9#reminder#1d#v1' }, { event: 'TEXT_DELIVERED' }),
      ),
    ).toBe('unmatched');
  });

  it('marks the email undeliverable after a permanent bounce and sends the message by SMS instead', async () => {
    const { repos, deps } = setup();
    const { key } = await seeded(repos, { channel: 'email' }, { channels: ['email', 'sms'] });
    const bounce = receipt(key, {
      channel: 'email',
      event: 'Bounce',
      bounceType: 'Permanent',
      recipients: ['ana.rivera@example.com'],
    });

    expect(await applyReceipt(deps, bounce)).toBe('undeliverable');
    expect(await applyReceipt(deps, bounce)).toBe('replayed');

    const patient = await repos.patients.get(key.clinicId, key.patientId);
    expect(patient?.undeliverable).toEqual({
      email: { at: EVENT_AT, source: 'bounce', messageId: 'a-1#reminder#1d#v1' },
    });
    expect(patient?.version).toBe(2);
    const stored = await repos.messages.listForPatient(key.clinicId, key.patientId);
    expect(stored.map((message) => [message.messageId, message.status, message.reason])).toEqual([
      ['a-1#reminder#1d#v1', 'undeliverable', 'bounce-permanent'],
      ['a-1#reminder#1d#v1#via-sms', 'pending', undefined],
    ]);
  });

  it('keeps the address after a transient bounce, and still tries the next channel', async () => {
    const { repos, deps } = setup();
    const { key } = await seeded(repos, { channel: 'email' }, { channels: ['email', 'sms'] });
    await applyReceipt(
      deps,
      receipt(key, {
        channel: 'email',
        event: 'Bounce',
        bounceType: 'Transient',
        recipients: ['ana.rivera@example.com'],
      }),
    );
    expect((await repos.patients.get(key.clinicId, key.patientId))?.undeliverable).toBeUndefined();
    expect((await repos.messages.listForPatient(key.clinicId, key.patientId)).map((m) => m.reason)).toEqual([
      'bounce-transient',
      undefined,
    ]);
  });

  it('opts the email out after a complaint, with one PatientOptedOut event', async () => {
    const { repos, deps, events } = setup();
    const { key } = await seeded(repos, { channel: 'email' });
    const complaint = receipt(key, {
      channel: 'email',
      event: 'Complaint',
      recipients: ['ana.rivera@example.com'],
    });

    expect(await applyReceipt(deps, receipt(key, { channel: 'email', event: 'Delivery' }))).toBe('delivered');
    expect(await applyReceipt(deps, complaint)).toBe('opted-out');
    expect(await applyReceipt(deps, complaint)).toBe('ignored');

    expect((await repos.patients.get(key.clinicId, key.patientId))?.optOuts.email).toEqual({
      at: EVENT_AT,
      source: 'complaint',
    });
    expect((await repos.messages.get(key))?.status).toBe('delivered');
    expect(events.events).toEqual([
      {
        detailType: 'PatientOptedOut',
        detail: {
          clinicId: 'demo-clinic',
          patientId: key.patientId,
          channel: 'email',
          source: 'complaint',
          messageId: 'a-1#reminder#1d#v1',
          at: EVENT_AT,
        },
      },
    ]);
  });

  it('counts a complaint’s opt-out once, on the clinic’s day, also when the first delivery died before counting; a bounce counts none', async () => {
    // Prepare: a clinic of its own (its zone puts 02:30 UTC on the evening before); counting fails once.
    let failures = 1;
    const { repos, deps } = setup({
      counters: (real) => ({
        readDays: (...args) => real.readDays(...args),
        record: async (event) => {
          if (failures-- > 0) throw new Error('crash before the count');
          return real.record(event);
        },
      }),
    });
    await repos.clinics.put(makeClinic({ clinicId: 'c-complaint', timeZone: 'America/Chicago' }), null);
    const ofClinic = { clinicId: 'c-complaint' };
    const { key } = await seeded(repos, { ...ofClinic, channel: 'email' }, ofClinic);
    const other = await seeded(repos, { ...ofClinic, channel: 'email' }, ofClinic);
    const at = '2026-12-08T02:30:00.000Z';
    const complaint = receipt(key, {
      channel: 'email',
      event: 'Complaint',
      at,
      recipients: ['ana.rivera@example.com'],
    });
    const bounce = receipt(other.key, {
      channel: 'email',
      event: 'Bounce',
      at,
      bounceType: 'Permanent',
      recipients: ['ana.rivera@example.com'],
    });

    // Act: the first delivery stores the opt-out and dies counting it; SQS brings it back, then again.
    await expect(applyReceipt(deps, complaint)).rejects.toThrow('crash before the count');
    await applyReceipt(deps, complaint);
    await applyReceipt(deps, complaint);
    await applyReceipt(deps, bounce);

    // Assess
    expect((await repos.patients.get(key.clinicId, key.patientId))?.optOuts.email?.source).toBe('complaint');
    const days = await repos.counters.readDays('c-complaint', '2026-12-01', '2026-12-31');
    expect(days.map((d) => [d.day, d.counts['opt-out:email']])).toEqual([['2026-12-07', 1]]);
  });

  it('makes the fallback on a retry when a crash came between the receipt and the copy', async () => {
    let crashes = 1;
    const { repos, deps } = setup({
      messages: (real) =>
        new Proxy(real, {
          get(target, property, receiver) {
            if (property === 'create' && crashes > 0) {
              return async () => {
                crashes -= 1;
                throw new Error('crash before the copy was stored');
              };
            }
            return Reflect.get(target, property, receiver);
          },
        }),
    });
    const { key } = await seeded(repos, {});
    const blocked = receipt(key, { event: 'TEXT_BLOCKED' });

    await expect(applyReceipt(deps, blocked)).rejects.toThrow('crash before the copy');
    expect(await applyReceipt(deps, blocked)).toBe('replayed');
    expect(
      (await repos.messages.listForPatient(key.clinicId, key.patientId)).map((m) => m.messageId),
    ).toEqual(['a-1#reminder#1d#v1', 'a-1#reminder#1d#v1#via-email']);
  });

  it('logs ids and event types only', async () => {
    const { repos, deps, logger } = setup();
    const { key } = await seeded(repos, { channel: 'email' }, { channels: ['email', 'sms'] });
    await applyReceipt(
      deps,
      receipt(key, {
        channel: 'email',
        event: 'Bounce',
        bounceType: 'Permanent',
        recipients: ['ana.rivera@example.com'],
      }),
    );
    const lines = logger.lines.join('\n');
    expect(lines).not.toContain('ana.rivera');
    expect(lines).not.toContain('+1415');
  });
});
