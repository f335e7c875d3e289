import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../shared/domain/errors';
import {
  BUILT_IN_TEMPLATES,
  formatContactPhone,
  isGsm7,
  isTemplateKind,
  parseTemplate,
  render,
  renderTemplateText,
  selectTemplate,
  TEMPLATE_KINDS,
  TEMPLATE_VARIABLES,
  templateValues,
} from '../../../../shared/domain/templates';
import { makeAppointment, makeClinic, makePatient } from '../../../support/factories';

// Saturday 3 October 2026, 09:30 in New York.
const appointment = makeAppointment({
  startAt: '2026-10-03T13:30:00.000Z',
  type: 'oncology-consult',
  location: '12 River Road, Suite 3',
});
const clinic = makeClinic();
const patient = makePatient({ firstName: 'Ana', lastName: 'Zzyzx-Rivera' });

describe('render', () => {
  it('names the clinic and its number and says STOP to opt out in every built-in SMS', () => {
    for (const kind of TEMPLATE_KINDS) {
      for (const language of ['en', 'es']) {
        const { text } = render({ kind, language, channel: 'sms', clinic, patient, appointment });
        expect(text, `${kind}.${language}`).toContain('Riverside Clinic');
        expect(text, `${kind}.${language}`).toContain('(202) 555-0143');
        expect(text, `${kind}.${language}`).toContain('STOP');
      }
    }
  });

  it('shows the visit in the patient zone and the language, abbreviated and folded to GSM-7 in an SMS only', () => {
    const en = render({ kind: 'reminder', language: 'en', channel: 'sms', clinic, patient, appointment });
    expect(en.text).toContain('Sat, Oct 3 at 9:30 AM, 12 River Road, Suite 3');
    const es = render({ kind: 'reminder', language: 'es', channel: 'sms', clinic, patient, appointment });
    expect(es.text).toContain('sab, 3 oct a las 9:30');
    expect(isGsm7(es.text)).toBe(true);
    const email = render({
      kind: 'reminder',
      language: 'es',
      channel: 'email',
      clinic,
      patient,
      appointment,
    });
    expect(email.subject).toBe('Recordatorio: su cita en Riverside Family Clinic el sábado, 3 de octubre');
    expect(email.text).toContain('Lugar: 12 River Road, Suite 3');
  });

  it("uses the patient's own zone when set, and an explicit zone over both", () => {
    const traveller = makePatient({ timeZone: 'America/Los_Angeles' });
    const local = render({
      kind: 'reminder',
      language: 'en',
      channel: 'sms',
      clinic,
      patient: traveller,
      appointment,
    });
    expect(local.text).toContain('6:30 AM');
    const forced = render({
      kind: 'reminder',
      language: 'en',
      channel: 'sms',
      clinic,
      patient: traveller,
      appointment,
      zone: 'Europe/London',
    });
    expect(forced.text).toContain('2:30 PM');
  });

  it('shows the video link instead of a place for a video visit', () => {
    const video = makeAppointment({ location: undefined, videoLink: 'https://video.example.org/r/42' });
    const { text } = render({
      kind: 'confirmation',
      language: 'en',
      channel: 'sms',
      clinic,
      patient,
      appointment: video,
    });
    expect(text).toContain('. Video: https://video.example.org/r/42.');
    expect(text).not.toContain(', .');
  });

  it('never shows the last name, the appointment type or anything but whitelisted variables', () => {
    for (const kind of TEMPLATE_KINDS) {
      for (const language of ['en', 'es']) {
        for (const channel of ['sms', 'email'] as const) {
          const rendered = render({ kind, language, channel, clinic, patient, appointment });
          const all = JSON.stringify(rendered);
          expect(all).not.toContain('Zzyzx');
          expect(all).not.toContain('oncology');
        }
        for (const field of ['sms', 'emailSubject', 'emailBody'] as const) {
          const parsed = parseTemplate(BUILT_IN_TEMPLATES[kind][language]?.[field] ?? '');
          expect(parsed.problems).toEqual([]);
          for (const name of parsed.variables) expect(TEMPLATE_VARIABLES).toContain(name);
        }
      }
    }
  });

  it("prefers the clinic's own wording, falling back to built-in, default language and English", () => {
    const own = makeClinic({
      policy: {
        languages: ['en', 'es', 'fr'],
        templates: {
          reminder: {
            fr: {
              sms: '{{clinicName}}: Bonjour {{firstName}}, rendez-vous le {{localDate}}. STOP pour arrêter.',
              emailSubject: 'Rappel',
              emailBody: 'Bonjour {{firstName}}',
            },
          },
        },
      },
    });
    expect(
      render({ kind: 'reminder', language: 'fr', channel: 'sms', clinic: own, patient, appointment }).text,
    ).toBe('Riverside Clinic: Bonjour Ana, rendez-vous le sam. 3 oct. STOP pour arrêter.');
    expect(selectTemplate(own, 'reminder', 'es-MX')).toMatchObject({ language: 'es-MX', source: 'built-in' });
    expect(selectTemplate(own, 'survey', 'fr')).toMatchObject({ language: 'en', source: 'built-in' });
    const spanishDefault = makeClinic({ policy: { languages: ['es', 'de'], defaultLanguage: 'es' } });
    expect(selectTemplate(spanishDefault, 'survey', 'de')).toMatchObject({
      language: 'es',
      source: 'built-in',
    });
    const ownDefault = makeClinic({
      policy: {
        languages: ['de'],
        defaultLanguage: 'de',
        templates: { survey: { de: { sms: 'x {{clinicName}} STOP', emailSubject: 's', emailBody: 'b' } } },
      },
    });
    expect(selectTemplate(ownDefault, 'survey', 'fr')).toMatchObject({ language: 'de', source: 'clinic' });
    const nothing = makeClinic({ policy: { languages: ['de'], defaultLanguage: 'de' } });
    expect(selectTemplate(nothing, 'survey', 'fr')).toMatchObject({ language: 'en', source: 'built-in' });
  });

  it('refuses to render a stored template with an unknown variable, naming where it lives', () => {
    const values = templateValues(
      { kind: 'reminder', language: 'en', channel: 'sms', clinic, patient, appointment },
      'en',
    );
    expect(() => renderTemplateText('Hi {{diagnosis}}', values, 'policy.templates.reminder.en.sms')).toThrow(
      ValidationError,
    );
    try {
      renderTemplateText('Hi {{diagnosis}}', values, 'policy.templates.reminder.en.sms');
    } catch (error) {
      expect((error as ValidationError).issues[0]?.path).toBe('policy.templates.reminder.en.sms');
    }
  });

  it('leaves visit details empty when there is no appointment', () => {
    const values = templateValues(
      { kind: 'survey', language: 'en', channel: 'email', clinic, patient },
      'en',
    );
    expect(values).toMatchObject({ localDate: '', localTime: '', location: '', videoLink: '' });
    expect(values.stopText).toBe('To stop these emails, call us at (202) 555-0143.');
  });

  it('knows which kinds are rendered from templates', () => {
    expect(isTemplateKind('reminder')).toBe(true);
    expect(isTemplateKind('broadcast')).toBe(false);
    expect(isTemplateKind('keyword-reply')).toBe(false);
  });
});

describe('formatContactPhone', () => {
  it('writes a number of the clinic country nationally and any other internationally', () => {
    expect(formatContactPhone('+12025550143', 'US')).toBe('(202) 555-0143');
    expect(formatContactPhone('+442079460958', 'US')).toBe('+44 20 7946 0958');
    expect(formatContactPhone('not-a-number', 'US')).toBe('not-a-number');
  });
});
