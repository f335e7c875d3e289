/**
 * The planning engine: which messages an appointment calls for, when, on
 * which channel; how they reconcile with what is stored; and the decision at
 * send time. Pure: no I/O, no clock (the instant is passed in).
 */
export {
  DECISION_SKIP_REASONS,
  type DecideInput,
  type Decision,
  type DecisionSkipReason,
  decide,
} from './decide';
export { applyFrequencyCap, type CapDecision, type FrequencyCap } from './frequency-cap';
export {
  fallbackIdFor,
  isFallbackId,
  type MessageIdParts,
  messageIdFor,
  originalIdOf,
  parseMessageId,
} from './ids';
export { plan } from './plan';
export {
  earliestAllowedAtOrAfter,
  isQuietAt,
  latestAllowedAtOrBefore,
  QUIET_HOURS_MARGIN_MINUTES,
  type QuietHours,
  type QuietWindow,
  quietWindowAt,
} from './quiet-hours';
export {
  type ReconcileAppointment,
  type Reconciliation,
  reconcile,
  type StoredMessage,
  WITHDRAW_REASONS,
  type Withdrawal,
  type WithdrawReason,
} from './reconcile';
export {
  addressFor,
  allowedChannels,
  CHANGE_NOTICE_EXEMPT_HOURS,
  CHANGE_NOTICE_KINDS,
  chooseChannel,
  isMoveReason,
  MOVE_REASONS,
  type MoveReason,
  PLAN_SKIP_REASONS,
  type PlanSkipReason,
  reminderOffsetsFor,
  resolveLanguage,
  SURVEY_VALIDITY_HOURS,
  TIMING,
  type Timing,
  UPCOMING_VISIT_KINDS,
  zoneFor,
} from './rules';
export type { OtherMessage, Plan, PlanInput, PlannedMessage } from './types';
