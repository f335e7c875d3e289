import { describe, expect, it } from 'vitest';
import {
  interpretReply,
  MAX_REPLY_LENGTH,
  NPS_SCALE,
  type ReplyIntentKind,
  type ScoreScale,
} from '../../../../shared/domain/replies';
import {
  BUILT_IN_PHRASES,
  BUILT_IN_TEMPLATES,
  KEYWORD_REPLIES,
  REPLY_KEYWORDS,
} from '../../../../shared/domain/templates';

const LANGUAGES = Object.keys(BUILT_IN_PHRASES);

/** Every SMS text the built-in wording can produce a keyword in, by language. */
function builtInSmsTexts(language: string): string[] {
  const phrases = BUILT_IN_PHRASES[language];
  if (!phrases) return [];
  return [
    ...Object.values(phrases.replyInstructions).map((byChannel) => byChannel.sms),
    phrases.stopText.sms,
    ...Object.values(KEYWORD_REPLIES).flatMap((byLanguage) => byLanguage[language] ?? []),
    ...Object.values(BUILT_IN_TEMPLATES).flatMap((byLanguage) => byLanguage[language]?.sms ?? []),
  ];
}

/** Words the texts tell a patient to send: whole words in capitals, outside `{{variables}}`. */
function promisedWords(texts: readonly string[]): string[] {
  const words = texts.flatMap((text) => text.replace(/\{\{[^}]*\}\}/g, ' ').match(/\b[A-Z]+\b/g) ?? []);
  return [...new Set(words)].filter((word) => word !== 'I');
}

/** The score range a survey text promises ("from 1 (poor) to 5 (great)", "del 1 (mala) al 5", "0-10"). */
function promisedScale(text: string): ScoreScale | undefined {
  const match = /(\d+)(?:\s*\([^)]*\))?\s*(?:to|-|–|al|a)\s*(\d+)/.exec(text);
  return match ? { min: Number(match[1]), max: Number(match[2]) } : undefined;
}

const KEYWORD_KINDS: ReadonlySet<ReplyIntentKind> = new Set([
  'opt-out',
  'opt-in',
  'help',
  'confirm',
  'reschedule',
]);

/** What a keyword of REPLY_KEYWORDS must mean, by its name there. */
const INTENT_OF_KEY: Record<string, ReplyIntentKind> = {
  confirm: 'confirm',
  reschedule: 'reschedule',
  stop: 'opt-out',
  optOut: 'opt-out',
  start: 'opt-in',
  optIn: 'opt-in',
  help: 'help',
};

describe('interpretReply: what the built-in texts promise', () => {
  it.each(LANGUAGES)('understands every keyword the %s texts tell a patient to send', (language) => {
    const words = promisedWords(builtInSmsTexts(language));
    expect(words).toEqual(expect.arrayContaining(['STOP']));
    for (const word of words) {
      const { kind } = interpretReply(word);
      expect(KEYWORD_KINDS.has(kind), `${word} in ${language} is read as ${kind}`).toBe(true);
    }
    expect(interpretReply('STOP').kind).toBe('opt-out');
    if (words.includes('START')) expect(interpretReply('START').kind).toBe('opt-in');
    if (words.includes('HELP')) expect(interpretReply('HELP').kind).toBe('help');
  });

  it('reads every REPLY_KEYWORDS entry as the intent it is named for, in every language context', () => {
    for (const [name, value] of Object.entries(REPLY_KEYWORDS)) {
      if (typeof value !== 'string') continue;
      const kind = INTENT_OF_KEY[name];
      for (const text of [value, value.toLowerCase(), `${value}.`]) {
        if (kind) expect(interpretReply(text).kind, `${name}: ${text}`).toBe(kind);
        else expect(KEYWORD_KINDS.has(interpretReply(text).kind), `${name}: ${text}`).toBe(true);
      }
    }
    expect(interpretReply(REPLY_KEYWORDS.confirm).kind).toBe('confirm');
    expect(interpretReply(REPLY_KEYWORDS.reschedule).kind).toBe('reschedule');
  });

  it.each(LANGUAGES)('reads every score the %s survey text asks for as that score', (language) => {
    const instruction = BUILT_IN_PHRASES[language]?.replyInstructions.survey.sms ?? '';
    const scale = promisedScale(instruction);
    expect(scale, `no score range in "${instruction}"`).toBeDefined();
    if (!scale) return;
    for (let score = scale.min; score <= scale.max; score += 1) {
      expect(interpretReply(String(score), { survey: scale })).toEqual({
        kind: 'survey-score',
        score,
        rule: 'score',
      });
    }
    const numbers = REPLY_KEYWORDS.surveyScores.map(Number);
    const keywordScale = { min: Math.min(...numbers), max: Math.max(...numbers) };
    expect(keywordScale).toEqual(scale);
    for (const score of REPLY_KEYWORDS.surveyScores) {
      expect(interpretReply(score, { survey: keywordScale })).toMatchObject({ kind: 'survey-score' });
    }
  });
});

