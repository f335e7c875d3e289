import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countSegments,
  DROPPED_MARK,
  FIRST_NAME_BOUND,
  fitSms,
  parseTemplate,
  renderSms,
  shortenFirstName,
  TEMPLATE_KINDS,
  TEMPLATE_VARIABLES,
  type TemplateValues,
} from '../../../../shared/domain/templates';
import { makeAppointment, makeClinic } from '../../../support/factories';

const EMPTY = Object.fromEntries(TEMPLATE_VARIABLES.map((name) => [name, ''])) as TemplateValues;

/** Fits `source` with the given values (the rest empty) within `budget`. */
function fitText(source: string, values: Partial<TemplateValues>, budget = 1) {
  return fitSms(parseTemplate(source).nodes, { ...EMPTY, ...values }, budget);
}

describe('shortenFirstName', () => {
  it(`keeps a name of up to ${FIRST_NAME_BOUND} characters, else takes its first word, else cuts that word`, () => {
    expect(shortenFirstName('Maria-Teresa')).toBe('Maria-Teresa');
    expect(shortenFirstName('Maria-Guadalupe')).toBe('Maria');
    expect(shortenFirstName('Juan Bautista Alberdi')).toBe('Juan');
    expect(shortenFirstName('Wolfeschlegelsteinhausen')).toBe('Wolfeschlege');
  });

  it('never splits an emoji, a flag or a letter with its accent', () => {
    const family = '👨‍👩‍👧‍👦'; // one grapheme of seven code points
    expect(shortenFirstName(family.repeat(14))).toBe(family.repeat(12));
    const accented = 'e\u0301'.repeat(20); // é written as e + combining acute
    expect(shortenFirstName(accented)).toBe('e\u0301'.repeat(12));
  });
});

describe('fitSms', () => {
  const greeting = '{{clinicName}}: Hi {{firstName}}, your visit is Mon at 9. Reply STOP to opt out.';

  it('leaves a text that fits as it is', () => {
    const fitted = fitText(greeting, { clinicName: 'Riverside Clinic', firstName: 'Ana' });
    expect(fitted).toMatchObject({
      fits: true,
      text: 'Riverside Clinic: Hi Ana, your visit is Mon at 9. Reply STOP to opt out.',
      shortened: [],
    });
  });

  it('shortens a long first name to its first word before anything else', () => {
    const padded = `${greeting} ${'x'.repeat(70)}`;
    const fitted = fitText(padded, { clinicName: 'Riverside Clinic', firstName: 'Maria-Guadalupe Victoria' });
    expect(fitted).toMatchObject({ fits: true, shortened: ['first-name-shortened'] });
    expect(fitted.text).toMatch(/^Riverside Clinic: Hi Maria, your visit/);
  });

  it('takes accents that GSM-7 lacks off the first name rather than sending the whole text in UCS-2', () => {
    const fitted = fitText(greeting, { clinicName: 'Riverside Clinic', firstName: 'María' });
    expect(fitted).toMatchObject({ fits: true, shortened: ['first-name-folded'] });
    expect(fitted.text).toContain('Hi Maria,');
    expect(fitted.fits && fitted.count.encoding).toBe('GSM-7');
    // Within a budget that holds the UCS-2 text, the name stays as written.
    expect(fitText(greeting, { clinicName: 'Riverside Clinic', firstName: 'María' }, 2).text).toContain(
      'Hi María,',
    );
  });

  it('drops a first name that cannot be made to fit and tidies the greeting: "Hi," not "Hi ,"', () => {
    const fitted = fitText(greeting, { clinicName: 'Riverside Clinic', firstName: '😀'.repeat(50) });
    expect(fitted).toMatchObject({
      fits: true,
      text: 'Riverside Clinic: Hi, your visit is Mon at 9. Reply STOP to opt out.',
      shortened: ['first-name-dropped'],
    });
    // Longer than the 70 characters of a UCS-2 part: any emoji left in means two parts.
    const tail = 'Reply STOP to opt out of texts from Riverside Family Clinic.';
    const emoji = '😀'.repeat(50);
    expect(fitText(`Thank you for your visit, {{firstName}}. ${tail}`, { firstName: emoji }).text).toBe(
      `Thank you for your visit. ${tail}`,
    );
    expect(fitText(`{{firstName}}, see you soon. ${tail}`, { firstName: emoji }).text).toBe(
      `see you soon. ${tail}`,
    );
    expect(fitText(`Hi{{#firstName}} {{firstName}}{{/firstName}}! ${tail}`, { firstName: emoji }).text).toBe(
      `Hi! ${tail}`,
    );
  });

  it('keeps the place over the first name, and leaves out a place that does not fit', () => {
    const withPlace = `${greeting.replace(' is Mon at 9', ' is Mon at 9{{#location}}, {{location}}{{/location}}')}`;
    const values = { clinicName: 'Riverside Clinic', firstName: 'Ana' };
    const room = 160 - fitText(withPlace, values).text.length;
    const tight = fitText(withPlace, { ...values, location: 'x'.repeat(room - 2 + 4) });
    expect(tight).toMatchObject({ fits: true, shortened: ['first-name-dropped'] });
    expect(tight.text).toContain('xxxx');
    const long = fitText(withPlace, { ...values, location: 'x'.repeat(200) });
    expect(long).toMatchObject({ fits: true, shortened: ['place-dropped'] });
    expect(long.text).toBe('Riverside Clinic: Hi Ana, your visit is Mon at 9. Reply STOP to opt out.');
  });

  it('never drops a place the template shows outside a section, where leaving it out would leave a gap', () => {
    const fitted = fitText('{{clinicName}}: see you at {{location}}. STOP', {
      clinicName: 'Riverside Clinic',
      location: 'x'.repeat(200),
    });
    expect(fitted).toMatchObject({ fits: false, budget: 1 });
    expect(fitted.count.segments).toBe(2);
  });

  it('refuses a text that nothing can make fit, with the count of its most shortened form', () => {
    const fitted = fitText(`{{clinicName}} {{firstName}} ${'ú'.repeat(100)}`, { firstName: 'Ana' });
    expect(fitted).toMatchObject({ fits: false, budget: 1 });
    expect(fitted.count).toEqual(countSegments(` ${'ú'.repeat(100)}`));
  });
});

