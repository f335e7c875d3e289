/**
 * interpretReply(): what a patient's text message asks for. One pure
 * function (design.md, decision 8) that the inbound handler calls once per
 * inbound message; every effect (confirmation, opt-out, inbox item) follows
 * from the intent it returns. A reply never cancels or moves a visit by
 * itself: the strongest thing it can do to a visit is record a confirmation.
 *
 * The order of checks is the order of what must never be missed:
 * 1. unreadable (empty, emoji only, no words, longer than an SMS can be);
 * 2. opt-out: built-in keyword as the whole reply, built-in keyword as a
 *    sentence of its own, a revocation phrase anywhere, the clinic's opt-out
 *    synonyms. Nothing a clinic configures comes before this, so no opt-out
 *    word is ever read as anything else;
 * 3. opt-in (START, "text me again", the clinic's synonyms);
 * 4. help (HELP, INFO, AYUDA, the clinic's synonyms);
 * 5. a survey score, only when the reply answers a survey (context.survey);
 * 6. reschedule (R, "can we reschedule", "otro día", the clinic's synonyms);
 * 7. a cancel request for staff ("cancel my appointment");
 * 8. confirm (C, YES, SÍ, OK, 👍, "I'll be there", the clinic's synonyms),
 *    only when the whole reply says nothing else: "yes but can I bring my
 *    son?" is a question for staff;
 * 9. everything else is free text for staff.
 *
 * Bare CANCEL (or CANCELAR): an opt-out, because CTIA lists it and the FCC
 * names "cancel" among the words that revoke consent outright; the intent
 * also carries `alsoForStaff: 'cancel-request'`, because a patient who texts
 * CANCEL to a reminder may mean the visit. "Cancel my appointment" (cancel
 * with anything but a message word) is a cancel request for staff and not
 * an opt-out; "cancel the texts" is an opt-out.
 */
import { REPLY_INTENT_KINDS as INTENT_KINDS } from '../constants';
import { foldPhrase, MAX_REPLY_LENGTH, type NormalisedReply, normaliseReply, THUMBS_UP } from './normalise';
import {
  CANCEL_REQUEST_WORDS,
  CONFIRM_FILLERS,
  CONFIRM_KEYWORDS,
  FILLERS,
  HELP_KEYWORDS,
  NEGATIONS,
  NUMBER_WORDS,
  OPT_IN_KEYWORDS,
  OPT_IN_PHRASES,
  OPT_OUT_CLAUSE_KEYWORDS,
  OPT_OUT_KEYWORDS,
  OPT_OUT_PHRASES,
  type PhraseRule,
  RESCHEDULE_KEYWORDS,
  RESCHEDULE_PHRASES,
  SCORE_FILLERS,
  SCORE_PREFIXES,
  SCORE_SUFFIXES,
  STOP_WORDS_AT_CLAUSE_END,
  WORDS_BEFORE_A_NOUN_STOP,
} from './vocabulary';

/** Intents a clinic may add words for (policy.replies.synonyms). */
export const SYNONYM_INTENTS = ['optOut', 'optIn', 'help', 'confirm', 'reschedule'] as const;
export type SynonymIntent = (typeof SYNONYM_INTENTS)[number];

/** A clinic's own reply words by intent, as written in its policy. */
export type ReplySynonyms = Partial<Record<SynonymIntent, readonly string[]>>;

/** The scale a survey asked for; a number outside it is free text. */
export interface ScoreScale {
  min: number;
  max: number;
}

/** Net Promoter Score, the default survey (issue 13): 0 to 10. */
export const NPS_SCALE: ScoreScale = { min: 0, max: 10 };

export interface ReplyContext {
  /** Present when the reply answers a survey: the scale the survey's text asked for. */
  survey?: ScoreScale | undefined;
  /** The clinic's own words (policy.replies.synonyms). */
  synonyms?: ReplySynonyms | undefined;
}

/** Why a reply cannot be read. */
export type UnreadableReason = 'empty' | 'emoji-only' | 'no-words' | 'too-long';

/**
 * What a reply asks for. `rule` names the rule that matched (`keyword:stop`,
 * `phrase:stop-sending`, `synonym`, …): our words, never the patient's, so it
 * may be logged.
 */
