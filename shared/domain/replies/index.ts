/**
 * Two-way SMS, the pure part: reading a patient's reply. No I/O, no clock:
 * the inbound handler passes in what it read.
 */
export {
  interpretReply,
  NPS_SCALE,
  REPLY_INTENT_KINDS,
  type ReplyContext,
  type ReplyIntent,
  type ReplyIntentKind,
  type ReplySynonyms,
  type ScoreScale,
  SYNONYM_INTENTS,
  type SynonymIntent,
  type UnreadableReason,
} from './interpret';
export { foldPhrase, MAX_REPLY_LENGTH, type NormalisedReply, normaliseReply, THUMBS_UP } from './normalise';
export {
  DEFAULT_ANSWER_WINDOW_DAYS,
  DEFAULT_REPLY_POLICY,
  MAX_SYNONYMS_PER_INTENT,
  type ReplyPolicy,
  ReplyPolicySchema,
} from './policy';