describe('interpretReply: intents', () => {
  it('treats a bare CANCEL as an opt-out that staff also see, and a cancel with more words as a request for staff', () => {
    expect(interpretReply('CANCEL')).toEqual({
      kind: 'opt-out',
      rule: 'keyword:cancel',
      alsoForStaff: 'cancel-request',
    });
    expect(interpretReply('cancel my appointment')).toEqual({ kind: 'cancel-request', rule: 'word:cancel' });
    expect(interpretReply('cancel the texts')).toEqual({ kind: 'opt-out', rule: 'phrase:cancel-the-texts' });
  });

  it('reads a score only when the reply answers a survey, and only on its scale', () => {
    expect(interpretReply('9')).toEqual({ kind: 'free-text' });
    expect(interpretReply('9', { survey: NPS_SCALE })).toEqual({
      kind: 'survey-score',
      score: 9,
      rule: 'score',
    });
    expect(interpretReply('9', { survey: { min: 1, max: 5 } })).toEqual({ kind: 'free-text' });
    expect(interpretReply('0', { survey: NPS_SCALE })).toMatchObject({ score: 0 });
    expect(interpretReply('8 or 9', { survey: NPS_SCALE })).toEqual({ kind: 'free-text' });
  });

  it('names why a reply cannot be read', () => {
    expect(interpretReply('')).toEqual({ kind: 'unreadable', reason: 'empty' });
    expect(interpretReply(' \n\t ')).toEqual({ kind: 'unreadable', reason: 'empty' });
    expect(interpretReply('🙂🙂')).toEqual({ kind: 'unreadable', reason: 'emoji-only' });
    expect(interpretReply('?!')).toEqual({ kind: 'unreadable', reason: 'no-words' });
    expect(interpretReply('a'.repeat(MAX_REPLY_LENGTH + 1))).toEqual({
      kind: 'unreadable',
      reason: 'too-long',
    });
    const longest = `${'x'.repeat(MAX_REPLY_LENGTH - 6)}. STOP`;
    expect(longest).toHaveLength(MAX_REPLY_LENGTH);
    expect(interpretReply(longest).kind).toBe('opt-out');
  });

  it('counts a reply length in characters, not UTF-16 units, as the 1,600 limit does', () => {
    expect(interpretReply('😀'.repeat(MAX_REPLY_LENGTH))).toEqual({
      kind: 'unreadable',
      reason: 'emoji-only',
    });
    expect(interpretReply('😀'.repeat(MAX_REPLY_LENGTH + 1))).toEqual({
      kind: 'unreadable',
      reason: 'too-long',
    });
  });

  it('takes any yes emoji, with any skin tone, as a confirmation', () => {
    for (const emoji of ['👍', '👍🏻', '👍🏿', '👌', '✅', '✔️', '☑️', '🆗']) {
      expect(interpretReply(emoji), emoji).toEqual({ kind: 'confirm', rule: 'emoji:thumbs-up' });
    }
  });

  it('confirms only when the reply says nothing else, so a question reaches staff', () => {
    expect(interpretReply('Yes, see you then. Thanks!').kind).toBe('confirm');
    expect(interpretReply('Yes, can I park outside?').kind).toBe('free-text');
  });
});

describe('interpretReply: a clinic’s synonyms', () => {
  const synonyms = {
    confirm: ['1', 'Sim'],
    reschedule: ['2'],
    optOut: ['Never again'],
    optIn: ['Back on'],
    help: ['¿Qué es esto?'],
  };

  it('adds its words to every intent, matched like the built-in keywords', () => {
    expect(interpretReply('1', { synonyms })).toEqual({ kind: 'confirm', rule: 'synonym' });
    expect(interpretReply('sim!', { synonyms })).toEqual({ kind: 'confirm', rule: 'synonym' });
    expect(interpretReply('2 please', { synonyms })).toEqual({ kind: 'reschedule', rule: 'synonym' });
    expect(interpretReply('NEVER AGAIN', { synonyms })).toEqual({ kind: 'opt-out', rule: 'synonym' });
    expect(interpretReply('back on', { synonyms })).toEqual({ kind: 'opt-in', rule: 'synonym' });
    expect(interpretReply('que es esto', { synonyms })).toEqual({ kind: 'help', rule: 'synonym' });
    expect(interpretReply('1', {})).toEqual({ kind: 'free-text' });
  });

  it('lets a survey read a number as its score before a synonym can read it as a confirmation', () => {
    expect(interpretReply('1', { synonyms, survey: NPS_SCALE })).toEqual({
      kind: 'survey-score',
      score: 1,
      rule: 'score',
    });
  });

  it('never lets a synonym, even one that skipped validation, change what a built-in opt-out word means', () => {
    const hostile = { confirm: ['stop', 'unsubscribe'], help: ['stop texting me'], reschedule: ['cancel'] };
    expect(interpretReply('STOP', { synonyms: hostile }).kind).toBe('opt-out');
    expect(interpretReply('unsubscribe', { synonyms: hostile }).kind).toBe('opt-out');
    expect(interpretReply('stop texting me', { synonyms: hostile }).kind).toBe('opt-out');
    expect(interpretReply('cancel', { synonyms: hostile }).kind).toBe('opt-out');
  });
});