export type ReplyIntent =
  | {
      kind: 'opt-out';
      rule: string;
      /** Staff should also see it: a bare CANCEL, or an opt-out that also asks to cancel or move a visit. */
      alsoForStaff?: 'cancel-request' | 'reschedule';
    }
  | { kind: 'opt-in'; rule: string }
  | { kind: 'help'; rule: string }
  | { kind: 'survey-score'; score: number; rule: string }
  | { kind: 'reschedule'; rule: string }
  | { kind: 'cancel-request'; rule: string }
  | { kind: 'confirm'; rule: string }
  | { kind: 'free-text' }
  | { kind: 'unreadable'; reason: UnreadableReason };

export type ReplyIntentKind = ReplyIntent['kind'];

/** Every intent kind, in the order interpretReply() checks them (defined with the other closed sets). */
export const REPLY_INTENT_KINDS: readonly ReplyIntentKind[] = INTENT_KINDS;
// The list and the union must name the same kinds.
type SameKinds = [ReplyIntentKind] extends [(typeof INTENT_KINDS)[number]]
  ? [(typeof INTENT_KINDS)[number]] extends [ReplyIntentKind]
    ? true
    : never
  : never;
const _sameKinds: SameKinds = true;
void _sameKinds;

// ---------------------------------------------------------------------------
// Matching machinery
// ---------------------------------------------------------------------------

/** Phrases as word lists, longest first so the first match is the fullest. */
type WordLists = readonly (readonly string[])[];

function wordLists(phrases: readonly string[]): WordLists {
  return phrases
    .map((text) => foldPhrase(text).split(' '))
    .filter((words) => words[0] !== '')
    .sort((a, b) => b.length - a.length);
}

function startsWith(words: readonly string[], at: number, phrase: readonly string[]): boolean {
  if (at + phrase.length > words.length) return false;
  return phrase.every((word, offset) => words[at + offset] === word);
}

/** A whole reply or clause longer than this is never a keyword plus fillers. */
const MAX_COVER_WORDS = 24;

/**
 * Whether `words` are exactly keywords and fillers, with at least one
 * keyword; returns the first keyword used.
 */
function coverWith(words: readonly string[], keywords: WordLists, fillers: WordLists): string | undefined {
  if (words.length === 0 || words.length > MAX_COVER_WORDS) return undefined;
  // reach[i]: the words before i can be covered; the value is the first keyword
  // used on the way ('' when only fillers so far), undefined when unreachable.
  const reach: (string | undefined)[] = new Array(words.length + 1).fill(undefined);
  reach[0] = '';
  for (let at = 0; at < words.length; at += 1) {
    const here = reach[at];
    if (here === undefined) continue;
    for (const keyword of keywords) {
      if (!startsWith(words, at, keyword)) continue;
      const next = at + keyword.length;
      if (!reach[next]) reach[next] = here || keyword.join(' ');
    }
    for (const filler of fillers) {
      if (!startsWith(words, at, filler)) continue;
      const next = at + filler.length;
      if (reach[next] === undefined || (reach[next] === '' && here !== '')) reach[next] = here;
    }
  }
  return reach[words.length] || undefined;
}

/** Fillers removed from the start of a clause, or from both ends. */
function trimFillers(
  words: readonly string[],
  fillers: WordLists,
  ends: 'start' | 'both',
): readonly string[] {
  let start = 0;
  let end = words.length;
  let trimmed = true;
  while (trimmed && start < end) {
    trimmed = false;
    for (const filler of fillers) {
      if (start + filler.length <= end && startsWith(words, start, filler)) {
        start += filler.length;
        trimmed = true;
        break;
      }
      if (ends === 'both' && end - filler.length >= start && startsWith(words, end - filler.length, filler)) {
        end -= filler.length;
        trimmed = true;
        break;
      }
    }
  }
  return words.slice(start, end);
}

interface CompiledPhrase {
  id: string;
  anywhere: RegExp;
  whole: RegExp;
  negatable: boolean;
}

function compile(rules: readonly PhraseRule[]): readonly CompiledPhrase[] {
  return rules.map((rule) => ({
    id: rule.id,
    anywhere: new RegExp(`(?:^| )(?:${rule.pattern})(?= |$)`, 'g'),
    whole: new RegExp(`^(?:${rule.pattern})$`),
    negatable: rule.negatable,
  }));
}

const NEGATION_WORDS = new Set(NEGATIONS.filter((word) => !word.includes(' ')));
const NEGATION_PAIRS = new Set(NEGATIONS.filter((word) => word.includes(' ')));

