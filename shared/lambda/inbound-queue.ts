/**
 * The handle-inbound function's driving adapter: decodes the SQS batch of
 * inbound texts (End User Messaging two-way SMS publishes each to the
 * inbound SNS topic; the queue's subscription keeps the SNS envelope, raw
 * delivery off, for its Timestamp) and applies each through the
 * handleInbound use case, with Powertools' batch processor reporting
 * partial failures to SQS.
 *
 * A record that cannot be a text (not the envelope, not the documented
 * payload, a number that is not E.164, a body over 1,600 characters) is set
 * aside with its reason, ids only (the body is PHI), and never retried. An
 * empty body, or one of emoji only, is a text: handleInbound reads the yes
 * emoji (👍, 👌, ✅, …) as a confirm and records the rest as `unreadable`,
 * answering nothing.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { PATTERNS } from '../config/settings';
import { MAX_REPLY_LENGTH } from '../domain/replies';
import { isUtcIso, parseUtc, toUtcIso } from '../domain/time';
import type { DeadLetters } from '../ports/outbound';
import { handleInbound, type InboundDeps, type InboundText } from '../use-cases/handle-inbound';

export interface InboundQueueDeps extends InboundDeps {
  deadLetters: DeadLetters;
}

const EnvelopeSchema = z.looseObject({
  Type: z.literal('Notification'),
  MessageId: z.optional(z.string()),
  Message: z.string(),
  Timestamp: z.string(),
});

const id = z.string().check(z.minLength(1), z.maxLength(200));
const PayloadSchema = z.looseObject({
  originationNumber: z.string(),
  destinationNumber: z.string(),
  messageKeyword: z.optional(z.nullable(z.string())),
  messageBody: z.string(),
  inboundMessageId: id,
  previousPublishedMessageId: z.optional(z.nullable(z.string())),
});

/** Why a record is not a text this function can apply (our codes, for the set-aside entry). */
export type InboundProblem =
  | 'not-an-sns-notification'
  | 'not-an-inbound-text'
  | 'bad-timestamp'
  | 'origination-not-e164'
  | 'destination-not-e164'
  | 'body-too-long';

export type DecodedInbound = { text: InboundText } | { problem: InboundProblem; inboundMessageId?: string };

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An optional id field: kept when it reads as one of ours could (1–200 characters), else dropped. */
function optionalId(value: string | null | undefined, max: number): string | undefined {
  return value && value.length <= max ? value : undefined;
}

/**
 * One SQS record body as an inbound text, or why it is not one.
 *
 * @param body - the SQS record body: the SNS envelope whose Message is End User Messaging's JSON
 */
export function decodeInbound(body: string): DecodedInbound {
  const envelope = EnvelopeSchema.safeParse(json(body));
  if (!envelope.success) return { problem: 'not-an-sns-notification' };
  const payload = PayloadSchema.safeParse(json(envelope.data.Message));
  if (!payload.success) return { problem: 'not-an-inbound-text' };
  const { inboundMessageId } = payload.data;
  if (!isUtcIso(envelope.data.Timestamp)) return { problem: 'bad-timestamp', inboundMessageId };
  if (!PATTERNS.e164.pattern.test(payload.data.originationNumber))
    return { problem: 'origination-not-e164', inboundMessageId };
  if (!PATTERNS.e164.pattern.test(payload.data.destinationNumber))
    return { problem: 'destination-not-e164', inboundMessageId };
  // Characters as the reply grammar counts them (code points: an emoji is one), against the one limit.
  if ([...payload.data.messageBody].length > MAX_REPLY_LENGTH)
    return { problem: 'body-too-long', inboundMessageId };
  const keyword = optionalId(payload.data.messageKeyword, 64);
  const previous = optionalId(payload.data.previousPublishedMessageId, 200);
  return {
    text: {
      inboundMessageId,
      from: payload.data.originationNumber,
      to: payload.data.destinationNumber,
      body: payload.data.messageBody,
      ...(keyword ? { keyword } : {}),
      ...(previous ? { previousPublishedMessageId: previous } : {}),
      receivedAt: toUtcIso(parseUtc(envelope.data.Timestamp)),
    },
  };
}

/**
 * One record: one that is no text is set aside, never retried; anything
 * that throws while applying fails only this record, which SQS delivers
 * again (every effect is idempotent, the record is written last) until the
 * queue's redrive sends it to the dead-letter queue.
 */
async function inboundRecord(deps: InboundQueueDeps, record: SQSRecord): Promise<void> {
  const decoded = decodeInbound(record.body);
  if ('problem' in decoded) {
    await deps.deadLetters.setAside({
      source: 'handle-inbound',
      reason: decoded.problem,
      ids: { sqsMessageId: record.messageId, inboundMessageId: decoded.inboundMessageId },
    });
    deps.telemetry.count('InboundSetAside', 1, { reason: decoded.problem });
    deps.logger.error('malformed inbound text set aside', {
      sqsMessageId: record.messageId,
      inboundMessageId: decoded.inboundMessageId,
      reason: decoded.problem,
    });
    return;
  }
  try {
    await handleInbound(deps, decoded.text);
  } catch (error) {
    deps.logger.error('inbound text failed; SQS will deliver it again', {
      sqsMessageId: record.messageId,
      inboundMessageId: decoded.text.inboundMessageId,
      error: (error as Error).name,
    });
    throw error;
  }
}

/**
 * Applies the texts of one SQS batch, one after another (two texts of one
 * number in a batch apply in turn, and the envelope Timestamp orders them
 * whatever the turn), and reports the records that failed.
 *
 * @param deps - the inbound use case's dependencies and the dead-letter port
 * @param event - the SQS batch
 */
export async function inboundQueueBatch(deps: InboundQueueDeps, event: SQSEvent): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, (record: SQSRecord) => inboundRecord(deps, record), processor, {
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
}
