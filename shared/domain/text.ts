/**
 * Which characters free text may hold. Names, places and template wording
 * reach SMS, email and staff screens, so invisible characters that change
 * what a reader sees (controls, bidirectional overrides that reorder text,
 * halves of broken surrogate pairs) are refused at the edge, while every
 * script and emoji stays allowed.
 */
import * as z from 'zod';

/** Why a character is refused. */
export type ForbiddenKind = 'control character' | 'bidirectional override' | 'unpaired surrogate';

export interface ForbiddenCharacter {
  kind: ForbiddenKind;
  /** The code point (or lone surrogate code unit). */
  codePoint: number;
  /** 1-based, counted in Unicode code points (an emoji counts as one). */
  position: number;
}

export interface TextRules {
  /** Multi-line text (SMS and email bodies) may hold line feeds and carriage returns. */
  lineBreaks: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

function kindOf(codePoint: number, rules: TextRules): ForbiddenKind | undefined {
  if (rules.lineBreaks && (codePoint === LF || codePoint === CR)) return undefined;
  // C0 controls, DEL and the C1 controls.
  if (codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f)) return 'control character';
  // LRE, RLE, PDF, LRO, RLO and the isolates LRI, RLI, FSI, PDI: they reorder what a reader sees.
  if ((codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069)) {
    return 'bidirectional override';
  }
  // Iterating by code point yields a surrogate only when it has no partner.
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 'unpaired surrogate';
  return undefined;
}

/**
 * The first character of `text` that free text may not hold.
 *
 * @param text - the text as received
 * @param rules - whether line breaks are allowed
 * @returns the character, its kind and its 1-based code-point position, or undefined when the text is clean
 */
export function findForbiddenCharacter(text: string, rules: TextRules): ForbiddenCharacter | undefined {
  let position = 0;
  for (const character of text) {
    position += 1;
    const codePoint = character.codePointAt(0) ?? 0;
    const kind = kindOf(codePoint, rules);
    if (kind) return { kind, codePoint, position };
  }
  return undefined;
}

/** `U+0007`: how a refused character is named in an error. */
export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The error message for a refused character, e.g.
 * "must not contain a control character: U+0000 at position 4".
 *
 * @param found - what {@link findForbiddenCharacter} returned
 */
export function describeForbiddenCharacter(found: ForbiddenCharacter): string {
  const article = found.kind === 'unpaired surrogate' ? 'an' : 'a';
  return `must not contain ${article} ${found.kind}: ${formatCodePoint(found.codePoint)} at position ${found.position}`;
}

/**
 * Free text that reaches patients or staff screens (names, places, template
 * wording): any script and emoji, but no control characters, bidirectional
 * overrides or unpaired surrogates. Checked on the text as received, before
 * any trimming, so the reported position is the caller's own.
 *
 * @param lineBreaks - true for multi-line text (SMS and email bodies), which may hold LF and CR
 */
export function freeText(lineBreaks = false) {
  return z.string().superRefine((text, ctx) => {
    const found = findForbiddenCharacter(text, { lineBreaks });
    // Stop here: length or emptiness of a text that holds such a character says nothing useful.
    if (found) ctx.addIssue({ code: 'custom', message: describeForbiddenCharacter(found), continue: false });
  });
}