/**
 * Whether the words just before a match turn it around: `dont`, `do not`,
 * or a negation with need / want / have to (`dont need to`, `no need to`).
 */
function negated(before: readonly string[]): boolean {
  const last = before.at(-1);
  const lastTwo = before.slice(-2).join(' ');
  if (last !== undefined && NEGATION_WORDS.has(last)) return true;
  if (NEGATION_PAIRS.has(lastTwo)) return true;
  if (last === 'to' && before.length >= 3) {
    const verb = before.at(-2);
    const negation = before.at(-3) ?? '';
    if ((verb === 'need' || verb === 'want' || verb === 'have') && NEGATION_WORDS.has(negation)) return true;
  }
  return false;
}

/** The first phrase found in any clause, skipping negated matches. */
function findPhrase(
  clauses: readonly (readonly string[])[],
  phrases: readonly CompiledPhrase[],
): string | undefined {
  for (const clause of clauses) {
    const text = clause.join(' ');
    for (const rule of phrases) {
      rule.anywhere.lastIndex = 0;
      for (let match = rule.anywhere.exec(text); match; match = rule.anywhere.exec(text)) {
        const start = match.index + (match[0].startsWith(' ') ? 1 : 0);
        const before = text.slice(0, start).split(' ').filter(Boolean);
        if (!(rule.negatable && negated(before))) return rule.id;
        // Retry one character on, so overlapping matches are not lost.
        rule.anywhere.lastIndex = match.index + 1;
      }
    }
  }
  return undefined;
}

