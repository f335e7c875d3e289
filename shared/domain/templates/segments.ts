/**
 * SMS segment counting (3GPP TS 23.038, "GSM 03.38").
 *
 * A text that uses only the GSM 7-bit default alphabet and its extension
 * table is sent as GSM-7: 160 septets in one segment, 153 per segment once it
 * is split (the rest is the concatenation header). Extension characters take
 * two septets (escape + character) and the pair is never split across
 * segments. Any other character switches the whole message to UCS-2: 70 UTF-16
 * code units in one segment, 67 per segment when split, and a surrogate pair
 * (an emoji) is never split either. Carriers bill per segment, which is why a
 * clinic sets a segment budget.
 */

/**
 * The GSM 7-bit default alphabet (one septet each), in table order; 0x1B is the
 * escape into the extension table and is not a character of its own.
 */
export const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: each costs two septets (escape + character). */
export const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set([...GSM7_EXTENSION]);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
  /** Segments the text is sent in; 0 for an empty text. */
  segments: number;
}

/** Units in a single-segment message, and per segment of a split one. */
export const SEGMENT_LIMITS: Record<SmsEncoding, { single: number; multi: number }> = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
};

/**
 * True when the character is in the GSM-7 default alphabet or its extension table.
 *
 * @param char - one code point
 */
export function isGsm7Char(char: string): boolean {
  return BASIC.has(char) || EXTENSION.has(char);
}

/**
 * True when the whole text can be sent as GSM-7.
 *
 * @param text - the text to check
 */
export function isGsm7(text: string): boolean {
  for (const char of text) if (!isGsm7Char(char)) return false;
  return true;
}

/** Packs indivisible items (their unit sizes) into segments of `perSegment` units. */
function packSegments(sizes: readonly number[], perSegment: number): number {
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > perSegment) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}

/**
 * Counts the encoding, units and segments an SMS text is sent in.
 *
 * @param text - the exact text that will be sent
 */
export function countSegments(text: string): SegmentCount {
  const chars = [...text];
  const encoding: SmsEncoding = chars.every(isGsm7Char) ? 'GSM-7' : 'UCS-2';
  const sizes = chars.map(
    (char) => (encoding === 'GSM-7' ? (EXTENSION.has(char) ? 2 : 1) : char.length), // UTF-16 code units
  );
  const units = sizes.reduce((sum, size) => sum + size, 0);
  const limits = SEGMENT_LIMITS[encoding];
  if (units === 0) return { encoding, units, segments: 0 };
  if (units <= limits.single) return { encoding, units, segments: 1 };
  return { encoding, units, segments: packSegments(sizes, limits.multi) };
}

// Typographic characters that have a plain GSM-7 twin. Machine-made text (a
// date formatted by Intl, for instance) may contain them; they would turn a
// whole SMS into UCS-2 and more than double its segments.
const GSM_TWINS: Record<string, string> = {
  '\u00A0': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\u200A': ' ',
  '\u202F': ' ',
  '\u2010': '-',
  '\u2011': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2018': "'",
  '\u2019': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u2026': '...',
};

/**
 * Replaces characters outside GSM-7 by their nearest GSM-7 form where one
 * exists (`á` → `a`, narrow no-break space → space), keeping characters that
 * GSM-7 has (`é`, `ñ`, `ü`). Characters with no GSM-7 form are kept, so the
 * text is never damaged beyond dropping an accent.
 *
 * Used only on text the system makes itself (formatted dates and times), never
 * on names or a clinic's own wording.
 *
 * @param text - text to fold
 */
export function foldToGsm7(text: string): string {
  let folded = '';
  for (const char of text) {
    if (isGsm7Char(char)) {
      folded += char;
      continue;
    }
    const twin = GSM_TWINS[char];
    if (twin !== undefined) {
      folded += twin;
      continue;
    }
    const bare = char.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    folded += bare !== '' && isGsm7(bare) ? bare : char;
  }
  return folded;
}
