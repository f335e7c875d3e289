/**
 * A clinic's reply settings (`policy.replies`): its own words for the
 * intents, and how long after a text a bare reply is taken as its answer.
 * Validated on save like the rest of the policy, so a synonym that would
 * change what a built-in word means never reaches the grammar.
 */
import * as z from 'zod';
import { freeText } from '../text';
import { interpretReply, type ReplyIntentKind, SYNONYM_INTENTS, type SynonymIntent } from './interpret';
import { foldPhrase } from './normalise';

/** Days after a text during which a reply that names no message is taken as its answer (issue 12: 7). */
export const DEFAULT_ANSWER_WINDOW_DAYS = 7;

/** Most synonyms a clinic may add for one intent. */
export const MAX_SYNONYMS_PER_INTENT = 20;

/** The intent kind interpretReply() gives a synonym's intent. */
const KIND_OF: Record<SynonymIntent, ReplyIntentKind> = {
  optOut: 'opt-out',
  optIn: 'opt-in',
  help: 'help',
  confirm: 'confirm',
  reschedule: 'reschedule',
};

const SynonymSchema = freeText()
  .trim()
  .max(40, 'must be at most 40 characters')
  .refine((text) => foldPhrase(text) !== '', { message: 'must contain a letter or a digit' });

const SynonymListSchema = z
  .array(SynonymSchema)
  .max(MAX_SYNONYMS_PER_INTENT, `must list at most ${MAX_SYNONYMS_PER_INTENT} words`);

export const ReplyPolicySchema = z
  .strictObject({
    /** Extra words per intent, matched like the built-in keywords (the whole reply, give or take fillers). */
    synonyms: z
      .strictObject({
        optOut: SynonymListSchema.optional(),
        optIn: SynonymListSchema.optional(),
        help: SynonymListSchema.optional(),
        confirm: SynonymListSchema.optional(),
        reschedule: SynonymListSchema.optional(),
      })
      .default({}),
    /** Days after a text during which a reply that names no message of ours is taken as its answer. */
    answerWindowDays: z.int().min(1).max(30).default(DEFAULT_ANSWER_WINDOW_DAYS),
  })
  .superRefine((replies, ctx) => {
    // Built-in words keep their meaning: a synonym the grammar already reads
    // as another intent is refused, and so is one word for two intents.
    const seen = new Map<string, SynonymIntent>();
    for (const intent of SYNONYM_INTENTS) {
      (replies.synonyms[intent] ?? []).forEach((synonym, index) => {
        const path = ['synonyms', intent, index];
        const folded = foldPhrase(synonym);
        // Reported by SynonymSchema already.
        if (folded === '') return;
        const earlier = seen.get(folded);
        if (earlier !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path,
            message:
              earlier === intent
                ? `repeats "${synonym}"`
                : `"${synonym}" is already a synonym for ${earlier}`,
          });
          return;
        }
        seen.set(folded, intent);
        const builtIn = interpretReply(synonym).kind;
        if (builtIn !== 'free-text' && builtIn !== KIND_OF[intent]) {
          ctx.addIssue({ code: 'custom', path, message: `"${synonym}" already means ${builtIn}` });
        }
      });
    }
  });
export type ReplyPolicy = z.infer<typeof ReplyPolicySchema>;

/** What a clinic that sets nothing gets. */
export const DEFAULT_REPLY_POLICY: ReplyPolicy = {
  synonyms: {},
  answerWindowDays: DEFAULT_ANSWER_WINDOW_DAYS,
};
