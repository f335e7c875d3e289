/**
 * Properties of the reply grammar: the corpus phrasings keep their intent
 * under case, spacing and trailing punctuation; no opt-out keyword is ever
 * read as anything else, whatever surrounds it and whatever the clinic
 * configured; any string at all gets an intent, with a rule safe to log.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpretReply, REPLY_INTENT_KINDS, type ReplyContext } from '../../../../shared/domain/replies';
import {
  CANCEL_REQUEST_WORDS,
  CONFIRM_KEYWORDS,
  FILLERS,
  HELP_KEYWORDS,
  OPT_IN_KEYWORDS,
  OPT_IN_PHRASES,
  OPT_OUT_CLAUSE_KEYWORDS,
  OPT_OUT_KEYWORDS,
  OPT_OUT_PHRASES,
  RESCHEDULE_KEYWORDS,
  RESCHEDULE_PHRASES,
  STOP_WORDS_AT_CLAUSE_END,
} from '../../../../shared/domain/replies/vocabulary';
import { REPLY_CORPUS } from './corpus';

const RUNS = 300;

/** The same intent, score and staff flag (an unreadable reply's reason may change with punctuation). */
function sameReading(text: string, context: ReplyContext) {
  const intent = interpretReply(text, context);
  return {
    kind: intent.kind,
    score: intent.kind === 'survey-score' ? intent.score : undefined,
    alsoForStaff: intent.kind === 'opt-out' ? intent.alsoForStaff : undefined,
  };
}

const readable = REPLY_CORPUS.filter((entry) => entry.intent !== 'unreadable');
const entries = fc.constantFrom(...readable);

/** Spaces that are spacing, not line breaks (a new line ends a sentence). */
const space = fc.constantFrom(' ', '  ', '\t', '\u00a0', '\u3000', ' \t ');
const edgeSpace = fc.constantFrom('', ' ', '\n', '\t', '  \n ', '\u00a0');
const trailing = fc.constantFrom('.', '!', '?', '…', '!!!', '?!', ' .', '. ', '!?!', '..', '。', '！');

function respace(text: string, spaces: readonly string[], before: string, after: string): string {
  let index = 0;
  const body = text.trim().replace(/\s+/g, () => spaces[index++ % spaces.length] ?? ' ');
  return `${before}${body}${after}`;
}

describe('reply grammar properties', () => {
  it(`keeps every corpus reading under any change of case (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(entries, fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }), (entry, mask) => {
        const cased = [...entry.text]
          .map((char, index) => (mask[index % mask.length] ? char.toUpperCase() : char.toLowerCase()))
          .join('');
        const context = { survey: entry.survey };
        expect(sameReading(cased, context)).toEqual(sameReading(entry.text, context));
      }),
      { numRuns: RUNS },
    );
  });

  it(`keeps every corpus reading under any spacing between and around words (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        entries,
        fc.array(space, { minLength: 1, maxLength: 8 }),
        edgeSpace,
        edgeSpace,
        (entry, spaces, before, after) => {
          const context = { survey: entry.survey };
          expect(sameReading(respace(entry.text, spaces, before, after), context)).toEqual(
            sameReading(entry.text, context),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`keeps every corpus reading with trailing punctuation added (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(entries, trailing, (entry, mark) => {
        const context = { survey: entry.survey };
        expect(sameReading(`${entry.text}${mark}`, context)).toEqual(sameReading(entry.text, context));
      }),
      { numRuns: RUNS },
    );
  });

  const synonymsArbitrary = fc.record(
    {
      confirm: fc.array(fc.constantFrom(...OPT_OUT_KEYWORDS, ...CONFIRM_KEYWORDS, 'stop texting me'), {
        maxLength: 4,
      }),
      reschedule: fc.array(fc.constantFrom(...OPT_OUT_KEYWORDS, ...RESCHEDULE_KEYWORDS), { maxLength: 4 }),
      help: fc.array(fc.constantFrom(...OPT_OUT_KEYWORDS, ...HELP_KEYWORDS), { maxLength: 4 }),
      optIn: fc.array(fc.constantFrom(...OPT_OUT_KEYWORDS, ...OPT_IN_KEYWORDS), { maxLength: 4 }),
    },
    { requiredKeys: [] },
  );
  const contexts: fc.Arbitrary<ReplyContext> = fc.record(
    {
      survey: fc.constantFrom({ min: 0, max: 10 }, { min: 1, max: 5 }),
      synonyms: synonymsArbitrary,
    },
    { requiredKeys: [] },
  );
  const fillers = fc.array(fc.constantFrom(...FILLERS), { maxLength: 2 });

  it(`never reads an opt-out keyword as anything else, whatever fillers, case, spacing, punctuation, survey or synonyms surround it (${RUNS * 2} runs)`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPT_OUT_KEYWORDS, 'STOP', 'Stop', 'OPT-OUT', 'Opt-Out', 'ARRÊT', 'Arrêt'),
        fillers,
        fillers,
        fc.boolean(),
        fc.option(trailing, { nil: '' }),
        fc.constantFrom('', ' 🛑', ' 😡', ' 🙏'),
        contexts,
        (keyword, before, after, upper, mark, emoji, context) => {
          const body = [...before, keyword, ...after].join(' ');
          const text = `${upper ? body.toUpperCase() : body}${mark}${emoji}`;
          expect(interpretReply(text, context).kind, text).toBe('opt-out');
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it(`reads an opt-out keyword as its own sentence after or before any other text as an opt-out (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.constantFrom(...OPT_OUT_CLAUSE_KEYWORDS),
        fc.boolean(),
        contexts,
        (other, keyword, first, context) => {
          const text = first ? `${keyword.toUpperCase()}. ${other}` : `${other}. ${keyword.toUpperCase()}`;
          expect(interpretReply(text, context).kind, text).toBe('opt-out');
        },
      ),
      { numRuns: RUNS },
    );
  });

  const VOCABULARY = new Set(
    [
      ...OPT_OUT_KEYWORDS,
      ...OPT_OUT_CLAUSE_KEYWORDS,
      ...OPT_IN_KEYWORDS,
      ...HELP_KEYWORDS,
      ...RESCHEDULE_KEYWORDS,
      ...CONFIRM_KEYWORDS,
      ...CANCEL_REQUEST_WORDS,
      ...STOP_WORDS_AT_CLAUSE_END,
    ].map((word) => `:${word}`),
  );
  const PHRASE_IDS = new Set(
    [...OPT_OUT_PHRASES, ...OPT_IN_PHRASES, ...RESCHEDULE_PHRASES].map((rule) => rule.id),
  );

  /** A rule names our vocabulary or a phrase id, never the patient's words. */
  function safeToLog(rule: string): boolean {
    if (['synonym', 'score', 'emoji:thumbs-up'].includes(rule)) return true;
    const [family = '', ...rest] = rule.split(':');
    const value = rest.join(':');
    if (family === 'phrase') return PHRASE_IDS.has(value);
    return ['keyword', 'clause', 'clause-end', 'word'].includes(family) && VOCABULARY.has(`:${value}`);
  }

  it(`gives any string an intent, without throwing, and a rule that names only our vocabulary (${RUNS * 2} runs)`, () => {
    const words = fc.constantFrom(
      ...readable.map((entry) => entry.text),
      'Ana',
      'Maria',
      '+14155552671',
      '3pm',
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.array(words, { maxLength: 6 }).map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(text, contexts, (input, context) => {
        const intent = interpretReply(input, context);
        expect(REPLY_INTENT_KINDS).toContain(intent.kind);
        if ('rule' in intent) expect(safeToLog(intent.rule), intent.rule).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