/** The first phrase that makes up a whole clause once fillers are trimmed. */
function findWholeClausePhrase(
  clauses: readonly (readonly string[])[],
  phrases: readonly CompiledPhrase[],
  fillers: WordLists,
): string | undefined {
  for (const clause of clauses) {
    // A phrase may end in a filler word itself ("text me again"), so the
    // clause is tried as it is and with fillers trimmed.
    const texts = [clause, trimFillers(clause, fillers, 'start'), trimFillers(clause, fillers, 'both')].map(
      (words) => words.join(' '),
    );
    const found = phrases.find((rule) => texts.some((text) => rule.whole.test(text)));
    if (found) return found.id;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// The grammar
// ---------------------------------------------------------------------------

const FILLER_WORDS = wordLists(FILLERS);
const CONFIRM_FILLER_WORDS = wordLists([...FILLERS, ...CONFIRM_FILLERS]);
const BUILT_IN = {
  optOut: wordLists(OPT_OUT_KEYWORDS),
  optOutClause: wordLists(OPT_OUT_CLAUSE_KEYWORDS),
  optIn: wordLists(OPT_IN_KEYWORDS),
  help: wordLists(HELP_KEYWORDS),
  reschedule: wordLists(RESCHEDULE_KEYWORDS),
  confirm: wordLists(CONFIRM_KEYWORDS),
};
const PHRASES = {
  optOut: compile(OPT_OUT_PHRASES),
  optIn: compile(OPT_IN_PHRASES),
  reschedule: compile(RESCHEDULE_PHRASES),
};
const CANCEL_WORDS = new Set(CANCEL_REQUEST_WORDS);
const CANCEL_KEYWORDS = new Set(['cancel', 'cancel all', 'cancelar', 'cancelar todo']);
/** Opt-out rules whose cancel word is about the texts, not a visit. */
const CANCELS_TEXTS = new Set([
  'phrase:cancel-the-texts',
  'phrase:cancelar-suscripcion',
  'phrase:revoke-consent',
]);
const CLAUSE_END_STOPS = new Set(STOP_WORDS_AT_CLAUSE_END);
const NOUN_STOP_LEADS = new Set(WORDS_BEFORE_A_NOUN_STOP);
const SCORE_PREFIX_WORDS = wordLists(SCORE_PREFIXES);
const SCORE_SUFFIX_WORDS = new Set(SCORE_SUFFIXES);
const SCORE_FILLER_WORDS = new Set(SCORE_FILLERS);

/**
 * "Thanks for the reminder stop": STOP as the last word of a sentence is an
 * opt-out, unless the word before makes it a noun or a verb of something
 * else ("the bus stop", "my last stop", "I can't stop", "I need to stop").
 */
function stopAtClauseEnd(clauses: readonly (readonly string[])[]): string | undefined {
  for (const clause of clauses) {
    const last = clause.at(-1);
    if (last === undefined || !CLAUSE_END_STOPS.has(last)) continue;
    const before = clause.slice(0, -1);
    const previous = before.at(-1);
    if (previous !== undefined && NOUN_STOP_LEADS.has(previous)) continue;
    if (negated(before)) continue;
    return last;
  }
  return undefined;
}

/** Synonym word lists are cached per synonyms object: the inbound handler passes the same policy for many texts. */
const synonymCache = new WeakMap<ReplySynonyms, Record<SynonymIntent, WordLists>>();

function synonymWords(synonyms: ReplySynonyms | undefined): Record<SynonymIntent, WordLists> {
  const empty = { optOut: [], optIn: [], help: [], confirm: [], reschedule: [] };
  if (!synonyms) return empty;
  const cached = synonymCache.get(synonyms);
  if (cached) return cached;
  const built = Object.fromEntries(
    SYNONYM_INTENTS.map((intent) => [intent, wordLists(synonyms[intent] ?? [])]),
  ) as Record<SynonymIntent, WordLists>;
  synonymCache.set(synonyms, built);
  return built;
}

function unreadable(text: string, reply: NormalisedReply): UnreadableReason | undefined {
  if ([...text].length > MAX_REPLY_LENGTH) return 'too-long';
  if (text.trim() === '') return 'empty';
  if (reply.words.length === 0) return reply.hadPictographs ? 'emoji-only' : 'no-words';
  return undefined;
}

function optOut(
  reply: NormalisedReply,
  synonyms: Record<SynonymIntent, WordLists>,
): Extract<ReplyIntent, { kind: 'opt-out' }> | undefined {
  const keyword = coverWith(reply.words, BUILT_IN.optOut, FILLER_WORDS);
  if (keyword) {
    return CANCEL_KEYWORDS.has(keyword)
      ? { kind: 'opt-out', rule: `keyword:${keyword}`, alsoForStaff: 'cancel-request' }
      : { kind: 'opt-out', rule: `keyword:${keyword}` };
  }
  let rule: string | undefined;
  for (const clause of reply.clauses) {
    const found = coverWith(clause, BUILT_IN.optOutClause, FILLER_WORDS);
    if (found) {
      rule = `clause:${found}`;
      break;
    }
  }
  if (!rule) {
    const found = findPhrase(reply.clauses, PHRASES.optOut);
    if (found) rule = `phrase:${found}`;
  }
  if (!rule) {
    const found = stopAtClauseEnd(reply.clauses);
    if (found) rule = `clause-end:${found}`;
  }
  if (!rule && coverWith(reply.words, synonyms.optOut, FILLER_WORDS)) rule = 'synonym';
  if (!rule) return undefined;
  // An opt-out that also asks about a visit: the opt-out applies, and staff see the rest.
  if (findPhrase(reply.clauses, PHRASES.reschedule))
    return { kind: 'opt-out', rule, alsoForStaff: 'reschedule' };
  if (!CANCELS_TEXTS.has(rule) && reply.words.some((word) => CANCEL_WORDS.has(word))) {
    return { kind: 'opt-out', rule, alsoForStaff: 'cancel-request' };
  }
  return { kind: 'opt-out', rule };
}

/** A number word or digits, 0–99. */
function scoreValue(token: string): number | undefined {
  if (/^\d{1,2}$/.test(token)) return Number(token);
  return NUMBER_WORDS[token];
}

/**
 * A score the way people write one: `8`, `8!`, `8/10`, `8 out of 10`,
 * `a 9`, `nine`, `un 10`, `10 estrellas`, with fillers around it; never two
 * numbers (`8 or 9`), a decimal (`8.5`) or a number with words (`8 but…`).
 */
function surveyScore(reply: NormalisedReply, scale: ScoreScale): number | undefined {
  let tokens = reply.scoreTokens.filter((token) => !SCORE_FILLER_WORDS.has(token));
  for (const prefix of SCORE_PREFIX_WORDS) {
    if (startsWith(tokens, 0, prefix) && tokens.length > prefix.length) {
      tokens = tokens.slice(prefix.length);
      break;
    }
  }
  const last = tokens.at(-1);
  if (tokens.length > 1 && last !== undefined && SCORE_SUFFIX_WORDS.has(last)) tokens = tokens.slice(0, -1);
  let denominator: number | undefined;
  if (tokens.length === 3 && ['out', 'of', 'de', 'sobre'].includes(tokens[1] ?? '')) {
    denominator = scoreValue(tokens[2] ?? '');
    tokens = tokens.slice(0, 1);
  } else if (tokens.length === 4 && tokens[1] === 'out' && tokens[2] === 'of') {
    denominator = scoreValue(tokens[3] ?? '');
    tokens = tokens.slice(0, 1);
  } else if (tokens.length === 1 && /^\d{1,2}\/\d{1,2}$/.test(tokens[0] ?? '')) {
    const [score = '', over = ''] = (tokens[0] ?? '').split('/');
    denominator = Number(over);
    tokens = [score];
  }
  if (tokens.length !== 1) return undefined;
  const score = scoreValue(tokens[0] ?? '');
  if (score === undefined || score < scale.min || score > scale.max) return undefined;
  if (denominator !== undefined && denominator !== scale.max) return undefined;
  return score;
}

/**
 * Reads a patient's text message.
 *
 * Normalises case, spacing, punctuation, accents, apostrophes and emoji
 * first, so `STOP`, ` stop. `, `Stop!!` and `ＳＴＯＰ` are one reply, and
 * `👍🏽` is a yes. Built-in words are English and Spanish; every built-in
 * language's words are understood whatever the patient's language, because
 * a patient may answer in either.
 *
 * @param text - the SMS body as received (any string; over 1,600 characters is unreadable)
 * @param context - whether the reply answers a survey (and its scale), and the clinic's synonyms
 * @returns the intent; see the module comment for the order of checks
 */
export function interpretReply(text: string, context: ReplyContext = {}): ReplyIntent {
  const reply = normaliseReply(text);
  const reason = unreadable(text, reply);
  if (reason) return { kind: 'unreadable', reason };
  const synonyms = synonymWords(context.synonyms);

  const out = optOut(reply, synonyms);
  if (out) return out;

  const optInKeyword = coverWith(reply.words, BUILT_IN.optIn, FILLER_WORDS);
  if (optInKeyword) return { kind: 'opt-in', rule: `keyword:${optInKeyword}` };
  const optInPhrase = findWholeClausePhrase(reply.clauses, PHRASES.optIn, FILLER_WORDS);
  if (optInPhrase) return { kind: 'opt-in', rule: `phrase:${optInPhrase}` };
  if (coverWith(reply.words, synonyms.optIn, FILLER_WORDS)) return { kind: 'opt-in', rule: 'synonym' };

  const help = coverWith(reply.words, BUILT_IN.help, FILLER_WORDS);
  if (help) return { kind: 'help', rule: `keyword:${help}` };
  if (coverWith(reply.words, synonyms.help, FILLER_WORDS)) return { kind: 'help', rule: 'synonym' };

  // A number answers the survey before a clinic's synonyms can read it ("1" for confirm).
  if (context.survey) {
    const score = surveyScore(reply, context.survey);
    if (score !== undefined) return { kind: 'survey-score', score, rule: 'score' };
  }

  const reschedule = coverWith(reply.words, BUILT_IN.reschedule, FILLER_WORDS);
  if (reschedule) return { kind: 'reschedule', rule: `keyword:${reschedule}` };
  const reschedulePhrase = findPhrase(reply.clauses, PHRASES.reschedule);
  if (reschedulePhrase) return { kind: 'reschedule', rule: `phrase:${reschedulePhrase}` };
  if (coverWith(reply.words, synonyms.reschedule, FILLER_WORDS))
    return { kind: 'reschedule', rule: 'synonym' };

  const cancelWord = reply.words.find((word) => CANCEL_WORDS.has(word));
  if (cancelWord) return { kind: 'cancel-request', rule: `word:${cancelWord}` };

  const confirm = coverWith(reply.words, BUILT_IN.confirm, CONFIRM_FILLER_WORDS);
  if (confirm)
    return { kind: 'confirm', rule: confirm === THUMBS_UP ? 'emoji:thumbs-up' : `keyword:${confirm}` };
  if (coverWith(reply.words, synonyms.confirm, CONFIRM_FILLER_WORDS))
    return { kind: 'confirm', rule: 'synonym' };

  return { kind: 'free-text' };
}