/** Code points from every Unicode plane (0–16), never a lone surrogate, plus the sequences names are made of. */
const anyPlaneChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0xffff }),
  fc.integer({ min: 0x1_0000, max: 0x1_ffff }),
  fc.integer({ min: 0x2_0000, max: 0x3_ffff }),
  fc.integer({ min: 0x4_0000, max: 0xd_ffff }),
  fc.integer({ min: 0xe_0000, max: 0x10_ffff }),
);
const nameUnit = fc.oneof(
  { weight: 4, arbitrary: anyPlaneChar.map((code) => String.fromCodePoint(code)) },
  { weight: 2, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzáéíóúñü -') },
  { weight: 1, arbitrary: fc.constantFrom('👨‍👩‍👧', '🇲🇽', '👍🏽', 'é', '👩‍⚕️') },
);
// Names are stored trimmed and never empty (PatientFieldsSchema).
const anyName = fc
  .array(nameUnit, { minLength: 1, maxLength: 60 })
  .map((units) => units.join('').trim())
  .filter((name) => name !== '');

describe('render-time guard, for names from every Unicode plane', () => {
  const clinic = makeClinic({ smsName: 'Lakeside Health West', contactPhone: '+442079460958' });
  const appointment = makeAppointment({ location: '12 River Road, Suite 3' });

  it('sends every built-in text within its budget, dropping at most the first name and the place (300 runs)', () => {
    fc.assert(
      fc.property(
        anyName,
        fc.constantFrom(...TEMPLATE_KINDS),
        fc.constantFrom('en', 'es'),
        (firstName, kind, language) => {
          const fitted = renderSms({
            kind,
            language,
            clinic,
            patient: { firstName, timeZone: undefined },
            appointment,
          });
          const budget = kind === 'survey' ? 3 : 1;
          expect(fitted.fits).toBe(true);
          expect(fitted.count.segments).toBeLessThanOrEqual(budget);
          expect(countSegments(fitted.text)).toEqual(fitted.count);
          expect(fitted.text).not.toContain(DROPPED_MARK);
          expect(fitted.text).toContain('Lakeside Health West');
          expect(fitted.text).toContain('STOP');
          // No lone surrogate: a cut never splits a character.
          expect(fitted.text).not.toMatch(
            /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a name that fits as written, and otherwise never shows more of it than the bound (300 runs)', () => {
    fc.assert(
      fc.property(anyName, (firstName) => {
        const fitted = fitText('{{clinicName}}: Hi {{firstName}}, see you Mon. STOP', {
          clinicName: 'Riverside Clinic',
          firstName,
        });
        expect(fitted.fits).toBe(true);
        if (fitted.fits && fitted.shortened.length === 0) expect(fitted.text).toContain(firstName);
        if (fitted.fits && fitted.shortened.includes('first-name-shortened')) {
          const shown = fitted.text.slice('Riverside Clinic: Hi '.length, fitted.text.indexOf(', see you'));
          expect([...new Intl.Segmenter().segment(shown)].length).toBeLessThanOrEqual(FIRST_NAME_BOUND);
        }
      }),
      { numRuns: 300 },
    );
  });
});
