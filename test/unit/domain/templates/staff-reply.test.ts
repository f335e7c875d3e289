import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_PHRASES,
  STAFF_REPLY_CONVERSATION_HOURS,
  staffReplyOpensConversation,
  staffReplyWords,
  staffReplyWordsOf,
} from '../../../../shared/domain/templates';
import { makeClinic, makeMessage } from '../../../support/factories';

const NOW = DateTime.fromISO('2026-12-07T16:00:00.000Z', { zone: 'utc' });
const clinic = makeClinic(); // smsName Riverside Clinic

describe('staffReplyOpensConversation (the 24-hour rule)', () => {
  it('answers a patient who texted within the last 24 hours, and opens a conversation otherwise', () => {
    expect(STAFF_REPLY_CONVERSATION_HOURS).toBe(24);
    expect(staffReplyOpensConversation('2026-12-07T15:59:00.000Z', NOW)).toBe(false);
    expect(staffReplyOpensConversation('2026-12-06T16:00:01.000Z', NOW)).toBe(false);
    // Exactly 24 hours ago is no longer within them.
    expect(staffReplyOpensConversation('2026-12-06T16:00:00.000Z', NOW)).toBe(true);
    expect(staffReplyOpensConversation('2026-11-30T09:00:00.000Z', NOW)).toBe(true);
    expect(staffReplyOpensConversation(undefined, NOW)).toBe(true);
  });

  it('counts elapsed hours across a DST change (24 h, not the same wall-clock time)', () => {
    // New York falls back on 1 November 2026: 24 h before 12:00 EST is 13:00 EDT the day before.
    const noon = DateTime.fromISO('2026-11-02T12:00', { zone: 'America/New_York' }).toUTC();
    expect(staffReplyOpensConversation('2026-11-01T17:30:00.000Z', noon)).toBe(false); // 12:30 EST, 23.5 h
    expect(staffReplyOpensConversation('2026-11-01T16:30:00.000Z', noon)).toBe(true); // 11:30 EST, 24.5 h
  });
});

describe('staffReplyWords', () => {
  it('sends an answer as typed', () => {
    expect(
      staffReplyWords({ text: 'Yes, parking is free.', opensConversation: false, clinic, language: 'en' }),
    ).toBe('Yes, parking is free.');
  });

  it("frames a new message with the clinic's SMS name and the opt-out line of the patient's language", () => {
    expect(
      staffReplyWords({ text: 'Your forms are ready.', opensConversation: true, clinic, language: 'en' }),
    ).toBe(`Riverside Clinic: Your forms are ready. ${BUILT_IN_PHRASES.en.stopText.sms}`);
    expect(staffReplyWords({ text: 'Listos.', opensConversation: true, clinic, language: 'es-MX' })).toBe(
      'Riverside Clinic: Listos. Responda STOP para darse de baja.',
    );
    // A language with no built-in phrases falls back to English; a clinic without smsName shows its name.
    expect(
      staffReplyWords({
        text: 'Ready.',
        opensConversation: true,
        clinic: { name: 'Oak Dental' },
        language: 'fr',
      }),
    ).toBe('Oak Dental: Ready. Reply STOP to opt out.');
  });

  it('reads the stored flag of a staff-reply message, and gives nothing for other kinds', () => {
    const reply = makeMessage({
      kind: 'staff-reply',
      language: 'en',
      staffReply: { text: 'Hi.', by: 'u-1', opensConversation: true },
    });
    expect(staffReplyWordsOf(reply, clinic)).toBe('Riverside Clinic: Hi. Reply STOP to opt out.');
    expect(staffReplyWordsOf({ ...reply, staffReply: { text: 'Hi.', by: 'u-1' } }, clinic)).toBe('Hi.');
    expect(staffReplyWordsOf(makeMessage(), clinic)).toBeUndefined();
  });
});
