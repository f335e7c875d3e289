/**
 * The handle-receipts function's driving adapter: decodes the SQS batch of
 * provider events (End User Messaging SMS events and SES events, published
 * to the receipts topic and delivered raw to the queue) into delivery
 * receipts and applies each, with Powertools' batch processor reporting
 * partial failures.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { SMS_CONTEXT_KEYS } from '../adapters/aws/eum-sms-sender';
import { decodeTagValue, EMAIL_TAG_NAMES } from '../adapters/aws/ses-email-sender';
import { AppError } from '../domain/errors';
import { ClinicIdSchema } from '../domain/model';
import type { BounceType, DeliveryReceipt } from '../domain/receipts';
import { isUtcIso, parseUtc, toUtcIso } from '../domain/time';
import type { DeadLetters } from '../ports/outbound';
import { applyReceipt, type ReceiptDeps } from '../use-cases/apply-receipt';

export interface ReceiptQueueDeps extends ReceiptDeps {
  deadLetters: DeadLetters;
}

/** A patient id, or a reply's contact id for a number no patient has (`~…`). */
const PatientIdSchema = z.string().regex(/^~?[A-Za-z0-9._-]{1,64}$/);
const MessageIdSchema = z.string().min(1).max(200);

const SmsEventSchema = z.looseObject({
  eventType: z.string().regex(/^TEXT_[A-Z_]+$/),
  eventTimestamp: z.number().int().positive(),
  messageId: z.string().min(1).max(200).optional(),
  context: z.record(z.string(), z.string()).optional(),
});

const Recipients = z.array(z.looseObject({ emailAddress: z.string() })).max(50);

