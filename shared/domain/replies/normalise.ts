/**
 * Folding an inbound SMS into words the reply grammar can match: one
 * spelling for what patients type many ways (case, accents, apostrophes,
 * full-width letters, spacing, punctuation, emoji).
 */

/** Longest body an inbound SMS can carry (AWS End User Messaging's limit); longer is not a text message. */
export const MAX_REPLY_LENGTH = 1600;

/** The one word every "yes" emoji folds into (👍 with any skin tone, 👌, ✅, ✔️, ☑️, 🆗). */
export const THUMBS_UP = '\u{1F44D}';

export interface NormalisedReply {
  /**
   * Every word in order: lowercase, accents and apostrophes removed
   * (`don't` is `dont`, `Sí` is `si`), a letter typed three or more times in
   * a row once (`stoppp` is `stop`), a "yes" emoji as {@link THUMBS_UP},
   * every other emoji and punctuation gone.
   */
  words: string[];
  /** The words of each clause, the text split at sentence punctuation (`.`, `!`, `?`, `,`, `;`, `:`, `¡`, `¿`, new lines). */
  clauses: string[][];
  /** Tokens for reading a score: like `words`, but `8.5`, `8,5`, `8/10` and `5-6` stay one token each. */
  scoreTokens: string[];
  /** Whether the text held an emoji or pictograph other than a "yes" emoji. */
  hadPictographs: boolean;
}

// Apostrophes join the word (`don't` → `dont`) instead of splitting it, so
// `dont`, `don't` and `don’t` are one word. Removed before NFKC as well as
// after, because NFKC turns the spacing acute (´) into a space and a mark.
const APOSTROPHES = /['’‘`´ʼʹ′＇]/gu;
const MARKS = /\p{M}/gu;
const LETTER_RUNS = /(\p{L})\1{2,}/gu;
const YES_EMOJI = /[\u{1F44D}\u{1F44C}\u{2705}\u{2714}\u{2611}\u{1F197}]/gu;
const PICTOGRAPHS = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u200D]/gu;
const CLAUSE_BREAKS = /[.!?;,:¡¿\n\r]+/u;
const NOT_WORD = /[^\p{L}\p{N}\u{1F44D}]+/u;

/**
 * Case, accents, apostrophes, compatibility forms and emoji folded; nothing
 * split yet. Variation selectors and keycap marks are marks, so `8️⃣` is `8`.
 */
function fold(text: string): { folded: string; hadPictographs: boolean } {
  const lowered = text
    .replace(APOSTROPHES, '')
    .normalize('NFKC')
    .replace(APOSTROPHES, '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(MARKS, '')
    // "Stoppp", "yesss", "siii": a letter typed three or more times is one letter.
    .replace(LETTER_RUNS, '$1')
    .replace(YES_EMOJI, ` ${THUMBS_UP} `);
  // The thumbs-up is itself a pictograph: take it out before looking for others.
  const withoutYes = lowered.replaceAll(THUMBS_UP, ' ');
  const hadPictographs = withoutYes.search(PICTOGRAPHS) >= 0;
  const folded = lowered.replace(PICTOGRAPHS, (char) => (char === THUMBS_UP ? char : ' '));
  return { folded, hadPictographs };
}

function wordsOf(text: string): string[] {
  return text.split(NOT_WORD).filter((word) => word !== '');
}

/** A dot or comma between digits belongs to a number; anywhere else it ends a clause. */
function scoreTokensOf(folded: string): string[] {
  return folded
    .replace(/[^\p{L}\p{N}.,/\-\s]/gu, ' ')
    .replace(/(?<!\d)[.,]|[.,](?!\d)/g, ' ')
    .replace(/\s*\/\s*/g, '/')
    .split(/\s+/)
    .filter((token) => token !== '');
}

/**
 * Folds an inbound text for matching. Total: any string gives a result.
 *
 * @param text - the SMS body as received
 */
export function normaliseReply(text: string): NormalisedReply {
  const { folded, hadPictographs } = fold(text);
  const clauses = folded
    .split(CLAUSE_BREAKS)
    .map(wordsOf)
    .filter((clause) => clause.length > 0);
  return { words: clauses.flat(), clauses, scoreTokens: scoreTokensOf(folded), hadPictographs };
}

/**
 * A clinic's synonym or a built-in keyword as the grammar stores it: the
 * words {@link normaliseReply} would find in it, joined by single spaces.
 *
 * @param text - a keyword or phrase as written (`Opt-Out`, `¡Sí!`)
 */
export function foldPhrase(text: string): string {
  return normaliseReply(text).words.join(' ');
}
