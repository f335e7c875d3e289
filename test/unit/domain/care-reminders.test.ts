import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CARE_KINDS } from '../../../shared/domain/care/kinds';
import {
  type CareReminder,
  CareReminderFieldsSchema,
  CareReminderSchema,
  careMessageId,
  currentDueDate,
  nextDueOn,
  parseCareMessageId,
  parseRepeat,
  planCareDueDate,
} from '../../../shared/domain/care/reminder';
import {
  CARE_TEXTS,
  checkCareWording,
  renderCareEmail,
  renderCareSms,
} from '../../../shared/domain/care/wording';
import { countSegments, WORST_CASE_SAMPLES } from '../../../shared/domain/templates';
import { localDateAndTime } from '../../../shared/domain/templates/render';
import { longestDateAndTime } from '../../../shared/domain/templates/validate';
import { makeCareReminder, makeClinic, makeMessage, makePatient, TEST_NOW } from '../../support/factories';
import { localInstant, wallClock } from './support/local-time';

function makeReminder(overrides: Partial<CareReminder> = {}): CareReminder {
  const { planAt: _planAt, ...reminder } = makeCareReminder(overrides);
  return CareReminderSchema.parse({ ...reminder, ...overrides });
}

const issuesOf = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) => (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('care reminder repeats', () => {
  it('keeps the first due date’s day of the month, clamped to each month: 31 Jan + P1M is 28/29 Feb, then 31 Mar', () => {
    expect(nextDueOn('2027-01-31', 'P1M', 31)).toBe('2027-02-28');
    expect(nextDueOn('2027-02-28', 'P1M', 31)).toBe('2027-03-31');
    expect(nextDueOn('2027-03-31', 'P1M', 31)).toBe('2027-04-30');
    expect(nextDueOn('2028-01-31', 'P1M', 31)).toBe('2028-02-29');
    expect(nextDueOn('2028-02-29', 'P1Y', 29)).toBe('2029-02-28');
    expect(nextDueOn('2031-02-28', 'P1Y', 29)).toBe('2032-02-29');
    expect(nextDueOn('2027-01-31', 'P30D', 31)).toBe('2027-03-02');
    expect(nextDueOn('2027-03-13', 'P1D', 13)).toBe('2027-03-14');
  });

  it('reads only ISO durations of whole days, months or years, and names the field when refused', () => {
    expect(parseRepeat('P30D')).toEqual({ count: 30, unit: 'days' });
    expect(parseRepeat('P1M')).toEqual({ count: 1, unit: 'months' });
    expect(parseRepeat('P1Y')).toEqual({ count: 1, unit: 'years' });
    for (const bad of ['P1W', 'PT1H', 'P1M2D', 'P0D', 'P400D', '30d', 'P', 'P1.5M', 'P11Y']) {
      expect(parseRepeat(bad), bad).toBeUndefined();
    }
    const refused = CareReminderFieldsSchema.safeParse({
      kind: 'refill',
      dueOn: '2027-01-31',
      repeat: { every: 'P2W' },
    });
    expect(issuesOf(refused)).toEqual([
      'repeat.every: must be an ISO 8601 duration of whole days, months or years, such as P30D, P1M or P1Y (at most 366 days, 24 months or 10 years)',
    ]);
    expect(issuesOf(CareReminderFieldsSchema.safeParse({ kind: 'refill', dueOn: '2027-02-30' }))).toEqual([
      'dueOn: must be a date YYYY-MM-DD',
    ]);
    expect(
      issuesOf(CareReminderFieldsSchema.safeParse({ kind: 'refill', dueOn: '2027-02-03', action: {} })),
    ).toEqual(['action: must be exactly one of {"phone": "+1…"} or {"url": "https://…"}']);
  });

  it('rolls monthly and yearly repeats forward without drifting, for any first due date (property)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2026-01-01T00:00:00Z'),
          max: new Date('2035-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('P1M', 'P2M', 'P3M', 'P1Y'),
        fc.integer({ min: 1, max: 24 }),
        (start, every, steps) => {
          const first = DateTime.fromJSDate(start, { zone: 'utc' }).toISODate() ?? '';
          const anchor = DateTime.fromISO(first, { zone: 'utc' }).day;
          const months = every === 'P1Y' ? 12 : Number(every.slice(1, -1));
          let dueOn = first;
          for (let step = 1; step <= steps; step += 1) {
            const next = nextDueOn(dueOn, every, anchor);
            const expectedMonth = DateTime.fromISO(first, { zone: 'utc' })
              .startOf('month')
              .plus({ months: months * step });
            const date = DateTime.fromISO(next, { zone: 'utc' });
            expect(date.hasSame(expectedMonth, 'month')).toBe(true);
            expect(date.day).toBe(Math.min(anchor, expectedMonth.daysInMonth ?? 28));
            expect(next > dueOn).toBe(true);
            dueOn = next;
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rolls past every due date already over in the patient’s zone, to the first one still ahead', () => {
    const reminder = makeReminder({ dueOn: '2026-10-31', anchorDay: 31, repeat: { every: 'P1M' } });
    // 31 January ends at midnight New York time (05:00 UTC on 1 February).
    expect(currentDueDate(reminder, 'America/New_York', localInstant('2027-01-31 23:59'))).toEqual({
      dueOn: '2027-01-31',
      occurrence: 4,
    });
    expect(currentDueDate(reminder, 'America/New_York', localInstant('2027-02-01 00:00'))).toEqual({
      dueOn: '2027-02-28',
      occurrence: 5,
    });
    expect(
      currentDueDate(
        makeReminder({ dueOn: '2026-10-31' }),
        'America/New_York',
        localInstant('2027-02-01 00:00'),
      ),
    ).toEqual({
      dueOn: '2026-10-31',
      occurrence: 1,
    });
  });
});

describe('planning one due date', () => {
  const clinic = makeClinic();
  const patient = makePatient({ channels: ['sms'] });
  const plan = (overrides: Partial<Parameters<typeof planCareDueDate>[0]> = {}) =>
    planCareDueDate({
      reminder: makeReminder(),
      dueOn: '2027-03-15',
      patient,
      clinic,
      now: localInstant('2027-03-01 09:00'),
      stored: [],
      ...overrides,
    });

  it('plans each offset of its kind at the clinic’s send time, local days before the due date, across the DST change', () => {
    const messages = plan();
    // DST starts in New York on 14 March 2027: 10:00 is 15:00 UTC before it, 14:00 UTC after.
    expect(messages.map((message) => [message.messageId, message.dueAt, wallClock(message.dueAt)])).toEqual([
      ['~care#rx-1#refill#2027-03-15#7d', '2027-03-08T15:00:00.000Z', '2027-03-08 10:00 -05:00'],
      ['~care#rx-1#refill#2027-03-15#1d', '2027-03-14T14:00:00.000Z', '2027-03-14 10:00 -04:00'],
    ]);
    expect(messages[0]).toMatchObject({
      kind: 'care-reminder',
      priority: 'medium',
      channel: 'sms',
      language: 'en',
      status: 'pending',
      offset: '7d',
      notAfter: '2027-03-16T04:00:00.000Z',
    });
    expect(messages[0]?.appointmentId).toBeUndefined();
    expect(plan()).toEqual(messages);
  });

  it('sends at the send time on the wall clock in any zone and on any date (property)', () => {
    const zones = [
      'America/New_York',
      'Europe/London',
      'Australia/Sydney',
      'America/Sao_Paulo',
      'Asia/Tokyo',
      'Pacific/Chatham',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 30, max: 3000 }),
        fc.constantFrom(...zones),
        fc.constantFrom(...CARE_KINDS),
        (daysAhead, zone, kind) => {
          const dueOn =
            DateTime.fromISO('2026-12-01', { zone: 'utc' }).plus({ days: daysAhead }).toISODate() ?? '';
          const messages = planCareDueDate({
            reminder: makeReminder({ kind, dueOn }),
            dueOn,
            patient: makePatient({ channels: ['sms'], timeZone: zone }),
            clinic,
            now: DateTime.fromISO(TEST_NOW, { zone: 'utc' }),
            stored: [],
          });
          expect(messages.length).toBeGreaterThan(0);
          for (const message of messages) {
            const local = DateTime.fromISO(message.dueAt, { zone: 'utc' }).setZone(zone);
            expect(message.status).toBe('pending');
            expect(local.toFormat('HH:mm')).toBe('10:00');
            const days = Number(message.offset?.slice(0, -1));
            expect(local.toISODate()).toBe(DateTime.fromISO(dueOn, { zone }).minus({ days }).toISODate());
            expect(parseCareMessageId(message.messageId)).toEqual({
              reminderId: 'rx-1',
              kind,
              dueOn,
              offset: message.offset,
            });
            // Its copy on another channel is about the same occurrence.
            expect(parseCareMessageId(`${message.messageId}#via-email`)).toEqual(
              parseCareMessageId(message.messageId),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("moves a reminder out of quiet hours earlier, skips the ones already late, and plans an opted-out patient's pending", () => {
    const early = makeClinic({
      policy: { ...clinic.policy, careReminders: { ...clinic.policy.careReminders, sendTime: '07:00' } },
    });
    expect(plan({ clinic: early }).map((message) => [wallClock(message.dueAt), message.reason])).toEqual([
      ['2027-03-07 20:45 -05:00', 'quiet-hours'],
      ['2027-03-13 20:45 -05:00', 'quiet-hours'],
    ]);
    expect(
      plan({ now: localInstant('2027-03-10 09:00') }).map((message) => [
        message.offset,
        message.status,
        message.reason,
      ]),
    ).toEqual([
      ['7d', 'skipped', 'too-late'],
      ['1d', 'pending', undefined],
    ]);
    // Opted out: planned pending all the same (the send-time decision skips them opted-out unless START came first).
    const stopped = makePatient({ channels: ['sms'], optOuts: { sms: { at: TEST_NOW, source: 'patient' } } });
    expect(plan({ patient: stopped }).map((message) => [message.status, message.channel])).toEqual([
      ['pending', 'sms'],
      ['pending', 'sms'],
    ]);
  });

  it('gives care reminders their own allowance beside the visit reminders’ cap', () => {
    const sameDay = '2027-03-14T18:00:00.000Z';
    const otherCare = makeMessage({
      messageId: careMessageId('recall-1', 'recall', '2027-03-20', '3d'),
      appointmentId: undefined,
      kind: 'care-reminder',
      dueAt: sameDay,
      status: 'pending',
    });
    const visitReminder = makeMessage({ dueAt: '2027-03-08T16:00:00.000Z', status: 'sent' });
    expect(
      plan({ stored: [otherCare, visitReminder] }).map((message) => [
        message.offset,
        message.status,
        message.reason,
      ]),
    ).toEqual([
      ['7d', 'pending', undefined],
      ['1d', 'skipped', 'frequency-cap'],
    ]);
  });
});

/** The length of a day's date as an SMS writes it in a language. */
function longestLocalDate(day: DateTime, language: string): number {
  return localDateAndTime(day.setLocale(language), 'sms').localDate.length;
}

describe('care reminder wording', () => {
  const clinic = makeClinic({ smsName: 'Lakeside Health West', contactPhone: '+442079460958' });
  const patient = makePatient({ firstName: WORST_CASE_SAMPLES.firstName });

  it('fits every kind in one GSM-7 part of 160 characters in both languages on the longest date, naming the clinic, a number and STOP', () => {
    for (const kind of CARE_KINDS) {
      for (const language of ['en', 'es']) {
        // The day of a year whose date the language writes longest (as the texts show it).
        const days = Array.from({ length: 365 }, (_, day) =>
          DateTime.fromISO('2030-01-01').plus({ days: day }),
        );
        const longestDay = days.reduce((best, day) =>
          longestLocalDate(day, language) > longestLocalDate(best, language) ? day : best,
        );
        const dueOn = longestDay.toISODate() ?? '';
        const fitted = renderCareSms({ kind, dueOn, language, clinic, patient, zone: 'UTC' });
        const count = countSegments(fitted.text);
        expect(fitted, `${kind}.${language}`).toMatchObject({ fits: true, shortened: [] });
        expect(count, `${kind}.${language}: ${fitted.text}`).toMatchObject({
          encoding: 'GSM-7',
          segments: 1,
        });
        expect(fitted.text).toContain(longestDateAndTime(language).localDate);
        const longest = count.units;
        const sample = renderCareSms({
          kind,
          dueOn: '2030-09-25',
          language,
          clinic,
          patient,
          zone: 'UTC',
        }).text;
        expect(sample).toContain('Lakeside Health West');
        expect(sample).toContain('+44 20 7946 0958');
        expect(sample).toContain('STOP');
        expect(longest, `${kind}.${language}`).toBeGreaterThan(100);
      }
    }
  });

  it('says a prescription refill is due, never what for, and asks C only of a refill', () => {
    const refill = renderCareSms({
      kind: 'refill',
      dueOn: '2027-03-15',
      language: 'en',
      clinic: makeClinic(),
      patient: makePatient(),
      zone: 'America/New_York',
    });
    expect(refill.text).toBe(
      'Riverside Clinic: Hi Ana, a prescription refill is due Mon, Mar 15. Reply C to request it. Call (202) 555-0143. STOP to opt out.',
    );
    for (const kind of ['recall', 'vaccine', 'custom'] as const) {
      expect(CARE_TEXTS[kind].en.sms).not.toMatch(/Reply C|Responda C/);
    }
    // The only variables: no drug, diagnosis or procedure can reach a text.
    for (const kind of CARE_KINDS) {
      for (const texts of Object.values(CARE_TEXTS[kind])) {
        const variables = [
          ...`${texts.sms}${texts.emailLead}${texts.emailSubject}`.matchAll(/\{\{[#^/]?(\w+)\}\}/g),
        ].map((m) => m[1]);
        for (const variable of variables)
          expect(['firstName', 'clinicName', 'clinicPhone', 'localDate', 'videoLink']).toContain(variable);
      }
    }
  });

  it('puts the action’s number or link in place of the clinic’s, in the SMS and the email', () => {
    const base = {
      dueOn: '2027-03-15',
      clinic: makeClinic(),
      patient: makePatient(),
      zone: 'America/New_York',
    };
    expect(
      renderCareSms({ ...base, kind: 'recall', language: 'es', action: { url: 'https://rc.example/book' } })
        .text,
    ).toBe(
      'Riverside Clinic: Hola Ana, le toca su chequeo el lun, 15 mar. Para pedir cita: Vea https://rc.example/book. STOP para baja.',
    );
    const email = renderCareEmail({
      ...base,
      kind: 'refill',
      language: 'en',
      action: { phone: '+12025550199' },
    });
    expect(email.subject).toBe('A prescription refill is due');
    expect(email.text).toContain('Call us at (202) 555-0199.');
    expect(email.text).toContain('To stop these emails, call us at (202) 555-0143.');
  });

  it('refuses at save time an action that would push the text over one part, naming the field', () => {
    const longest = longestDateAndTime('es').localDate;
    expect(longest.length).toBeGreaterThan(5);
    const url = `https://${'a'.repeat(40 - 'https://'.length)}`;
    expect(checkCareWording({ kind: 'refill', action: { url } }, clinic)).toEqual([
      expect.objectContaining({ path: 'action.url' }),
    ]);
    expect(
      checkCareWording({ kind: 'refill', action: { url: 'https://rc.example/rx' } }, makeClinic()),
    ).toEqual([]);
    expect(checkCareWording({ kind: 'vaccine' }, clinic)).toEqual([]);
  });
});
