import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countSegments,
  foldToGsm7,
  GSM7_BASIC,
  GSM7_EXTENSION,
  isGsm7,
  isGsm7Char,
} from '../../../../shared/domain/templates';

describe('countSegments', () => {
  it('fits exactly 160 GSM-7 characters in one segment', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
  });

  it('splits 161 GSM-7 characters into two segments of at most 153', () => {
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306))).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
    expect(countSegments('a'.repeat(307))).toEqual({ encoding: 'GSM-7', units: 307, segments: 3 });
  });

  it('counts extension characters (€ [ ] { } ~ ^ | \\ and form feed) as two septets', () => {
    expect(countSegments('€')).toEqual({ encoding: 'GSM-7', units: 2, segments: 1 });
    expect(countSegments(`${'a'.repeat(158)}€`)).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments(`${'a'.repeat(159)}€`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    for (const char of GSM7_EXTENSION) expect(countSegments(char).units, JSON.stringify(char)).toBe(2);
  });

  it('never splits an escape pair: an extension character that does not fit moves to the next segment', () => {
    // 152 + € (2) = 154 septets would overflow the first 153-septet segment by one.
    const text = `${'a'.repeat(152)}€${'a'.repeat(152)}`;
    expect(countSegments(text)).toEqual({ encoding: 'GSM-7', units: 306, segments: 3 });
  });

  it('reads Spanish ñ, é, ü, ¿ and ¡ as GSM-7 but á, í, ó and ú as UCS-2, following the GSM 03.38 table', () => {
    for (const char of 'ñÑéÉüÜ¿¡àèìòù') expect(isGsm7Char(char), char).toBe(true);
    for (const char of 'áíóúÁÍÓÚçê') expect(isGsm7Char(char), char).toBe(false);
    expect(countSegments('¿Qué tal? Mañana').encoding).toBe('GSM-7');
    expect(countSegments('Número').encoding).toBe('UCS-2');
  });

  it('switches the whole text to UCS-2 for one character outside GSM-7: 70 in one segment, 67 when split', () => {
    expect(countSegments(`ú${'a'.repeat(69)}`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments(`ú${'a'.repeat(70)}`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(countSegments(`ú${'a'.repeat(133)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 2 });
    expect(countSegments(`ú${'a'.repeat(134)}`)).toEqual({ encoding: 'UCS-2', units: 135, segments: 3 });
  });

  it('counts an emoji as two UTF-16 units and never splits the pair across segments', () => {
    expect(countSegments('😀')).toEqual({ encoding: 'UCS-2', units: 2, segments: 1 });
    // 66 units, then an emoji that would straddle the 67-unit boundary.
    const text = `${'a'.repeat(66)}😀${'a'.repeat(66)}`;
    expect(countSegments(text)).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 });
  });

  it('has the 127 GSM-7 basic characters and counts an empty text as no segment', () => {
    expect([...GSM7_BASIC]).toHaveLength(127);
    expect(isGsm7(GSM7_BASIC + GSM7_EXTENSION)).toBe(true);
    expect(isGsm7('\t')).toBe(false);
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
  });

  it('matches the segment arithmetic for any text of plain GSM-7 or BMP characters (300 runs)', () => {
    const gsm = fc.string({ unit: fc.constantFrom(...'abc XYZ 0123.,@£Ññ'), maxLength: 800 });
    const ucs = fc.string({ unit: fc.constantFrom(...'aú Жж中'), maxLength: 400 }).map((text) => `ú${text}`);
    fc.assert(
      fc.property(gsm, ucs, (plain, wide) => {
        const g = countSegments(plain);
        expect(g.units).toBe(plain.length);
        expect(g.segments).toBe(
          plain.length === 0 ? 0 : plain.length <= 160 ? 1 : Math.ceil(plain.length / 153),
        );
        const u = countSegments(wide);
        expect(u.encoding).toBe('UCS-2');
        expect(u.segments).toBe(wide.length <= 70 ? 1 : Math.ceil(wide.length / 67));
      }),
      { numRuns: 300 },
    );
  });
});

describe('foldToGsm7', () => {
  it('drops accents GSM-7 lacks and keeps those it has', () => {
    expect(foldToGsm7('sábado, miércoles, Ñandú')).toBe('sabado, miércoles, Ñandu');
  });

  it('turns typographic spaces, dashes, quotes and ellipses into their plain twins', () => {
    expect(foldToGsm7('9:30\u202FAM\u00A0– “ok” ‘x’ …')).toBe('9:30 AM - "ok" \'x\' ...');
  });

  it('leaves characters that have no GSM-7 form as they are', () => {
    expect(foldToGsm7('東京 😀')).toBe('東京 😀');
  });
});
