/**
 * Delivery receipts: what a provider's event says about a message it
 * accepted, which stored states it may change, and what follows from it (the
 * copy on the patient's next channel, an email address marked undeliverable,
 * an email opt-out after a complaint). Pure: the receipts function reads and
 * writes; this decides.
 */
import { ACCEPTED_STATUSES, type Channel, type MessageStatus } from './constants';
import type { Message, Patient, Receipt } from './model';
import { fallbackIdFor, isFallbackId } from './planning/ids';
import { chooseChannel } from './planning/rules';

/** End User Messaging SMS events that mean the text reached the handset or the carrier took it. */
export const SMS_DELIVERED_EVENTS = ['TEXT_DELIVERED', 'TEXT_SUCCESSFUL'] as const;

/**
 * End User Messaging SMS events that mean the text will not arrive. The
 * issue names the first seven; TEXT_INVALID_MESSAGE (a body the carrier
 * refused) and TEXT_PROTECT_BLOCKED (our own protect configuration) are as
 * final, and the next channel is as much the right answer.
 */
export const SMS_UNDELIVERABLE_EVENTS = [
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_INVALID',
  'TEXT_UNREACHABLE',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_TTL_EXPIRED',
  'TEXT_SPAM',
  'TEXT_INVALID_MESSAGE',
  'TEXT_PROTECT_BLOCKED',
] as const;

/** SMS events on the way (queued, pending): nothing to record yet. */
export const SMS_PROGRESS_EVENTS = ['TEXT_QUEUED', 'TEXT_PENDING'] as const;

/** The SES event types the configuration set publishes to the receipts topic. */
export const EMAIL_RECEIPT_EVENTS = ['Delivery', 'Bounce', 'Complaint'] as const;

/**
 * Deliveries a later failure may still overturn: the carrier accepted the
 * text (not the handset), the receiving mail server accepted the email (a
 * bounce can follow). A handset receipt (TEXT_DELIVERED) is the last word.
 */
const WEAK_DELIVERIES: readonly string[] = ['TEXT_SUCCESSFUL', 'Delivery'];

const SMS_DELIVERED: ReadonlySet<string> = new Set(SMS_DELIVERED_EVENTS);
const SMS_UNDELIVERABLE: ReadonlySet<string> = new Set(SMS_UNDELIVERABLE_EVENTS);
const SMS_PROGRESS: ReadonlySet<string> = new Set(SMS_PROGRESS_EVENTS);

/** SES bounce types, as the event spells them. */
export type BounceType = 'Permanent' | 'Transient' | 'Undetermined';

/**
 * One provider event about one of our messages, decoded from the SMS or SES
 * event (shared/lambda/receipt-queue.ts). `recipients` holds addresses
 * (PHI): compared with the patient's, never logged.
 */
export interface DeliveryReceipt {
  channel: Channel;
  clinicId: string;
  patientId: string;
  messageId: string;
  /** The provider's event type (`TEXT_CARRIER_BLOCKED`, `Bounce`, …). */
  event: string;
  /** When the provider reported it, UTC ISO. */
  at: string;
  /** The provider's id of the message, when the event carries it. */
  providerMessageId?: string;
  /** Email bounces only. */
  bounceType?: BounceType;
  /** Email bounces and complaints: the addresses they are about. */
  recipients?: readonly string[];
}

/** What a receipt says, whatever the stored message's state. */
export type ReceiptVerdict =
  | { kind: 'delivered' }
  | {
      kind: 'undeliverable';
      /** Stored as the message's reason: the SMS event type, or `bounce-permanent` / `-transient` / `-undetermined`. */
      reason: string;
      /** A permanent bounce: the address itself cannot receive. */
      addressUndeliverable: boolean;
    }
  /** The patient marked the email as spam: it arrived, and they want no more. */
  | { kind: 'complaint' }
  /** Queued or pending at the carrier: no outcome yet. */
  | { kind: 'progress' }
  /** An event this system does not act on (TEXT_UNKNOWN, an SES Open): counted and dropped. */
  | { kind: 'unrecognised' };

/**
 * Reads a receipt's event type.
 *
 * @param receipt - the channel, event type and (email) bounce type
 */
