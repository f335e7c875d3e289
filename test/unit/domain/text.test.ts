import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatientFieldsSchema, TemplateTextSchema } from '../../../shared/domain/model';
import { describeForbiddenCharacter, findForbiddenCharacter } from '../../../shared/domain/text';

const ONE_LINE = { lineBreaks: false };

/** Code points free text must refuse: C0, DEL, C1, bidi embeddings, overrides and isolates. */
const FORBIDDEN = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
];

const isForbidden = (codePoint: number) =>
  FORBIDDEN.includes(codePoint) || (codePoint >= 0xd800 && codePoint <= 0xdfff);

/** Any code point of any plane that free text allows. */
const allowedCodePoint = fc
  .integer({ min: 0x20, max: 0x10ffff })
  .filter((codePoint) => !isForbidden(codePoint));
const allowedText = fc
  .array(allowedCodePoint, { maxLength: 40 })
  .map((points) => String.fromCodePoint(...points));

describe('free text', () => {
  it('allows every script, emoji with joiners and skin tones, and direction marks', () => {
    for (const name of [
      'Zoë',
      'Łucja',
      'Nguyễn',
      '李小龙',
      'محمد',
      'שרה',
      'Ἀθηνᾶ',
      'राज',
      '👩🏽‍⚕️',
      'Ana\u200fB',
      '𝒜𝓃𝒶',
    ]) {
      expect(findForbiddenCharacter(name, ONE_LINE), name).toBeUndefined();
      expect(PatientFieldsSchema.shape.firstName.safeParse(name).success, name).toBe(true);
    }
  });

  it('allows any text of allowed code points from every Unicode plane', () => {
    fc.assert(
      fc.property(allowedText, (text) => {
        expect(findForbiddenCharacter(text, ONE_LINE)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('finds a forbidden character wherever it is, at its code-point position', () => {
    const forbidden = fc.oneof(fc.constantFrom(...FORBIDDEN), fc.integer({ min: 0xd800, max: 0xdfff }));
    fc.assert(
      fc.property(allowedText, forbidden, allowedText, (before, codePoint, after) => {
        // Allowed text holds only whole pairs, so an inserted surrogate stays unpaired.
        const text = `${before}${String.fromCharCode(codePoint)}${after}`;
        const found = findForbiddenCharacter(text, ONE_LINE);
        expect(found?.codePoint).toBe(codePoint);
        expect(found?.position).toBe([...before].length + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('names the kind, the code point and the position in its message', () => {
    const cases: [string, string][] = [
      ['Ana\u0000\u0007\n<script>', 'must not contain a control character: U+0000 at position 4'],
      ['Ana\u0085', 'must not contain a control character: U+0085 at position 4'],
      ['\u{1F600}\u202Ex', 'must not contain a bidirectional override: U+202E at position 2'],
      ['ab\uD800', 'must not contain an unpaired surrogate: U+D800 at position 3'],
    ];
    for (const [text, message] of cases) {
      const found = findForbiddenCharacter(text, ONE_LINE);
      expect(found && describeForbiddenCharacter(found)).toBe(message);
    }
  });

  it('lets multi-line text keep line feeds and carriage returns, and nothing else of C0', () => {
    expect(findForbiddenCharacter('Hi\r\nthere\n', { lineBreaks: true })).toBeUndefined();
    expect(findForbiddenCharacter('Hi\tthere', { lineBreaks: true })?.codePoint).toBe(0x09);
    const sms = '{{clinicName}}: see you {{localDate}}.\n{{stopText}}';
    expect(
      TemplateTextSchema.safeParse({ sms, emailSubject: 'Reminder', emailBody: 'Hi\n\nthere' }).success,
    ).toBe(true);
    expect(
      TemplateTextSchema.safeParse({ sms, emailSubject: 'Reminder\nBcc: x@example.com', emailBody: 'Hi' })
        .success,
    ).toBe(false);
  });
});
