/**
 * The reply corpus (test/corpus/replies.jsonl): every phrasing gets the
 * intent it names, in English and Spanish, near misses included.
 */
import { describe, expect, it } from 'vitest';
import { interpretReply, type ReplyIntent } from '../../../../shared/domain/replies';
import { REPLY_CORPUS, type ReplyCorpusEntry } from './corpus';

/** The part of an intent the corpus pins down. */
function expected(entry: ReplyCorpusEntry): Partial<ReplyIntent> {
  return {
    kind: entry.intent,
    ...(entry.score !== undefined ? { score: entry.score } : {}),
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
  } as Partial<ReplyIntent>;
}

describe('the reply corpus', () => {
  it('holds at least 150 phrasings, every intent among them, with no phrasing twice', () => {
    expect(REPLY_CORPUS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(REPLY_CORPUS.map((entry) => entry.intent))).toEqual(
      new Set([
        'opt-out',
        'opt-in',
        'help',
        'confirm',
        'reschedule',
        'cancel-request',
        'survey-score',
        'free-text',
        'unreadable',
      ]),
    );
    const keys = REPLY_CORPUS.map((entry) => `${entry.text}|${JSON.stringify(entry.survey ?? null)}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(REPLY_CORPUS.map((entry) => [entry.text, entry] as const))(
    'reads %j as its intent',
    (_text, entry) => {
      const intent = interpretReply(entry.text, { survey: entry.survey });
      expect(intent).toMatchObject(expected(entry));
      expect(intent.kind === 'opt-out' ? intent.alsoForStaff : undefined).toBe(entry.alsoForStaff);
    },
  );
});
