import { describe, expect, it } from 'vitest';
import type { Appointment } from '../../../../shared/domain/model';
import { CONFIRM_NOT_APPLIED_REASONS } from '../../../../shared/domain/replies';
import {
  countSegments,
  KEYWORD_REPLIES,
  KEYWORD_REPLY_TEXTS,
  type KeywordReply,
  keywordReplyTextOf,
  REPLY_KEYWORDS,
  renderKeywordReply,
  validateClinicTemplates,
} from '../../../../shared/domain/templates';
import { makeAppointment, makeClinic } from '../../../support/factories';

// Worst case: a 20-character SMS name, a 16-character number, and a visit on
// the longest date (Wednesday 11 September) at the longest time of day.
const clinic = makeClinic({ smsName: 'Lakeside Health West', contactPhone: '+442079460958' });
const longestVisit = makeAppointment({ startAt: '2030-09-12T02:45:00.000Z' }); // Wed 11 Sep, 22:45 New York
const LANGUAGES = ['en', 'es'] as const;

/** The request for each answer, with the visit where it shows one. */
function requestFor(answer: (typeof KEYWORD_REPLY_TEXTS)[number], appointment: Appointment): KeywordReply {
  switch (answer) {
    case 'confirmed':
      return { reply: 'confirmed', appointment };
    case 'confirm-moved':
      return { reply: 'confirm-not-applicable', why: 'moved', appointment };
    case 'confirm-cancelled':
      return { reply: 'confirm-not-applicable', why: 'cancelled' };
    case 'confirm-past':
      return { reply: 'confirm-not-applicable', why: 'past' };
    case 'confirm-no-visit':
      return { reply: 'confirm-not-applicable', why: 'no-visit' };
    default:
      return { reply: answer };
  }
}

