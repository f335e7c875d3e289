import { describe, expect, it } from 'vitest';
import { formatInboundNumbers, parseInboundNumbers } from '../../../shared/config/settings';
import { decodeInbound } from '../../../shared/lambda/inbound-queue';

function envelope(message: unknown, timestamp = '2026-12-07T16:00:00.123Z'): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: 'sns-1',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: timestamp,
  });
}

const PAYLOAD = {
  originationNumber: '+14155552671',
  destinationNumber: '+12025550100',
  messageKeyword: 'KEYWORD_123456789012',
  messageBody: 'C',
  inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
  previousPublishedMessageId: 'wJ0jdT2bH-D7SQLZcC8VYm9hdnFhNEdMNzNSN1Y3VzRqRmVQV1hC',
};

describe('decodeInbound', () => {
  it('reads End User Messaging payload inside the SNS envelope, the envelope Timestamp as when it was sent', () => {
    expect(decodeInbound(envelope(PAYLOAD))).toEqual({
      text: {
        inboundMessageId: PAYLOAD.inboundMessageId,
        from: PAYLOAD.originationNumber,
        to: PAYLOAD.destinationNumber,
        body: 'C',
        keyword: PAYLOAD.messageKeyword,
        previousPublishedMessageId: PAYLOAD.previousPublishedMessageId,
        receivedAt: '2026-12-07T16:00:00.123Z',
      },
    });
  });

  it('takes a payload without a keyword or an answered message id', () => {
    const decoded = decodeInbound(
      envelope({ ...PAYLOAD, messageKeyword: null, previousPublishedMessageId: undefined }),
    );
    expect(decoded).toEqual({
      text: {
        inboundMessageId: PAYLOAD.inboundMessageId,
        from: PAYLOAD.originationNumber,
        to: PAYLOAD.destinationNumber,
        body: 'C',
        receivedAt: '2026-12-07T16:00:00.123Z',
      },
    });
  });

  it.each([
    ['a body that is not JSON', 'not json', 'not-an-sns-notification'],
    ['a raw payload with no envelope', JSON.stringify(PAYLOAD), 'not-an-sns-notification'],
    ['an envelope around something else', envelope({ hello: 'world' }), 'not-an-inbound-text'],
    [
      'an inbound id over 200 characters',
      envelope({ ...PAYLOAD, inboundMessageId: 'x'.repeat(201) }),
      'not-an-inbound-text',
    ],
    ['a timestamp that is not UTC', envelope(PAYLOAD, '2026-12-07 16:00'), 'bad-timestamp'],
    [
      'a sender that is not E.164',
      envelope({ ...PAYLOAD, originationNumber: '12345' }),
      'origination-not-e164',
    ],
    [
      'a destination that is not E.164',
      envelope({ ...PAYLOAD, destinationNumber: 'clinic' }),
      'destination-not-e164',
    ],
    [
      'a body over 1,600 characters',
      envelope({ ...PAYLOAD, messageBody: 'a'.repeat(1601) }),
      'body-too-long',
    ],
  ])('refuses %s', (_name, body, problem) => {
    expect(decodeInbound(body)).toMatchObject({ problem });
  });

  it('keeps a body of exactly 1,600 characters', () => {
    expect(decodeInbound(envelope({ ...PAYLOAD, messageBody: 'a'.repeat(1600) }))).toHaveProperty('text');
  });

  it('counts an emoji as one character, as the reply grammar does: 900 of them are a text, 1,601 are not', () => {
    expect(decodeInbound(envelope({ ...PAYLOAD, messageBody: '🙂'.repeat(900) }))).toHaveProperty('text');
    expect(decodeInbound(envelope({ ...PAYLOAD, messageBody: '🙂'.repeat(1601) }))).toMatchObject({
      problem: 'body-too-long',
    });
  });
});

describe('INBOUND_NUMBERS', () => {
  it('reads back what it formats', () => {
    const numbers = [
      { number: '+12025550100', clinicId: 'north' },
      { number: '+18885550123', clinicId: 'riverside-2' },
    ];
    expect([...(parseInboundNumbers(formatInboundNumbers(numbers)) ?? [])]).toEqual([
      ['+12025550100', 'north'],
      ['+18885550123', 'riverside-2'],
    ]);
    expect(parseInboundNumbers('')?.size).toBe(0);
  });

  it.each([
    ['+12025550100'],
    ['12025550100=north'],
    ['+12025550100=north,+12025550100=south'],
    ['+1202=Bad'],
  ])('refuses %s', (text) => {
    expect(parseInboundNumbers(text)).toBeUndefined();
  });
});
