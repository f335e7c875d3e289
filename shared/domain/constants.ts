/**
 * The closed sets of the domain (channels, priorities, kinds, statuses),
 * defined once as plain data. The zod schemas in model.ts are built from
 * these, and code that only needs the values (the sweep, planning, the
 * send-time decision) imports them from here, so a function that validates
 * nothing does not load the schemas.
 */

/** Every channel a message can go by. */
export const CHANNELS = ['sms', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Priorities in the order the sweep takes them (highest first). */
export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Lower rank goes first when the send rate is the bottleneck. */
export const PRIORITY_RANK: Record<Priority, number> = { high: 1, medium: 2, low: 3 };

export const MESSAGE_KINDS = [
  'confirmation',
  'reminder',
  'reschedule',
  'cancellation',
  'survey',
  'broadcast',
  'keyword-reply',
  /** Free text a staff member writes to a patient (two-way SMS); like a broadcast, no template. */
  'staff-reply',
  /** A refill, recall or vaccination reminder that belongs to no visit (issue 14); built-in wording per care kind. */
  'care-reminder',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Default priority of each kind (design.md, "Messages, by kind"). */
export const DEFAULT_PRIORITY: Record<MessageKind, Priority> = {
  confirmation: 'high',
  reschedule: 'high',
  cancellation: 'high',
  reminder: 'high',
  survey: 'medium',
  broadcast: 'medium',
  'keyword-reply': 'high',
  // A person is answering the patient's own question.
  'staff-reply': 'high',
  // Due in days, not hours: the visit reminders of the same minute go first.
  'care-reminder': 'medium',
};

export const MESSAGE_STATUSES = [
  'pending',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undeliverable',
  'skipped',
  'failed',
  'unknown',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * States the pipeline is done with: it never sends the message again. A
 * delivery receipt may still turn `sent` (or `unknown`, which a receipt
 * proves went out) into `delivered` or `undeliverable`, and a late failure
 * receipt may turn a carrier's or mail server's `delivered` into
 * `undeliverable` (shared/domain/receipts.ts); nothing leaves those two.
 */
export const TERMINAL_STATUSES: ReadonlySet<MessageStatus> = new Set([
  'sent',
  'delivered',
  'undeliverable',
  'skipped',
  'failed',
  'unknown',
]);

/** A provider accepted the message: sent, and perhaps since then delivered or not. */
export const ACCEPTED_STATUSES: ReadonlySet<MessageStatus> = new Set(['sent', 'delivered', 'undeliverable']);

export const APPOINTMENT_STATUSES = ['booked', 'cancelled', 'completed', 'no-show'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Who recorded an opt-out. */
export const OPT_OUT_SOURCES = [
  /** The patient texted an opt-out (a keyword or wording read as one); the inbound record keeps the text. */
  'patient',
  /** Recorded before texted opt-outs were `patient`; read as the same. */
  'patient-keyword',
  'staff',
  'carrier',
  'import',
  'email-unsubscribe',
  'email-bounce',
  'complaint',
] as const;

/**
 * Why an automatic answer goes: `opt-out-confirmation`, the one text an
 * opted-out number may still get; `answer`, every other one.
 */
export const AUTO_REPLY_PURPOSES = ['opt-out-confirmation', 'answer'] as const;
export type AutoReplyPurpose = (typeof AUTO_REPLY_PURPOSES)[number];

/**
 * Where an inbound text stands for staff: `open` while it needs a person
 * (a reschedule or cancel request, free text, an unmatched text), `done`
 * once staff dealt with it. A text that needs nobody has no state.
 */
export const INBOUND_STATES = ['open', 'done'] as const;
export type InboundState = (typeof INBOUND_STATES)[number];

/** What handling an inbound text did (machine-readable; the intent says what it asked). */
export const INBOUND_OUTCOMES = [
  'confirmed',
  'confirm-not-applied',
  'reschedule-requested',
  'cancel-requested',
  'opted-out',
  'opted-in',
  'opt-unchanged',
  'help',
  'score-recorded',
  'survey-comment',
  'free-text',
  /** C or YES to a refill reminder: staff arrange the refill (nothing is ordered by the reply). */
  'refill-requested',
  'unmatched',
  'unreadable',
] as const;
export type InboundOutcome = (typeof INBOUND_OUTCOMES)[number];

/** Every intent interpretReply() can return, in the order it checks them (replies/interpret.ts). */
export const REPLY_INTENT_KINDS = [
  'unreadable',
  'opt-out',
  'opt-in',
  'help',
  'survey-score',
  'reschedule',
  'cancel-request',
  'confirm',
  'free-text',
] as const;

/** How the message a reply answers was found (see replies/answered.ts). */
export const ANSWER_MATCHES = ['previous-published-id', 'latest-in-window'] as const;

/** How a consent was given. */
export const CONSENT_SOURCES = ['written', 'verbal', 'electronic', 'import', 'keyword'] as const;

export const ORIGINATION_NUMBER_TYPES = [
  'toll-free',
  '10dlc',
  'short-code',
  'long-code',
  'simulator',
] as const;
export type OriginationNumberType = (typeof ORIGINATION_NUMBER_TYPES)[number];

/**
 * Kinds that the FCC's 2015 healthcare exemption covers when each text is
 * one part of at most 160 characters: their default segment budget is 1.
 */
export const EXEMPT_KINDS = [
  'confirmation',
  'reminder',
  'reschedule',
  'cancellation',
  'keyword-reply',
  // Prescription notifications and check-up or vaccination reminders: the exemption's own examples.
  'care-reminder',
] as const satisfies readonly MessageKind[];
const EXEMPT: ReadonlySet<MessageKind> = new Set(EXEMPT_KINDS);

/**
 * True for the kinds whose texts must fit the exempt segment budget.
 *
 * @param kind - a message kind
 */
export function isExemptKind(kind: MessageKind): boolean {
  return EXEMPT.has(kind);
}

/**
 * The segment budget that applies to a kind under a policy.
 *
 * @param policy - the clinic's policy
 * @param kind - the message kind
 */
export function segmentBudgetFor(
  policy: { segmentBudget: { exempt: number; other: number } },
  kind: MessageKind,
): number {
  return isExemptKind(kind) ? policy.segmentBudget.exempt : policy.segmentBudget.other;
}

/**
 * Longest clinic name a text shows. With a 12-character first name, the
 * longest date and time and a 16-character contact number, every built-in
 * text of an exempt kind then fits one 160-character part.
 */
export const SMS_NAME_MAX = 20;
