import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedChannels, reconcile } from '../../../shared/domain/planning';
import {
  fallbackIdFor,
  isFallbackId,
  originalIdOf,
  parseMessageId,
} from '../../../shared/domain/planning/ids';
import {
  fallbackFor,
  keptUndeliverable,
  markedUndeliverable,
  optedOutByComplaint,
  receiptMismatch,
  receiptPrecondition,
  receiptVerdict,
  SMS_DELIVERED_EVENTS,
  SMS_UNDELIVERABLE_EVENTS,
} from '../../../shared/domain/receipts';
import { makeAppointment, makeMessage, makePatient, TEST_NOW } from '../../support/factories';

const AT = '2026-12-07T15:00:05.000Z';
const sentSms = makeMessage({
  status: 'sent',
  providerMessageId: 'eum-1',
  finishedAt: '2026-12-07T15:00:00.000Z',
});

describe('receipt verdicts', () => {
  it.each(SMS_DELIVERED_EVENTS)('reads SMS %s as delivered', (event) => {
    expect(receiptVerdict({ channel: 'sms', event })).toEqual({ kind: 'delivered' });
  });

  it.each(SMS_UNDELIVERABLE_EVENTS)(
    'reads SMS %s as undeliverable with the event type as reason',
    (event) => {
      expect(receiptVerdict({ channel: 'sms', event })).toEqual({
        kind: 'undeliverable',
        reason: event,
        addressUndeliverable: false,
      });
    },
  );

  it('names the seven failure events of the issue among the undeliverable ones', () => {
    expect(SMS_UNDELIVERABLE_EVENTS).toEqual(
      expect.arrayContaining([
        'TEXT_BLOCKED',
        'TEXT_CARRIER_BLOCKED',
        'TEXT_INVALID',
        'TEXT_UNREACHABLE',
        'TEXT_CARRIER_UNREACHABLE',
        'TEXT_TTL_EXPIRED',
        'TEXT_SPAM',
      ]),
    );
  });

  it('records nothing for events on the way or events it does not know', () => {
    expect(receiptVerdict({ channel: 'sms', event: 'TEXT_QUEUED' })).toEqual({ kind: 'progress' });
    expect(receiptVerdict({ channel: 'sms', event: 'TEXT_PENDING' })).toEqual({ kind: 'progress' });
    expect(receiptVerdict({ channel: 'sms', event: 'TEXT_UNKNOWN' })).toEqual({ kind: 'unrecognised' });
    expect(receiptVerdict({ channel: 'email', event: 'Open' })).toEqual({ kind: 'unrecognised' });
    // An SMS event type on the email channel is not an email event.
    expect(receiptVerdict({ channel: 'email', event: 'TEXT_DELIVERED' })).toEqual({ kind: 'unrecognised' });
  });

  it('reads SES deliveries, bounces by type and complaints', () => {
    expect(receiptVerdict({ channel: 'email', event: 'Delivery' })).toEqual({ kind: 'delivered' });
    expect(receiptVerdict({ channel: 'email', event: 'Complaint' })).toEqual({ kind: 'complaint' });
    expect(receiptVerdict({ channel: 'email', event: 'Bounce', bounceType: 'Permanent' })).toEqual({
      kind: 'undeliverable',
      reason: 'bounce-permanent',
      addressUndeliverable: true,
    });
    expect(receiptVerdict({ channel: 'email', event: 'Bounce', bounceType: 'Transient' })).toEqual({
      kind: 'undeliverable',
      reason: 'bounce-transient',
      addressUndeliverable: false,
    });
    expect(receiptVerdict({ channel: 'email', event: 'Bounce' })).toEqual({
      kind: 'undeliverable',
      reason: 'bounce-undetermined',
      addressUndeliverable: false,
    });
  });
});

