import { describe, expect, it } from 'vitest';
import { decodeReceipt } from '../../../shared/lambda/receipt-queue';
import { emailEvent, smsEvent } from '../../support/receipt-events';

const ids = { clinicId: 'riverside', patientId: 'p-1', messageId: 'a-1#reminder#1d#v1' };
const AT = '2026-12-07T15:00:05.123Z';

describe('decoding receipts', () => {
  it('reads an End User Messaging SMS event: our ids from the context, the event type and time', () => {
    expect(decodeReceipt(JSON.stringify(smsEvent(ids, 'TEXT_CARRIER_BLOCKED', AT)))).toEqual({
      channel: 'sms',
      ...ids,
      event: 'TEXT_CARRIER_BLOCKED',
      at: AT,
      providerMessageId: 'eum-1',
    });
  });

  it('reads SES events: our ids from the tags, bounce type and the addresses they name', () => {
    expect(
      decodeReceipt(JSON.stringify(emailEvent(ids, { bounce: 'Permanent' }, 'ana.rivera@example.com', AT))),
    ).toEqual({
      channel: 'email',
      ...ids,
      event: 'Bounce',
      at: AT,
      providerMessageId: 'ses-1',
      bounceType: 'Permanent',
      recipients: ['ana.rivera@example.com'],
    });
    expect(decodeReceipt(JSON.stringify(emailEvent(ids, 'Complaint', 'ana.rivera@example.com', AT)))).toEqual(
      {
        channel: 'email',
        ...ids,
        event: 'Complaint',
        at: AT,
        providerMessageId: 'ses-1',
        recipients: ['ana.rivera@example.com'],
      },
    );
    expect(decodeReceipt(JSON.stringify(emailEvent(ids, 'Delivery', 'ana.rivera@example.com', AT)))).toEqual({
      channel: 'email',
      ...ids,
      event: 'Delivery',
      at: AT,
      providerMessageId: 'ses-1',
    });
  });

  it('reads an event inside an SNS envelope as well as raw', () => {
    const envelope = {
      Type: 'Notification',
      MessageId: 'sns-1',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:receipts',
      Message: JSON.stringify(smsEvent(ids, 'TEXT_DELIVERED', AT)),
      Timestamp: AT,
    };
    expect(decodeReceipt(JSON.stringify(envelope))).toMatchObject({ event: 'TEXT_DELIVERED', ...ids });
  });

  it('calls an event without any of our ids not ours, and anything unreadable malformed', () => {
    const { context: _, ...noContext } = smsEvent(ids, 'TEXT_DELIVERED', AT);
    expect(decodeReceipt(JSON.stringify(noContext))).toEqual({ problem: 'not-ours' });
    const untagged = emailEvent(ids, 'Delivery', 'a@example.com', AT);
    untagged.mail.tags = { 'ses:configuration-set': ['riverside-reminders'] } as typeof untagged.mail.tags;
    expect(decodeReceipt(JSON.stringify(untagged))).toEqual({ problem: 'not-ours' });

    for (const body of [
      'not json',
      '{}',
      JSON.stringify({ eventType: 'TEXT_DELIVERED' }),
      JSON.stringify(smsEvent({ ...ids, clinicId: 'Not A Clinic' }, 'TEXT_DELIVERED', AT)),
      JSON.stringify(smsEvent({ ...ids, messageId: '' }, 'TEXT_DELIVERED', AT)),
      JSON.stringify({ ...smsEvent(ids, 'TEXT_DELIVERED', AT), context: { clinicId: 'riverside' } }),
      JSON.stringify({
        ...emailEvent(ids, 'Delivery', 'a@example.com', AT),
        delivery: { timestamp: 'yesterday' },
        mail: { tags: { messageId: ['x'] } },
      }),
    ]) {
      expect(decodeReceipt(body), body).toEqual({ problem: 'malformed' });
    }
  });
});
