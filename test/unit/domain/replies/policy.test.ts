import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, MessagingPolicySchema } from '../../../../shared/domain/model';
import { interpretReply, MAX_SYNONYMS_PER_INTENT } from '../../../../shared/domain/replies';
import { toFieldIssues } from '../../../../shared/domain/validation';

/** `path: message` of every issue, as the API reports them. */
function problems(replies: unknown): string[] {
  const result = MessagingPolicySchema.safeParse({ replies });
  return result.success ? [] : toFieldIssues(result.error.issues).map((i) => `${i.path}: ${i.message}`);
}

describe('policy.replies', () => {
  it('gives a clinic that sets nothing no synonyms and a 7-day answer window', () => {
    expect(DEFAULT_POLICY.replies).toEqual({ synonyms: {}, answerWindowDays: 7 });
    expect(MessagingPolicySchema.parse({}).replies).toEqual({ synonyms: {}, answerWindowDays: 7 });
  });

  it('keeps a clinic’s synonyms as written, and interpretReply understands them', () => {
    const policy = MessagingPolicySchema.parse({
      replies: { synonyms: { confirm: [' Sim ', '1'], reschedule: ['2'] }, answerWindowDays: 14 },
    });
    expect(policy.replies).toEqual({
      synonyms: { confirm: ['Sim', '1'], reschedule: ['2'] },
      answerWindowDays: 14,
    });
    expect(interpretReply('SIM', { synonyms: policy.replies.synonyms }).kind).toBe('confirm');
  });

  it('refuses a synonym the grammar already reads as another intent, naming the word and the intent', () => {
    expect(
      problems({ synonyms: { confirm: ['Stop'], reschedule: ['yes'], optIn: ['stop texting me'] } }),
    ).toEqual([
      'replies.synonyms.optIn.0: "stop texting me" already means opt-out',
      'replies.synonyms.confirm.0: "Stop" already means opt-out',
      'replies.synonyms.reschedule.0: "yes" already means confirm',
    ]);
    expect(problems({ synonyms: { optOut: ['START'] } })).toEqual([
      'replies.synonyms.optOut.0: "START" already means opt-in',
    ]);
  });

  it('allows a synonym that repeats a built-in word of the same intent', () => {
    expect(problems({ synonyms: { confirm: ['yes'], optOut: ['unsubscribe'] } })).toEqual([]);
  });

  it('refuses one word for two intents, or twice for one, however it is written', () => {
    expect(problems({ synonyms: { confirm: ['Vale pues', 'vale pues!'] } })).toEqual([
      'replies.synonyms.confirm.1: repeats "vale pues!"',
    ]);
    expect(problems({ synonyms: { help: ['Que pasa'], confirm: ['¿Qué pasa?'] } })).toEqual([
      'replies.synonyms.confirm.0: "¿Qué pasa?" is already a synonym for help',
    ]);
  });

  it('refuses synonyms with no letter or digit, too long, too many, or under an unknown intent', () => {
    expect(problems({ synonyms: { confirm: ['🙏'] } })).toEqual([
      'replies.synonyms.confirm.0: must contain a letter or a digit',
    ]);
    expect(problems({ synonyms: { confirm: ['   '] } })).toEqual([
      'replies.synonyms.confirm.0: must contain a letter or a digit',
    ]);
    expect(problems({ synonyms: { confirm: ['x'.repeat(41)] } })).toEqual([
      'replies.synonyms.confirm.0: must be at most 40 characters',
    ]);
    const many = Array.from({ length: MAX_SYNONYMS_PER_INTENT + 1 }, (_, index) => `word${index}`);
    expect(problems({ synonyms: { confirm: many } })).toEqual([
      'replies.synonyms.confirm: must list at most 20 words',
    ]);
    expect(problems({ synonyms: { cancel: ['x'] } })).toEqual(['replies.synonyms.cancel: unknown field']);
  });

  it('keeps the answer window between 1 and 30 whole days', () => {
    expect(problems({ answerWindowDays: 0 })).toEqual([
      expect.stringMatching(/^replies\.answerWindowDays: /),
    ]);
    expect(problems({ answerWindowDays: 31 })).toEqual([
      expect.stringMatching(/^replies\.answerWindowDays: /),
    ]);
    expect(problems({ answerWindowDays: 2.5 })).toEqual([
      expect.stringMatching(/^replies\.answerWindowDays: /),
    ]);
    expect(problems({ window: 3 })).toEqual(['replies.window: unknown field']);
  });
});
