/**
 * Two-way SMS, the pure part: reading a patient's reply, finding the message
 * it answers, deciding whether a confirm still applies, ordering STOP and
 * START by when they were sent, and guarding automatic answers. No I/O, no
 * clock: the inbound handler passes in what it read and the instant.
 */
export {
  type AnsweredMessage,
  type AnsweredMessageInput,
  findAnsweredMessage,
  NEARBY_MINUTES,
  type SentSms,
  UNANSWERED_KINDS,
} from './answered';
export {
  AUTO_REPLY_LIMIT,
  AUTO_REPLY_WINDOW_MINUTES,
  AUTOMATED_MARKERS,
  type AutomationInput,
  type AutomationSignal,
  type AutoReplyInput,
  type AutoReplySent,
  type AutoReplyVerdict,
  automationSignal,
  BURST_LIMIT,
  BURST_WINDOW_SECONDS,
  type InboundSeen,
  mayAutoReply,
  REPEAT_LIMIT,
  REPEAT_WINDOW_MINUTES,
} from './auto-reply';
export {
  CONFIRM_NOT_APPLIED_REASONS,
  type ConfirmInput,
  type ConfirmNotAppliedReason,
  type ConfirmVerdict,
  confirmationVerdict,
} from './confirm';
export {
  applyOptReply,
  compareOptReplies,
  MESSAGE_TOPICS,
  type MessageTopic,
  type OptOutCoverInput,
  type OptReply,
  type OptReplyKind,
  type OptReplyOutcome,
  optOutCovers,
  PATIENT_OPT_OUT_SOURCE,
  PATIENT_OPT_OUT_SOURCES,
  REVOKE_ALL_FROM,
  revokeAllInForce,
  type SmsOptState,
} from './consent';
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