describe('what a receipt may change', () => {
  it('settles a sent message, and an unknown one (a receipt proves it went out)', () => {
    expect(receiptPrecondition({ kind: 'delivered' })).toEqual({
      status: 'delivered',
      statuses: ['sent', 'unknown'],
      overturnable: [],
    });
    expect(receiptPrecondition({ kind: 'complaint' }).status).toBe('delivered');
  });

  it('lets a failure overturn a carrier’s or mail server’s acceptance, never a handset receipt', () => {
    const precondition = receiptPrecondition({
      kind: 'undeliverable',
      reason: 'TEXT_TTL_EXPIRED',
      addressUndeliverable: false,
    });
    expect(precondition.overturnable).toEqual(['TEXT_SUCCESSFUL', 'Delivery']);
    expect(precondition.overturnable).not.toContain('TEXT_DELIVERED');
  });

  it('tells a message still being sent from a duplicate, a settled one and one never sent', () => {
    const receipt = { event: 'TEXT_DELIVERED', at: AT };
    expect(receiptMismatch({ status: 'sending' }, receipt, 'delivered')).toBe('not-yet-sent');
    expect(receiptMismatch({ status: 'delivered', receipt }, receipt, 'delivered')).toBe('already-applied');
    expect(
      receiptMismatch({ status: 'delivered', receipt: { ...receipt, at: TEST_NOW } }, receipt, 'delivered'),
    ).toBe('already-settled');
    expect(
      receiptMismatch(
        { status: 'undeliverable', receipt: { event: 'TEXT_SPAM', at: AT } },
        receipt,
        'delivered',
      ),
    ).toBe('already-settled');
    for (const status of ['pending', 'queued', 'skipped', 'failed'] as const) {
      expect(receiptMismatch({ status }, receipt, 'delivered'), status).toBe('never-sent');
    }
  });
});

describe('the fallback copy', () => {
  it('goes on the patient’s next allowed channel at once, with a fixed id and the first channel failed', () => {
    const result = fallbackFor(sentSms, makePatient(), AT);
    expect(result).toEqual({
      fallback: {
        clinicId: 'demo-clinic',
        patientId: 'p-1',
        appointmentId: 'a-1',
        messageId: 'a-1#reminder#1d#v1#via-email',
        kind: 'reminder',
        offset: '1d',
        priority: 'high',
        channel: 'email',
        language: 'en',
        dueAt: AT,
        plannedAt: sentSms.plannedAt,
        notAfter: sentSms.notAfter,
        status: 'pending',
        attempts: 0,
        failedChannels: ['sms'],
        planVersion: 1,
        rev: 1,
        createdAt: AT,
        updatedAt: AT,
      },
    });
  });

  it('is made from the same message to the same id every time', () => {
    const first = fallbackFor(sentSms, makePatient(), AT);
    const again = fallbackFor(sentSms, makePatient(), '2026-12-07T15:09:00.000Z');
    expect(
      'fallback' in first && 'fallback' in again && first.fallback.messageId === again.fallback.messageId,
    ).toBe(true);
  });

  it('is not made when the patient allows no other channel', () => {
    expect(fallbackFor(sentSms, makePatient({ channels: ['sms'] }), AT)).toEqual({
      none: 'no-other-channel',
    });
    expect(
      fallbackFor(sentSms, makePatient({ optOuts: { email: { at: TEST_NOW, source: 'staff' } } }), AT),
    ).toEqual({ none: 'no-other-channel' });
    expect(
      fallbackFor(
        sentSms,
        makePatient({ undeliverable: { email: { at: TEST_NOW, source: 'bounce', messageId: 'x' } } }),
        AT,
      ),
    ).toEqual({ none: 'no-other-channel' });
    expect(fallbackFor(sentSms, undefined, AT)).toEqual({ none: 'patient-missing' });
  });

  it('is not made for a reply, for a copy, or after the message stopped mattering', () => {
    expect(fallbackFor({ ...sentSms, kind: 'keyword-reply' }, makePatient(), AT)).toEqual({
      none: 'reply-kind',
    });
    expect(
      fallbackFor(
        { ...sentSms, messageId: 'a-1#reminder#1d#v1#via-email', channel: 'email' },
        makePatient(),
        AT,
      ),
    ).toEqual({ none: 'already-a-fallback' });
    expect(fallbackFor(sentSms, makePatient(), '2026-12-08T15:00:01.000Z')).toEqual({ none: 'expired' });
  });

  it('goes back from a bounced email to SMS when the patient lists both', () => {
    const email = makeMessage({ channel: 'email', status: 'sent' });
    const result = fallbackFor(email, makePatient({ channels: ['email', 'sms'] }), AT);
    expect('fallback' in result && result.fallback.channel).toBe('sms');
    expect('fallback' in result && result.fallback.messageId).toBe('a-1#reminder#1d#v1#via-sms');
  });
});

