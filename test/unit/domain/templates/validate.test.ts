import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessagingPolicySchema, type TemplateText } from '../../../../shared/domain/model';
import {
  BUILT_IN_TEMPLATES,
  FIRST_NAME_BOUND,
  isGsm7,
  parseTemplate,
  renderNodes,
  TEMPLATE_KINDS,
  TEMPLATE_VARIABLES,
  type TemplateValues,
  validateClinicTemplates,
  WORST_CASE_SAMPLES,
} from '../../../../shared/domain/templates';
import { toFieldIssues } from '../../../../shared/domain/validation';
import { makeClinic } from '../../../support/factories';

const own = (sms: string): TemplateText => ({
  sms,
  emailSubject: 'Visit at {{clinicName}}',
  emailBody: 'Hi {{firstName}}',
});

describe('validateClinicTemplates', () => {
  it('accepts the built-in templates within the default budgets, for any SMS name the schema allows', () => {
    expect(validateClinicTemplates(makeClinic())).toEqual([]);
    expect(validateClinicTemplates(makeClinic({ smsName: 'X'.repeat(20) }))).toEqual([]);
    expect(validateClinicTemplates(makeClinic({ smsName: undefined, name: 'Lakeside Health West' }))).toEqual(
      [],
    );
  });

  it('asks for an SMS name when the name is too long or not GSM-7, suggesting one, and reports nothing else for it', () => {
    const long = validateClinicTemplates(
      makeClinic({
        smsName: undefined,
        name: 'Riverside Family and Community Health Clinic of Greater Washington DC Metro',
      }),
    );
    expect(long).toEqual([
      {
        path: 'smsName',
        message:
          'is required because name has 75 characters and texts show at most 20; for example "Riverside Family and"',
      },
    ]);
    const accented = validateClinicTemplates(makeClinic({ smsName: undefined, name: 'Clínica del Río' }));
    expect(accented).toEqual([
      {
        path: 'smsName',
        message:
          'is required because name uses "í", which GSM-7 lacks (one such character makes a text UCS-2, 70 characters a part); for example "Clinica del Rio"',
      },
    ]);
  });

  it('writes the built-in SMS texts in GSM-7 only, so Spanish costs no more than English', () => {
    for (const kind of TEMPLATE_KINDS) {
      for (const language of ['en', 'es'])
        expect(isGsm7(BUILT_IN_TEMPLATES[kind][language]?.sms ?? 'ú'), `${kind}.${language}`).toBe(true);
    }
  });

  it('assumes worst-case values of stated lengths', () => {
    expect(WORST_CASE_SAMPLES.firstName).toHaveLength(FIRST_NAME_BOUND);
    expect(WORST_CASE_SAMPLES.location).toHaveLength(64);
    expect(WORST_CASE_SAMPLES.videoLink).toHaveLength(72);
  });

  it('refuses a template over the budget, naming the template, its segments, length, encoding and which budget', () => {
    const long = `{{clinicName}}: ${'Recordatorio de su cita médica número uno. '.repeat(6)}{{localDate}} {{stopText}}`;
    const clinic = makeClinic({ policy: { templates: { reminder: { es: own(long) } } } });
    const issues = validateClinicTemplates(clinic);
    expect(issues).toEqual([
      {
        path: 'policy.templates.reminder.es.sms',
        message:
          'renders to 5 segments (322 characters, UCS-2) with a 12-character first name; the budget is 1 (policy.segmentBudget.exempt)',
      },
    ]);
    const raised = makeClinic({
      policy: { segmentBudget: { exempt: 5, other: 3 }, templates: { reminder: { es: own(long) } } },
    });
    expect(validateClinicTemplates(raised)).toEqual([]);
  });

  it('holds an own reminder to one part but an own survey to three', () => {
    const twoParts = `{{clinicName}}: ${'Please come ten minutes early. '.repeat(5)}{{stopText}}`;
    const clinic = makeClinic({
      policy: {
        languages: ['en'],
        templates: { reminder: { en: own(twoParts) }, survey: { en: own(twoParts) } },
      },
    });
    expect(validateClinicTemplates(clinic).map((issue) => issue.path)).toEqual([
      'policy.templates.reminder.en.sms',
    ]);
  });

  it('requires a 12-character first name to fit as it is, and lets a place be left out only where a section holds it', () => {
    const filler = 'x'.repeat(100);
    const name = `{{clinicName}}: Hi {{firstName}}, ${filler} STOP`;
    expect(
      validateClinicTemplates(
        makeClinic({ policy: { languages: ['en'], templates: { reminder: { en: own(name) } } } }),
      ),
    ).toEqual([]);
    const longer = `{{clinicName}}: Hi {{firstName}}, ${filler}${'x'.repeat(21)} STOP`;
    expect(
      validateClinicTemplates(
        makeClinic({ policy: { languages: ['en'], templates: { reminder: { en: own(longer) } } } }),
      )[0]?.message,
    ).toMatch(/^renders to 2 segments \(\d+ characters, GSM-7\) with a 12-character first name/);
    const inSection = `{{clinicName}}: ${filler}{{#location}} at {{location}}{{/location}}. STOP`;
    const bare = `{{clinicName}}: ${filler} at {{location}}. STOP`;
    const check = (sms: string) =>
      validateClinicTemplates(
        makeClinic({ policy: { languages: ['en'], templates: { reminder: { en: own(sms) } } } }),
      );
    expect(check(inSection)).toEqual([]);
    expect(check(bare).map((issue) => issue.path)).toEqual(['policy.templates.reminder.en.sms']);
  });

  it('checks the built-in texts with the clinic number as written: an 18-character one breaks the longest unless the SMS name is shorter', () => {
    const longNumber = { smsName: 'Lakeside Health West', contactPhone: '+498912345678901' };
    expect(validateClinicTemplates(makeClinic(longNumber)).map((issue) => issue.path)).toEqual([
      'policy.templates.reminder.es.sms',
      'policy.templates.reschedule.en.sms',
      'policy.templates.cancellation.es.sms',
    ]);
    expect(validateClinicTemplates(makeClinic({ ...longNumber, smsName: 'Lakeside West' }))).toEqual([]);
  });

  it('names the built-in template when a tight budget breaks it', () => {
    const clinic = makeClinic({
      smsName: 'X'.repeat(20),
      policy: { segmentBudget: { exempt: 1, other: 1 } },
    });
    const issues = validateClinicTemplates(clinic);
    expect(issues.map((issue) => issue.path)).toEqual([
      'policy.templates.survey.en.sms',
      'policy.templates.survey.es.sms',
    ]);
    expect(issues[0]?.message).toMatch(
      /^the built-in template renders to 2 segments \(\d+ characters, GSM-7\) with a 12-character first name; the budget is 1 \(policy.segmentBudget.other\); shorten smsName or write your own wording$/,
    );
  });

  it('takes the worst of with and without a location or a video link', () => {
    const inverted = `{{clinicName}} {{^location}}${'Call us for directions please. '.repeat(5)}{{/location}} STOP`;
    const issues = validateClinicTemplates(
      makeClinic({
        policy: { segmentBudget: { exempt: 1, other: 1 }, templates: { survey: { en: own(inverted) } } },
      }),
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

  it('flags built-in phrases used in a language that has none', () => {
    const clinic = makeClinic({
      policy: { templates: { survey: { de: own('{{clinicName}}: Danke! {{stopText}}') } } },
    });
    expect(validateClinicTemplates(clinic)).toEqual([
      {
        path: 'policy.templates.survey.de.sms',
        message: 'uses {{stopText}}, which has no built-in wording in de: write it out instead',
      },
    ]);
  });

  it('refuses templates for broadcasts, which carry the text staff write', () => {
    const result = MessagingPolicySchema.safeParse({
      templates: { broadcast: { en: own('{{clinicName}} STOP') } },
    });
    expect(result.success ? [] : toFieldIssues(result.error.issues)).toEqual([
      {
        path: 'templates.broadcast',
        message: 'is never used: broadcasts carry the text staff write for them',
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
