/**
 * POST /local/receipts: a delivery receipt for a message local mode sent,
 * built in the shape the receipts queue receives in AWS (SNS raw delivery of
 * an End User Messaging SMS event, or of an SES event publishing record),
 * so it runs through the shipped handle-receipts handler unchanged.
 */
import * as z from 'zod';
import { SMS_CONTEXT_KEYS } from '../shared/adapters/aws/eum-sms-sender';
import { EMAIL_TAG_NAMES, encodeTagValue } from '../shared/adapters/aws/ses-email-sender';

const EMAIL_EVENTS = ['Delivery', 'Bounce', 'Complaint'] as const;

export const LocalReceiptSchema = z
  .strictObject({
    messageId: z.string().min(1).max(200),
    /** `TEXT_DELIVERED`, `TEXT_CARRIER_BLOCKED`, … for a text; `Delivery`, `Bounce`, `Complaint` for an email. */
    event: z.string().regex(/^(TEXT_[A-Z_]+|Delivery|Bounce|Complaint)$/, {
      message: 'must be an End User Messaging event type (TEXT_…) or Delivery, Bounce or Complaint',
    }),
    bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']).optional(),
    /** Only when the message is not in the outbox (local mode finds the rest there). */
    patientId: z.string().min(1).max(64).optional(),
    clinicId: z.string().min(1).max(64).optional(),
  })
  .superRefine((receipt, ctx) => {
    if (receipt.bounceType && receipt.event !== 'Bounce') {
      ctx.addIssue({ code: 'custom', path: ['bounceType'], message: 'is for a Bounce only' });
    }
  });
export type LocalReceipt = z.infer<typeof LocalReceiptSchema>;

/** The message a receipt is about, as local mode found it. */
export interface ReceiptTarget {
  clinicId: string;
  patientId: string;
  messageId: string;
  channel: 'sms' | 'email';
  providerMessageId: string;
  /** The address the email went to (a bounce or complaint names it). */
  to: string;
}

/**
 * The body the receipts queue would receive for this receipt.
 *
 * @param receipt - what was posted
 * @param target - the message it names
 * @param at - now on the simulated clock, UTC ISO
 */
export function receiptQueueBody(receipt: LocalReceipt, target: ReceiptTarget, at: string): string {
  if (receipt.event.startsWith('TEXT_')) {
    return JSON.stringify({
      eventType: receipt.event,
      eventVersion: '1.0',
      eventTimestamp: Date.parse(at),
      isFinal: true,
      messageId: target.providerMessageId,
      messageType: 'TRANSACTIONAL',
      messageStatus: receipt.event.replace(/^TEXT_/, ''),
      context: {
        [SMS_CONTEXT_KEYS.clinicId]: target.clinicId,
        [SMS_CONTEXT_KEYS.patientId]: target.patientId,
        [SMS_CONTEXT_KEYS.messageId]: target.messageId,
      },
    });
  }
  const tag = (value: string) => [encodeTagValue(value) ?? value];
  const mail = {
    timestamp: at,
    messageId: target.providerMessageId,
    destination: [target.to],
    tags: {
      [EMAIL_TAG_NAMES.clinicId]: tag(target.clinicId),
      [EMAIL_TAG_NAMES.patientId]: tag(target.patientId),
      [EMAIL_TAG_NAMES.messageId]: tag(target.messageId),
    },
  };
  const event = receipt.event as (typeof EMAIL_EVENTS)[number];
  if (event === 'Delivery')
    return JSON.stringify({ eventType: event, mail, delivery: { timestamp: at, recipients: [target.to] } });
  if (event === 'Complaint') {
    return JSON.stringify({
      eventType: event,
      mail,
      complaint: { timestamp: at, complainedRecipients: [{ emailAddress: target.to }] },
    });
  }
  return JSON.stringify({
    eventType: event,
    mail,
    bounce: {
      timestamp: at,
      bounceType: receipt.bounceType ?? 'Permanent',
      bouncedRecipients: [{ emailAddress: target.to }],
    },
  });
}