describe('fallback ids', () => {
  it('read back as the original’s parts plus the channel', () => {
    expect(parseMessageId('a-1#reminder#1d#v2#via-email')).toEqual({
      appointmentId: 'a-1',
      kind: 'reminder',
      offset: '1d',
      version: 2,
      via: 'email',
    });
    expect(isFallbackId('a-1#reminder#1d#v2#via-email')).toBe(true);
    expect(isFallbackId('a-1#reminder#1d#v2')).toBe(false);
    expect(originalIdOf('a-1#reminder#1d#v2#via-sms')).toBe('a-1#reminder#1d#v2');
    expect(originalIdOf('a-1#reminder#1d#v2')).toBe('a-1#reminder#1d#v2');
    expect(parseMessageId('a-1#reminder#1d#v2#via-fax')).toBeUndefined();
    expect(() => fallbackIdFor('a-1#reminder#1d#v2#via-sms', 'email')).toThrow(RangeError);
  });

  it('stand or fall with their original when the appointment is planned again', () => {
    const appointment = makeAppointment({ version: 2 });
    const original = makeMessage({ status: 'undeliverable', planVersion: 1 });
    const copy = makeMessage({
      messageId: fallbackIdFor(original.messageId, 'email'),
      channel: 'email',
      status: 'pending',
      planVersion: 1,
    });
    const desired = [
      {
        messageId: original.messageId,
        appointmentId: 'a-1',
        kind: 'reminder' as const,
        offset: '1d',
        priority: 'high' as const,
        channel: 'sms' as const,
        language: 'en',
        dueAt: original.dueAt,
        plannedAt: original.plannedAt,
        notAfter: original.notAfter,
        status: 'pending' as const,
      },
    ];
    // A touch that keeps the reminder (a confirmation recorded, say) keeps its copy.
    expect(reconcile(desired, [original, copy], appointment).withdraw).toEqual([]);
    // A move that drops the reminder drops the copy too.
    const moved = makeAppointment({ version: 2, scheduleVersion: 2 });
    expect(reconcile([], [original, copy], moved).withdraw).toEqual([
      { messageId: copy.messageId, reason: 'appointment-moved' },
    ]);
  });
});

describe('an email address that bounced', () => {
  const bounce = { at: AT, recipients: ['Ana.Rivera@example.com'] };

  it('is marked undeliverable once, for the address that bounced', () => {
    const patient = makePatient();
    const marked = markedUndeliverable(patient, bounce, 'm-1');
    expect(marked?.undeliverable).toEqual({ email: { at: AT, source: 'bounce', messageId: 'm-1' } });
    expect(marked && markedUndeliverable(marked, bounce, 'm-2')).toBeUndefined();
    expect(markedUndeliverable(patient, { at: AT, recipients: ['old@example.com'] }, 'm-1')).toBeUndefined();
  });

  it('stops email from being an allowed channel, and a new address lifts it', () => {
    const marked = markedUndeliverable(makePatient(), bounce, 'm-1');
    expect(marked && allowedChannels(marked)).toEqual(['sms']);
    expect(keptUndeliverable(marked, 'ana.rivera@example.com')).toEqual(marked?.undeliverable);
    expect(keptUndeliverable(marked, 'ana@new.example')).toBeUndefined();
    expect(keptUndeliverable(undefined, 'ana@new.example')).toBeUndefined();
  });
});

describe('a complaint', () => {
  it('opts the email out with source complaint, once, and only for the address that complained', () => {
    const complaint = { at: AT, recipients: ['ana.rivera@example.com'] };
    const optedOut = optedOutByComplaint(makePatient(), complaint);
    expect(optedOut?.optOuts.email).toEqual({ at: AT, source: 'complaint' });
    expect(optedOut && optedOutByComplaint(optedOut, complaint)).toBeUndefined();
    expect(optedOutByComplaint(makePatient(), { at: AT, recipients: ['other@example.com'] })).toBeUndefined();
  });
});

describe('fallback ids, for any message id', () => {
  it('round-trip through originalIdOf and never nest', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60 }).filter((id) => !isFallbackId(id)),
        fc.constantFrom('sms' as const, 'email' as const),
        (id, channel) => {
          const copy = fallbackIdFor(id, channel);
          expect(isFallbackId(copy)).toBe(true);
          expect(originalIdOf(copy)).toBe(id);
        },
      ),
      { numRuns: 300 },
    );
  });
});