export function receiptVerdict(
  receipt: Pick<DeliveryReceipt, 'channel' | 'event' | 'bounceType'>,
): ReceiptVerdict {
  const { channel, event } = receipt;
  if (channel === 'sms') {
    if (SMS_DELIVERED.has(event)) return { kind: 'delivered' };
    if (SMS_UNDELIVERABLE.has(event))
      return { kind: 'undeliverable', reason: event, addressUndeliverable: false };
    if (SMS_PROGRESS.has(event)) return { kind: 'progress' };
    return { kind: 'unrecognised' };
  }
  if (event === 'Delivery') return { kind: 'delivered' };
  if (event === 'Complaint') return { kind: 'complaint' };
  if (event === 'Bounce') {
    const type = receipt.bounceType ?? 'Undetermined';
    return {
      kind: 'undeliverable',
      reason: `bounce-${type.toLowerCase()}`,
      addressUndeliverable: type === 'Permanent',
    };
  }
  return { kind: 'unrecognised' };
}

/**
 * The stored states a receipt may change, as a conditional write checks
 * them: `statuses`, or `delivered` by one of `overturnable` deliveries.
 * `unknown` is among them because a receipt proves the provider took the
 * message (a crash hid its answer).
 */
export interface ReceiptPrecondition {
  status: 'delivered' | 'undeliverable';
  statuses: readonly MessageStatus[];
  overturnable: readonly string[];
}

/**
 * Where a delivered or undeliverable receipt may take a message from. A
 * complaint proves delivery, so it counts as `delivered` for the message.
 *
 * @param verdict - the receipt's verdict (delivered, undeliverable or complaint)
 */
export function receiptPrecondition(
  verdict: Extract<ReceiptVerdict, { kind: 'delivered' | 'undeliverable' | 'complaint' }>,
): ReceiptPrecondition {
  const statuses: MessageStatus[] = ['sent', 'unknown'];
  if (verdict.kind === 'undeliverable')
    return { status: 'undeliverable', statuses, overturnable: WEAK_DELIVERIES };
  return { status: 'delivered', statuses, overturnable: [] };
}

/** Why a receipt changed nothing on a message whose state it cannot change. */
export type ReceiptMismatch =
  /** Still `sending`: the provider answered before `sent` was stored. Try again later. */
  | 'not-yet-sent'
  /** Pending, queued, skipped or failed: never accepted by a provider, so not ours to settle. */
  | 'never-sent'
  /** This very receipt is already applied (a duplicate delivery): its effects are re-checked. */
  | 'already-applied'
  /** Already delivered or undeliverable by another receipt that this one does not overturn. */
  | 'already-settled';

/** Statuses in which a provider has (or may have) the message: a receipt can name only these. */
const AT_A_PROVIDER: ReadonlySet<MessageStatus> = new Set<MessageStatus>([
  'sending',
  'unknown',
  ...ACCEPTED_STATUSES,
]);

/**
 * True for a message no provider ever accepted (pending, queued, skipped or
 * failed): a receipt for it is `never-sent` and changes nothing.
 *
 * @param status - the message's status
 */
export function neverSent(status: MessageStatus): boolean {
  return !AT_A_PROVIDER.has(status);
}

/**
 * Why the message as stored did not take a receipt.
 *
 * @param current - the message as the failed conditional write found it
 * @param receipt - the receipt
 * @param target - the status the receipt would have set
 */
export function receiptMismatch(
  current: Pick<Message, 'status' | 'receipt'>,
  receipt: Pick<DeliveryReceipt, 'event' | 'at'>,
  target: 'delivered' | 'undeliverable',
): ReceiptMismatch {
  if (current.status === 'sending') return 'not-yet-sent';
  if (current.status === 'delivered' || current.status === 'undeliverable') {
    const same =
      current.status === target &&
      current.receipt?.event === receipt.event &&
      current.receipt.at === receipt.at;
    return same ? 'already-applied' : 'already-settled';
  }
  return 'never-sent';
}

/** The receipt as the message stores it. */
export function storedReceipt(receipt: Pick<DeliveryReceipt, 'event' | 'at'>): Receipt {
  return { event: receipt.event, at: receipt.at };
}

/** Why no fallback copy was made for an undeliverable message. */
export type NoFallbackReason =
  /** Replies go back to the number that texted; another channel would answer nobody. */
  | 'reply-kind'
  /** The copy itself failed; there is no third channel. */
  | 'already-a-fallback'
  | 'patient-missing'
  /** The patient allows no other channel (none listed, opted out, no address, undeliverable). */
  | 'no-other-channel'
  /** Past the message's notAfter: a copy would only be skipped. */
  | 'expired';