describe('renderKeywordReply', () => {
  it('answers every reply in one GSM-7 part in English and Spanish, naming the clinic and its number, at the worst case', () => {
    for (const answer of KEYWORD_REPLY_TEXTS) {
      expect(Object.keys(KEYWORD_REPLIES[answer]).sort(), answer).toEqual(['en', 'es']);
      for (const language of LANGUAGES) {
        const rendered = renderKeywordReply({ ...requestFor(answer, longestVisit), language, clinic });
        const where = `${answer}.${language}: ${rendered.text}`;
        expect(rendered, where).toMatchObject({
          fits: true,
          answer,
          language,
          source: 'built-in',
          shortened: [],
        });
        expect(countSegments(rendered.text), where).toMatchObject({ encoding: 'GSM-7', segments: 1 });
        expect(rendered.text, where).toContain('Lakeside Health West');
        expect(rendered.text, where).toContain('+44 20 7946 0958');
      }
    }
  });

  it('says in HELP what CTIA asks: the program, a contact, the frequency, the rates and how to opt out', () => {
    const en = renderKeywordReply({ reply: 'help', language: 'en', clinic: makeClinic() }).text;
    expect(en).toBe(
      'Riverside Clinic: appointment texts. Help: (202) 555-0143. Msg frequency varies. Msg & data rates may apply. Reply STOP to opt out.',
    );
    const es = renderKeywordReply({ reply: 'help', language: 'es', clinic: makeClinic() }).text;
    expect(es).toBe(
      'Riverside Clinic: avisos de citas. Ayuda: (202) 555-0143. Frecuencia variable. Pueden aplicarse tarifas de mensajes y datos. STOP para darse de baja.',
    );
  });

  it('confirms an opt-out with no more texts to come and how to resubscribe, and an opt-in with the program terms', () => {
    const out = renderKeywordReply({ reply: 'opted-out', language: 'en', clinic: makeClinic() }).text;
    expect(out).toContain('will get no more texts from us');
    expect(out).toContain(`Reply ${REPLY_KEYWORDS.optIn} to resubscribe`);
    expect(renderKeywordReply({ reply: 'opted-out', language: 'es', clinic: makeClinic() }).text).toContain(
      `Responda ${REPLY_KEYWORDS.optIn} para volver a recibirlos`,
    );
    const back = renderKeywordReply({ reply: 'opted-in', language: 'en', clinic: makeClinic() }).text;
    expect(back).toContain('Msg frequency varies. Msg & data rates may apply. Reply STOP to opt out.');
  });

  it("shows the confirmed visit in the patient's zone and language, and a moved visit's new time", () => {
    const visit = makeAppointment({ startAt: '2026-12-08T15:00:00.000Z' });
    const confirmed = renderKeywordReply({
      reply: 'confirmed',
      appointment: visit,
      language: 'es',
      clinic: makeClinic(),
      zone: 'America/Los_Angeles',
    });
    expect(confirmed.text).toBe(
      'Riverside Clinic: Gracias, su cita del mar, 8 dic a las 7:00 queda confirmada. Dudas: (202) 555-0143',
    );
    const moved = renderKeywordReply({
      reply: 'confirm-not-applicable',
      why: 'moved',
      appointment: visit,
      language: 'en',
      clinic: makeClinic(),
    });
    expect(moved.text).toBe(
      'Riverside Clinic: That visit has moved to Tue, Dec 8 at 10:00 AM, so it was not confirmed. Questions: (202) 555-0143',
    );
  });

  it('gives every reason a confirm did not apply its own answer, those meaning "no visit" one between them', () => {
    const answers = Object.fromEntries(
      CONFIRM_NOT_APPLIED_REASONS.map((why) => [
        why,
        keywordReplyTextOf(
          why === 'moved'
            ? { reply: 'confirm-not-applicable', why, appointment: longestVisit }
            : { reply: 'confirm-not-applicable', why },
        ),
      ]),
    );
    expect(answers).toEqual({
      'no-visit': 'confirm-no-visit',
      'visit-missing': 'confirm-no-visit',
      cancelled: 'confirm-cancelled',
      past: 'confirm-past',
      moved: 'confirm-moved',
      'not-a-visit-notice': 'confirm-no-visit',
    });
  });

  it('falls back from a regional language to its own, then to the clinic default, and prefers the clinic wording', () => {
    expect(renderKeywordReply({ reply: 'opted-out', language: 'es-MX', clinic })).toMatchObject({
      language: 'es-MX',
      source: 'built-in',
    });
    const own = makeClinic({
      policy: {
        languages: ['en', 'fr'],
        templates: {
          'keyword-reply': { fr: { help: '{{clinicName}}: aide {{clinicPhone}}. STOP pour arrêter.' } },
        },
      },
    });
    expect(renderKeywordReply({ reply: 'help', language: 'fr', clinic: own })).toMatchObject({
      text: 'Riverside Clinic: aide (202) 555-0143. STOP pour arrêter.',
      language: 'fr',
      source: 'clinic',
    });
    expect(renderKeywordReply({ reply: 'received', language: 'fr', clinic: own })).toMatchObject({
      language: 'en',
      source: 'built-in',
    });
  });

  it('asks only for replies REPLY_KEYWORDS lists', () => {
    const promised = new Set<string>();
    for (const value of Object.values(REPLY_KEYWORDS)) if (typeof value === 'string') promised.add(value);
    for (const answer of KEYWORD_REPLY_TEXTS) {
      for (const language of LANGUAGES) {
        const source = KEYWORD_REPLIES[answer][language] ?? '';
        const asked = [...source.replace(/\{\{[^}]*\}\}/g, ' ').matchAll(/\b[A-Z]{1,8}\b/g)].map((m) => m[0]);
        for (const word of asked) expect(promised, `${answer}.${language}: ${word}`).toContain(word);
      }
    }
  });

  it('refuses to send a clinic answer that is over the budget (saved under other rules), for the caller to skip', () => {
    const wordy = makeClinic({
      policy: {
        templates: { 'keyword-reply': { en: { received: `{{clinicName}}: ${'Thank you. '.repeat(20)}` } } },
      },
    });
    expect(renderKeywordReply({ reply: 'received', language: 'en', clinic: wordy })).toMatchObject({
      fits: false,
      budget: 1,
    });
  });
});

describe('validateClinicTemplates on keyword replies', () => {
  const withAnswers = (answers: Record<string, string>, language = 'en') =>
    makeClinic({ policy: { templates: { 'keyword-reply': { [language]: answers } } } });

  it('accepts the built-in answers, and a clinic answer that names the clinic within one part', () => {
    expect(validateClinicTemplates(clinic)).toEqual([]);
    expect(validateClinicTemplates(withAnswers({ received: '{{clinicName}}: got it, thanks!' }))).toEqual([]);
  });

  it('refuses a clinic answer over one part, a variable the answer cannot show, and a HELP without STOP or a number', () => {
    const issues = validateClinicTemplates(
      withAnswers({
        received: `{{clinicName}}: ${'Thank you. '.repeat(20)}`,
        'survey-thanks': '{{clinicName}}: thank you, {{firstName}}!',
        help: '{{clinicName}} appointment texts.',
      }),
    );
    expect(issues).toEqual([
      {
        path: 'policy.templates.keyword-reply.en.help',
        message: 'must give the contact number: include {{clinicPhone}}',
      },
      {
        path: 'policy.templates.keyword-reply.en.help',
        message: 'must say how to opt out: include the word STOP',
      },
      {
        path: 'policy.templates.keyword-reply.en.received',
        message:
          'renders to 2 segments (238 characters, GSM-7); the budget is 1 (policy.segmentBudget.exempt)',
      },
      {
        path: 'policy.templates.keyword-reply.en.survey-thanks',
        message: 'uses {{firstName}}, which this answer cannot show; allowed: clinicName, clinicPhone',
      },
    ]);
  });
});
