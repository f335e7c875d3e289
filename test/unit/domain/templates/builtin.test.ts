import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type Appointment, EXEMPT_KINDS } from '../../../../shared/domain/model';
import {
  BUILT_IN_PHRASES,
  BUILT_IN_TEMPLATES,
  countSegments,
  FIRST_NAME_BOUND,
  REPLY_KEYWORDS,
  render,
  renderSms,
  TEMPLATE_KINDS,
  WORST_CASE_SAMPLES,
} from '../../../../shared/domain/templates';
import { makeAppointment, makeClinic, makePatient } from '../../../support/factories';

// Worst-case values: the longest SMS name the schema allows (20), a
// 16-character contact number (a foreign number, written internationally),
// a first name at the bound the texts guarantee (12), every day of a year at
// the time of day with the longest clock reading in both languages.
const clinic = makeClinic({ smsName: 'Lakeside Health West', contactPhone: '+442079460958' });
const patient = makePatient({ firstName: WORST_CASE_SAMPLES.firstName });
const LANGUAGES = ['en', 'es'] as const;

const FIRST_DAY = DateTime.fromObject(
  { year: 2030, month: 1, day: 1, hour: 22, minute: 45 },
  { zone: clinic.timeZone },
);
const visitOn = (day: number, place: Partial<Appointment> = {}): Appointment =>
  makeAppointment({
    startAt: FIRST_DAY.plus({ days: day }).toUTC().toISO() ?? '',
    location: undefined,
    ...place,
  });
const EVERY_DAY_OF_A_YEAR = Array.from({ length: 365 }, (_, day) => visitOn(day));

describe('built-in texts at their worst case', () => {
  it('has the worst-case values it claims', () => {
    expect([...'Lakeside Health West']).toHaveLength(20);
    expect(render({ kind: 'reminder', language: 'en', channel: 'sms', clinic, patient }).text).toContain(
      '+44 20 7946 0958',
    );
    expect(WORST_CASE_SAMPLES.firstName).toHaveLength(FIRST_NAME_BOUND);
  });

  it('fits every exempt kind in one GSM-7 part of 160 characters, every built-in language, every day of the year', () => {
    const exempt = TEMPLATE_KINDS.filter((kind) => (EXEMPT_KINDS as readonly string[]).includes(kind));
    expect(exempt).toEqual(['confirmation', 'reminder', 'reschedule', 'cancellation']);
    for (const kind of exempt) {
      for (const language of LANGUAGES) {
        let longest = 0;
        for (const appointment of EVERY_DAY_OF_A_YEAR) {
          const { text } = render({ kind, language, channel: 'sms', clinic, patient, appointment });
          const count = countSegments(text);
          expect(count, `${kind}.${language}: ${text}`).toMatchObject({ encoding: 'GSM-7', segments: 1 });
          longest = Math.max(longest, count.units);
        }
        expect(longest, `${kind}.${language}`).toBeGreaterThan(140);
      }
    }
  });

  it('shows a place where it fits and leaves out one that does not, keeping the first name, in one part', () => {
    const short = makeAppointment({ location: 'Suite 3' });
    const shortPlace = renderSms({
      kind: 'reminder',
      language: 'en',
      clinic: makeClinic(),
      patient,
      appointment: short,
    });
    expect(shortPlace).toMatchObject({ fits: true, shortened: [] });
    expect(shortPlace.text).toContain(', Suite 3.');
    for (const kind of ['confirmation', 'reminder', 'reschedule'] as const) {
      for (const language of LANGUAGES) {
        for (const place of [
          { location: WORST_CASE_SAMPLES.location },
          { videoLink: WORST_CASE_SAMPLES.videoLink },
        ]) {
          const appointment = visitOn(254, place); // a Wednesday in September: the longest date
          const fitted = renderSms({ kind, language, clinic, patient, appointment });
          expect(fitted, `${kind}.${language}`).toMatchObject({ fits: true, shortened: ['place-dropped'] });
          expect(fitted.count.segments).toBe(1);
          expect(fitted.text).toContain(`${WORST_CASE_SAMPLES.firstName},`);
        }
      }
    }
  });

  it('keeps the survey in GSM-7 within its budget of 3 parts', () => {
    for (const language of LANGUAGES) {
      const { text } = render({ kind: 'survey', language, channel: 'sms', clinic, patient });
      expect(countSegments(text).encoding).toBe('GSM-7');
      expect(countSegments(text).segments).toBeLessThanOrEqual(clinic.policy.segmentBudget.other);
    }
  });
});

describe('what the built-in texts ask patients to reply', () => {
  const promised = new Set<string>([
    REPLY_KEYWORDS.confirm,
    REPLY_KEYWORDS.reschedule,
    REPLY_KEYWORDS.optOut,
    REPLY_KEYWORDS.optIn,
    REPLY_KEYWORDS.help,
  ]);
  /** Words in capitals that a text asks for (`Reply C`, `o STOP`), from the template itself. */
  const asked = (source: string) =>
    [...source.replace(/\{\{[^}]*\}\}/g, ' ').matchAll(/\b[A-Z]{1,8}\b/g)].map((m) => m[0]);

  it('asks only for replies that REPLY_KEYWORDS lists, in every kind and language', () => {
    for (const kind of TEMPLATE_KINDS) {
      for (const language of LANGUAGES) {
        const sms = BUILT_IN_TEMPLATES[kind][language]?.sms ?? '';
        for (const word of asked(sms)) expect(promised, `${kind}.${language}: ${word}`).toContain(word);
      }
    }
    for (const language of LANGUAGES) {
      const phrases = BUILT_IN_PHRASES[language];
      const texts = [
        ...Object.values(phrases?.replyInstructions ?? {}).map((byChannel) => byChannel.sms),
        phrases?.stopText.sms ?? '',
      ];
      for (const text of texts) for (const word of asked(text)) expect(promised).toContain(word);
    }
  });

  it('asks to confirm with C, reschedule with R and opt out with STOP in every visit text, in English and Spanish', () => {
    for (const kind of ['confirmation', 'reminder', 'reschedule'] as const) {
      expect(BUILT_IN_TEMPLATES[kind].en.sms).toContain(
        'Reply C to confirm, R to reschedule, STOP to opt out.',
      );
      expect(BUILT_IN_TEMPLATES[kind].es?.sms).toContain(
        'Responda C (confirmar), R (cambiar) o STOP (baja).',
      );
    }
    expect(BUILT_IN_TEMPLATES.cancellation.en.sms).toContain('Reply STOP to opt out.');
    expect(BUILT_IN_TEMPLATES.cancellation.es?.sms).toContain('Responda STOP para darse de baja.');
  });

  it('asks the Net Promoter question with a reply from 0 to 10, the scores REPLY_KEYWORDS lists', () => {
    expect(REPLY_KEYWORDS.surveyScores).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    const { min, max } = REPLY_KEYWORDS.surveyScale;
    expect(REPLY_KEYWORDS.surveyScores).toEqual(
      Array.from({ length: max - min + 1 }, (_, index) => String(min + index)),
    );
    expect(BUILT_IN_TEMPLATES.survey.en.sms).toContain(
      'how likely are you to recommend {{clinicName}} to a friend or family? Reply 0-10.',
    );
    expect(BUILT_IN_TEMPLATES.survey.es?.sms).toContain(
      '¿qué tan probable es que recomiende {{clinicName}} a un amigo o familiar? Responda 0-10.',
    );
  });
});
