import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TemplateText } from '../../../../shared/domain/model';
import {
  BUILT_IN_TEMPLATES,
  isGsm7,
  parseTemplate,
  renderNodes,
  TEMPLATE_KINDS,
  TEMPLATE_VARIABLES,
  type TemplateValues,
  validateClinicTemplates,
  WORST_CASE_SAMPLES,
} from '../../../../shared/domain/templates';
import { makeClinic } from '../../../support/factories';

const own = (sms: string): TemplateText => ({
  sms,
  emailSubject: 'Visit at {{clinicName}}',
  emailBody: 'Hi {{firstName}}',
});

describe('validateClinicTemplates', () => {
  it('accepts the built-in templates within the default budget of 3 segments, even for an 80-character clinic name', () => {
    expect(validateClinicTemplates(makeClinic())).toEqual([]);
    expect(
      validateClinicTemplates(
        makeClinic({ name: 'Riverside Family and Community Health Clinic of Greater Washington DC Metro' }),
      ),
    ).toEqual([]);
    expect(validateClinicTemplates(makeClinic({ name: 'X'.repeat(80) }))).toEqual([]);
  });

  it('writes the built-in SMS texts in GSM-7 only, so Spanish costs no more than English', () => {
    for (const kind of TEMPLATE_KINDS) {
      for (const language of ['en', 'es'])
        expect(isGsm7(BUILT_IN_TEMPLATES[kind][language]?.sms ?? 'ú'), `${kind}.${language}`).toBe(true);
    }
  });

  it('assumes worst-case values of stated lengths', () => {
    expect(WORST_CASE_SAMPLES.firstName).toHaveLength(24);
    expect(WORST_CASE_SAMPLES.location).toHaveLength(64);
    expect(WORST_CASE_SAMPLES.videoLink).toHaveLength(72);
  });

  it('refuses a template over the budget, naming the template, its segments, length and encoding', () => {
    const long = `{{clinicName}}: ${'Recordatorio de su cita médica número uno. '.repeat(6)}{{localDate}} {{stopText}}`;
    const clinic = makeClinic({ policy: { templates: { reminder: { es: own(long) } } } });
    const issues = validateClinicTemplates(clinic);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('policy.templates.reminder.es.sms');
    expect(issues[0]?.message).toBe('renders to 6 segments (344 characters, UCS-2); the budget is 3');
  });

  it('names the built-in template when a tight budget or a long clinic name breaks it', () => {
    const clinic = makeClinic({ name: 'X'.repeat(80), policy: { segmentBudget: 2 } });
    const issues = validateClinicTemplates(clinic);
    expect(issues.map((issue) => issue.path)).toContain('policy.templates.reminder.en.sms');
    expect(issues.find((issue) => issue.path === 'policy.templates.reminder.en.sms')?.message).toMatch(
      /^the built-in template renders to 3 segments \(\d+ characters, GSM-7\); the budget is 2; shorten the clinic name/,
    );
    // A clinic name outside GSM-7 makes every SMS UCS-2.
    const accented = validateClinicTemplates(
      makeClinic({ name: 'Clínica Familiar del Río Grande y Comunidad Unida' }),
    );
    expect(accented.some((issue) => issue.message.includes('UCS-2'))).toBe(true);
  });

  it('takes the worst of with and without a location or a video link', () => {
    const inverted = `{{clinicName}} {{^location}}${'Call us for directions please. '.repeat(5)}{{/location}} STOP`;
    const issues = validateClinicTemplates(
      makeClinic({ policy: { segmentBudget: 1, templates: { survey: { en: own(inverted) } } } }),
    );
    expect(issues.find((issue) => issue.path === 'policy.templates.survey.en.sms')?.message).toMatch(
      /^renders to 2 segments/,
    );
  });

  it('rejects an unknown variable such as {{diagnosis}} in any field', () => {
    const clinic = makeClinic({
      policy: {
        templates: {
          confirmation: {
            en: {
              sms: '{{clinicName}}: {{firstName}}, your {{diagnosis}} visit. STOP to opt out.',
              emailSubject: 'About your {{procedure}}',
              emailBody:
                'Dear {{firstName}} {{lastName}}, see Dr {{provider}} ({{specialty}}) for {{appointmentType}}.',
            },
          },
        },
      },
    });
    const issues = validateClinicTemplates(clinic);
    const paths = issues.map((issue) => `${issue.path}: ${issue.message.split(';')[0]}`);
    expect(paths).toEqual([
      'policy.templates.confirmation.en.sms: uses unknown variable {{diagnosis}}',
      'policy.templates.confirmation.en.emailSubject: uses unknown variable {{procedure}}',
      'policy.templates.confirmation.en.emailBody: uses unknown variable {{lastName}}',
      'policy.templates.confirmation.en.emailBody: uses unknown variable {{provider}}',
      'policy.templates.confirmation.en.emailBody: uses unknown variable {{specialty}}',
      'policy.templates.confirmation.en.emailBody: uses unknown variable {{appointmentType}}',
    ]);
  });

  it("requires a clinic's own SMS to name the clinic and say how to opt out", () => {
    const clinic = makeClinic({ policy: { templates: { reminder: { en: own('See you {{localDate}}!') } } } });
    expect(validateClinicTemplates(clinic).map((issue) => issue.message)).toEqual([
      'must say how to opt out: include {{stopText}} or the word STOP',
      'must name the clinic: include {{clinicName}}',
    ]);
    const literal = makeClinic({
      policy: {
        templates: { reminder: { en: own('Riverside Family Clinic: see you. Reply STOP to end.') } },
      },
    });
    expect(validateClinicTemplates(literal)).toEqual([]);
  });

  it('asks for wording in every offered language that has no built-in one', () => {
    const clinic = makeClinic({ policy: { languages: ['en', 'fr'] } });
    const issues = validateClinicTemplates(clinic);
    expect(issues.map((issue) => issue.path)).toEqual(
      TEMPLATE_KINDS.map((kind) => `policy.templates.${kind}.fr`),
    );
    expect(issues[0]?.message).toBe(
      'has no wording in fr: add a template, or remove fr from policy.languages',
    );
  });

  it('flags built-in phrases used in a language that has none, and templates for kinds that never use one', () => {
    const clinic = makeClinic({
      policy: {
        templates: {
          survey: { de: own('{{clinicName}}: Danke! {{stopText}}') },
          broadcast: { en: own('{{clinicName}} STOP') },
        },
      },
    });
    expect(validateClinicTemplates(clinic)).toEqual([
      {
        path: 'policy.templates.broadcast',
        message: 'is never used: broadcasts carry their own text and keyword replies are built in',
      },
      {
        path: 'policy.templates.survey.de.sms',
        message: 'uses {{stopText}}, which has no built-in wording in de: write it out instead',
      },
    ]);
  });

  it('reports unbalanced sections and stray braces', () => {
    expect(parseTemplate('{{#location}}at {{location}}').problems).toEqual([
      'opens {{#location}} and never closes it',
    ]);
    expect(parseTemplate('{{/location}}').problems).toEqual(['closes {{/location}} that was never opened']);
    expect(parseTemplate('{{#location}}{{/videoLink}}{{/location}}').problems).toEqual([
      'closes {{/videoLink}} while {{#location}} is open',
    ]);
    expect(parseTemplate('Hi {{ firstName }} {{').problems).toEqual([
      'has a "{{" or "}}" that is not part of a {{variable}}',
    ]);
  });
});

describe('template language', () => {
  const names = [...TEMPLATE_VARIABLES, 'diagnosis', 'lastName', 'type'];
  const piece = fc.oneof(
    fc.string({ unit: fc.constantFrom(...'ab ,.{}') }),
    fc.constantFrom(...names).map((name) => `{{${name}}}`),
    fc.constantFrom(...names).map((name) => `{{#${name}}}x{{/${name}}}`),
  );

  it('refuses a template exactly when it reaches outside the whitelist or is malformed, and renders the rest (500 runs)', () => {
    const values = Object.fromEntries(
      TEMPLATE_VARIABLES.map((name) => [name, `<${name}>`]),
    ) as TemplateValues;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const source = pieces.join('');
        const parsed = parseTemplate(source);
        const unknown = pieces.some((p) => /\{\{[#/]?(diagnosis|lastName|type)\}\}/.test(p));
        if (unknown)
          expect(parsed.problems.some((problem) => problem.startsWith('uses unknown variable'))).toBe(true);
        if (parsed.problems.length === 0) {
          const text = renderNodes(parsed.nodes, values);
          expect(text).not.toMatch(/\{\{|\}\}/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