/** Kinds whose messages answer an inbound text and never move to another channel. */
const REPLY_KINDS: ReadonlySet<string> = new Set(['keyword-reply', 'staff-reply']);

/**
 * The copy of an undeliverable message on the patient's next allowed
 * channel, due at once; its id is fixed by the original's, so a receipt
 * applied twice stores it once. The sender decides again at send time
 * (quiet hours, a cancellation since, an opt-out) as for any message.
 *
 * @param message - the undeliverable message
 * @param patient - the patient as stored now (after any bounce mark)
 * @param at - now, UTC ISO: the copy's due and creation time
 */
export function fallbackFor(
  message: Message,
  patient: Patient | undefined,
  at: string,
): { fallback: Message } | { none: NoFallbackReason } {
  if (REPLY_KINDS.has(message.kind)) return { none: 'reply-kind' };
  if (isFallbackId(message.messageId)) return { none: 'already-a-fallback' };
  if (!patient) return { none: 'patient-missing' };
  if (at > message.notAfter) return { none: 'expired' };
  const failedChannels = [...new Set([...(message.failedChannels ?? []), message.channel])];
  const channel = chooseChannel(patient, failedChannels);
  if (!channel) return { none: 'no-other-channel' };
  return {
    fallback: {
      clinicId: message.clinicId,
      patientId: message.patientId,
      ...(message.appointmentId ? { appointmentId: message.appointmentId } : {}),
      messageId: fallbackIdFor(message.messageId, channel),
      kind: message.kind,
      ...(message.offset ? { offset: message.offset } : {}),
      priority: message.priority,
      channel,
      ...(message.ownNumber ? { ownNumber: true } : {}),
      language: message.language,
      dueAt: at,
      plannedAt: message.plannedAt,
      notAfter: message.notAfter,
      status: 'pending',
      attempts: 0,
      failedChannels,
      planVersion: message.planVersion,
      rev: 1,
      createdAt: at,
      updatedAt: at,
    },
  };
}

/**
 * The patient with the email address marked undeliverable after a permanent
 * bounce of it; undefined when nothing changes (already marked, or the
 * bounce is about an address the patient no longer has).
 *
 * @param patient - the patient as stored now
 * @param receipt - the bounce (its recipients and time)
 * @param messageId - our message that bounced
 */
export function markedUndeliverable(
  patient: Patient,
  receipt: Pick<DeliveryReceipt, 'at' | 'recipients'>,
  messageId: string,
): Patient | undefined {
  if (patient.undeliverable?.email || !isAbout(patient, receipt)) return undefined;
  return {
    ...patient,
    undeliverable: { ...patient.undeliverable, email: { at: receipt.at, source: 'bounce', messageId } },
  };
}

/**
 * The patient opted out of email after a complaint; undefined when nothing
 * changes (already opted out, or another address complained).
 *
 * @param patient - the patient as stored now
 * @param receipt - the complaint (its recipients and time)
 */
export function optedOutByComplaint(
  patient: Patient,
  receipt: Pick<DeliveryReceipt, 'at' | 'recipients'>,
): Patient | undefined {
  if (patient.optOuts.email || !isAbout(patient, receipt)) return undefined;
  return { ...patient, optOuts: { ...patient.optOuts, email: { at: receipt.at, source: 'complaint' } } };
}

/** The email event names the patient's current address (SES lowercases nothing; addresses compare case-blind). */
function isAbout(patient: Patient, receipt: Pick<DeliveryReceipt, 'recipients'>): boolean {
  const email = patient.email?.toLowerCase();
  return email !== undefined && (receipt.recipients ?? []).some((address) => address.toLowerCase() === email);
}

/**
 * The undeliverable mark a saved patient keeps: the stored one while the
 * email address stays the same, none once it changes (a new address has not
 * bounced).
 *
 * @param stored - the patient before the change
 * @param email - the email address after it
 */
export function keptUndeliverable(
  stored: Pick<Patient, 'email' | 'undeliverable'> | undefined,
  email: string | undefined,
): Patient['undeliverable'] {
  if (!stored?.undeliverable?.email || stored.email !== email) return undefined;
  return stored.undeliverable;
}
