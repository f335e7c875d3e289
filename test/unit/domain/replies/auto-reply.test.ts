import { describe, expect, it } from 'vitest';
import {
  AUTO_REPLY_LIMIT,
  type AutoReplyInput,
  automationSignal,
  mayAutoReply,
} from '../../../../shared/domain/replies';

const NOW = '2026-12-05T15:00:00.000Z';
const minutesAgo = (minutes: number) => new Date(Date.parse(NOW) - minutes * 60_000).toISOString();
const secondsAgo = (seconds: number) => new Date(Date.parse(NOW) - seconds * 1000).toISOString();
const OUR_THANKS = 'Riverside Family Clinic: Thank you, your visit is confirmed. Questions: (202) 555-0143.';

function input(overrides: Partial<AutoReplyInput> = {}): AutoReplyInput {
  return {
    purpose: 'answer',
    optedOut: false,
    now: NOW,
    from: '+14155552671',
    inbound: { text: 'C', at: NOW },
    earlierInbound: [],
    autoReplies: [],
    ...overrides,
  };
}

const replies = (...minutes: number[]) =>
  minutes.map((m) => ({ text: 'Thank you, confirmed.', at: minutesAgo(m) }));

describe('mayAutoReply', () => {
  it('answers a person with fewer than three auto-replies in the last hour', () => {
    expect(mayAutoReply(input())).toEqual({ send: true });
    expect(mayAutoReply(input({ autoReplies: replies(50, 20) }))).toEqual({ send: true });
  });

  it(`refuses a fourth auto-reply within a rolling hour; one exactly an hour ago no longer counts (limit ${AUTO_REPLY_LIMIT})`, () => {
    expect(mayAutoReply(input({ autoReplies: replies(59, 30, 1) }))).toEqual({
      send: false,
      reason: 'hourly-limit',
    });
    expect(mayAutoReply(input({ autoReplies: replies(60, 30, 1) }))).toEqual({ send: true });
  });

  it('sends nothing to an opted-out number', () => {
    expect(mayAutoReply(input({ optedOut: true, inbound: { text: 'HELP', at: NOW } }))).toEqual({
      send: false,
      reason: 'opted-out',
    });
  });

  it('always sends the one opt-out confirmation: over the hourly limit, to a number now opted out, to a machine', () => {
    expect(
      mayAutoReply(
        input({
          purpose: 'opt-out-confirmation',
          optedOut: true,
          inbound: { text: 'STOP (auto reply)', at: NOW },
          autoReplies: replies(30, 20, 10),
        }),
      ),
    ).toEqual({ send: true });
  });

  it('does not answer a text that looks automated, and says which signal fired', () => {
    expect(mayAutoReply(input({ inbound: { text: 'Auto-reply: I am out of the office', at: NOW } }))).toEqual(
      {
        send: false,
        reason: 'looks-automated',
        signal: 'automated-wording',
      },
    );
  });
});

describe('automationSignal (the loop guard)', () => {
  it('passes a person: a short reply, the same C twice, STOP in capitals', () => {
    expect(automationSignal(input())).toBeUndefined();
    expect(automationSignal(input({ earlierInbound: [{ text: 'C', at: minutesAgo(2) }] }))).toBeUndefined();
    expect(automationSignal(input({ inbound: { text: 'STOP', at: NOW } }))).toBeUndefined();
    expect(
      automationSignal(
        input({ inbound: { text: 'ok', at: NOW }, autoReplies: [{ text: 'OK', at: minutesAgo(1) }] }),
      ),
    ).toBeUndefined();
  });

  it('flags a sender that is not a phone number: short codes and alphanumeric senders are programs', () => {
    for (const from of ['12345', '+12345', 'CLINICBOT', '']) {
      expect(automationSignal(input({ from })), from).toBe('not-a-phone-number');
    }
  });

  it('flags the wording of auto-responders, driving replies, no-reply systems and other programs’ footers, in English and Spanish', () => {
    for (const text of [
      'This is an automated message, please do not reply.',
      "I'm driving with Do Not Disturb While Driving turned on. I'll see your message when I get where I'm going.",
      'AUTOREPLY: away until Monday',
      'Your code is 1234. Msg&data rates may apply. Reply STOP to cancel',
      'Respuesta automática: estoy fuera de la oficina',
      'Mensaje automático, no responda',
    ]) {
      expect(automationSignal(input({ inbound: { text, at: NOW } })), text).toBe('automated-wording');
    }
  });

  it('flags a text that echoes one of our auto-replies back', () => {
    expect(
      automationSignal(
        input({
          inbound: { text: `Fwd: ${OUR_THANKS}`, at: NOW },
          autoReplies: [{ text: OUR_THANKS, at: secondsAgo(5) }],
        }),
      ),
    ).toBe('echoes-our-reply');
  });

  it('flags the same text three times within ten minutes, not twice, and not when the first is older', () => {
    const same = (minutes: number) => ({ text: 'Hello?', at: minutesAgo(minutes) });
    const text = { text: 'hello', at: NOW };
    expect(automationSignal(input({ inbound: text, earlierInbound: [same(9), same(4)] }))).toBe(
      'repeated-text',
    );
    expect(automationSignal(input({ inbound: text, earlierInbound: [same(4)] }))).toBeUndefined();
    expect(automationSignal(input({ inbound: text, earlierInbound: [same(11), same(4)] }))).toBeUndefined();
  });

  it('flags five texts from one number within a minute, not four', () => {
    const texts = (count: number) =>
      Array.from({ length: count }, (_, index) => ({
        text: `message ${index}`,
        at: secondsAgo(10 * (index + 1)),
      }));
    expect(automationSignal(input({ earlierInbound: texts(4) }))).toBe('burst');
    expect(automationSignal(input({ earlierInbound: texts(3) }))).toBeUndefined();
  });
});