const EmailEventSchema = z.looseObject({
  eventType: z.string().min(1).max(40).optional(),
  /** SES feedback notifications (as opposed to event publishing) name it so. */
  notificationType: z.string().min(1).max(40).optional(),
  mail: z.looseObject({
    messageId: z.string().min(1).max(200).optional(),
    timestamp: z.string().optional(),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  delivery: z.looseObject({ timestamp: z.string().optional() }).optional(),
  bounce: z
    .looseObject({
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']).optional(),
      bouncedRecipients: Recipients.optional(),
      timestamp: z.string().optional(),
    })
    .optional(),
  complaint: z
    .looseObject({ complainedRecipients: Recipients.optional(), timestamp: z.string().optional() })
    .optional(),
});

/** Why a record is not a receipt this function can apply. */
type Undecodable = { problem: 'malformed' } | { problem: 'not-ours' };

/** The body as JSON: the event itself (raw delivery), or inside an SNS envelope. */
function eventOf(body: string): unknown {
  const parsed: unknown = JSON.parse(body);
  if (
    parsed &&
    typeof parsed === 'object' &&
    (parsed as { Type?: unknown }).Type === 'Notification' &&
    typeof (parsed as { Message?: unknown }).Message === 'string'
  ) {
    return JSON.parse((parsed as { Message: string }).Message);
  }
  return parsed;
}

function utc(text: string | undefined): string | undefined {
  return text && isUtcIso(text) ? toUtcIso(parseUtc(text)) : undefined;
}

/** Our ids from a text's context or an email's tags: all three, well formed, or none. */
function idsFrom(read: (key: 'clinicId' | 'patientId' | 'messageId') => string | undefined) {
  const clinicId = ClinicIdSchema.safeParse(read('clinicId'));
  const patientId = PatientIdSchema.safeParse(read('patientId'));
  const messageId = MessageIdSchema.safeParse(read('messageId'));
  if (!clinicId.success || !patientId.success || !messageId.success) return undefined;
  return { clinicId: clinicId.data, patientId: patientId.data, messageId: messageId.data };
}

/**
 * A provider event as a delivery receipt. An event of the right shape that
 * carries none of our ids is `not-ours` (a text sent from the console with
 * the same configuration set); anything else that does not read is
 * `malformed`.
 *
 * @param body - the SQS record body
 */
export function decodeReceipt(body: string): DeliveryReceipt | Undecodable {
  let event: unknown;
  try {
    event = eventOf(body);
  } catch {
    return { problem: 'malformed' };
  }
  const sms = SmsEventSchema.safeParse(event);
  if (sms.success) {
    const { context = {} } = sms.data;
    if (!Object.values(SMS_CONTEXT_KEYS).some((key) => key in context)) return { problem: 'not-ours' };
    const ids = idsFrom((key) => context[SMS_CONTEXT_KEYS[key]]);
    if (!ids) return { problem: 'malformed' };
    return {
      channel: 'sms',
      ...ids,
      event: sms.data.eventType,
      at: new Date(sms.data.eventTimestamp).toISOString(),
      ...(sms.data.messageId ? { providerMessageId: sms.data.messageId } : {}),
    };
  }
  const email = EmailEventSchema.safeParse(event);
  if (!email.success) return { problem: 'malformed' };
  const type = email.data.eventType ?? email.data.notificationType;
  if (!type) return { problem: 'malformed' };
  const tags = email.data.mail.tags ?? {};
  if (!Object.values(EMAIL_TAG_NAMES).some((name) => name in tags)) return { problem: 'not-ours' };
  const ids = idsFrom((key) => {
    const value = tags[EMAIL_TAG_NAMES[key]]?.[0];
    return value === undefined ? undefined : decodeTagValue(value);
  });
  if (!ids) return { problem: 'malformed' };
  const { bounce, complaint, delivery } = email.data;
  const at =
    utc(bounce?.timestamp ?? complaint?.timestamp ?? delivery?.timestamp) ?? utc(email.data.mail.timestamp);
  if (!at) return { problem: 'malformed' };
  const recipients = (bounce?.bouncedRecipients ?? complaint?.complainedRecipients)?.map(
    (recipient) => recipient.emailAddress,
  );
  return {
    channel: 'email',
    ...ids,
    event: type,
    at,
    ...(email.data.mail.messageId ? { providerMessageId: email.data.mail.messageId } : {}),
    ...(bounce?.bounceType ? { bounceType: bounce.bounceType as BounceType } : {}),
    ...(recipients ? { recipients } : {}),
  };
}

/**
 * Thrown for a receipt of a message that is still `sending`: the record
 * fails, and SQS delivers it again after the queue's visibility timeout,
 * when `sent` (or `unknown`) is stored.
 */
export class ReceiptBeforeSentError extends AppError {}

/**
 * One record: a body that is no receipt is set aside (malformed) or dropped
 * (not ours), never retried; a receipt of a message still being sent fails
 * the record so SQS brings it back; any other error fails it too.
 */
async function receiptRecord(deps: ReceiptQueueDeps, record: SQSRecord): Promise<void> {
  const receipt = decodeReceipt(record.body);
  if ('problem' in receipt) {
    deps.telemetry.count(receipt.problem === 'malformed' ? 'ReceiptSetAside' : 'ReceiptNotOurs');
    if (receipt.problem === 'malformed') {
      await deps.deadLetters.setAside({
        source: 'handle-receipts',
        reason: 'malformed-receipt',
        ids: { sqsMessageId: record.messageId },
      });
      deps.logger.error('malformed receipt set aside', { sqsMessageId: record.messageId });
    } else {
      deps.logger.info('receipt of a message not sent by this system', { sqsMessageId: record.messageId });
    }
    return;
  }
  let outcome: Awaited<ReturnType<typeof applyReceipt>>;
  try {
    outcome = await applyReceipt(deps, receipt);
  } catch (error) {
    deps.logger.error('receipt failed; SQS will deliver it again', {
      sqsMessageId: record.messageId,
      messageId: receipt.messageId,
      error: (error as Error).name,
    });
    throw error;
  }
  if (outcome === 'not-yet-sent') {
    throw new ReceiptBeforeSentError(`message ${receipt.messageId} is still being sent`);
  }
}

/**
 * Applies the receipts of one SQS batch, one after another, and reports the
 * records that failed (SQS delivers those again).
 *
 * @param deps - receipt dependencies and the dead-letter port
 * @param event - the SQS batch
 */
export async function receiptQueueBatch(deps: ReceiptQueueDeps, event: SQSEvent): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, (record: SQSRecord) => receiptRecord(deps, record), processor, {
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
}
