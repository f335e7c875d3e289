/**
 * queueAutoReply: the automatic answer to an inbound text, as an outbox
 * message of kind `keyword-reply` (issue 12, item 5), so it is on the
 * patient's timeline, deduplicated and paced like any other message, and
 * handed to the send queue at once instead of waiting for the next sweep.
 *
 * The message stores which answer it is (`keywordReply.answer`), never
 * words, and never the patient's text: send-message renders it in the
 * patient's language as it is at send time (send-keyword-reply.ts).
 *
 * The hourly limit is checked twice: first from the outbox (the number's
 * keyword replies of the last hour, read anyway for the replay check and
 * the loop guard), which declines the usual fourth text for free; then by
 * taking a slot of the number's cap item with a conditional write
 * (AutoReplyCap), which stays exact when many texts from one number are
 * handled at once, where the outbox read alone would let each of them pass.
 * That slot is one write unit per answer.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_PRIORITY } from '../domain/constants';
import type { Message } from '../domain/model';
import {
  AUTO_REPLY_LIMIT,
  AUTO_REPLY_WINDOW_MINUTES,
  type AutoReplySent,
  mayAutoReply,
} from '../domain/replies';
import { type KeywordReply, keywordReplyTextOf, renderKeywordReply } from '../domain/templates';
import type { KeywordReplyText } from '../domain/templates/keyword-reply-texts';
import { parseUtc, toUtcIso } from '../domain/time';
import type { AutoReplyCap } from '../ports/repositories';
import { createAndEnqueueDueNow, type SendNowDeps } from './enqueue-due-now';
import type { AutoReplyRequest, AutoReplyResult } from './handle-inbound';

/**
 * How long an opt-out confirmation may still go: FCC 24-18 allows one
 * confirmation text within five minutes of the opt-out, none later.
 */
export const OPT_OUT_CONFIRMATION_MINUTES = 5;
/** How long any other answer is worth sending: later, the patient has moved on and staff answer instead. */
export const AUTO_REPLY_VALID_MINUTES = 30;

/** The prefix of every keyword reply's message id (`~` keeps it apart from appointment ids). */
export const KEYWORD_REPLY_ID_PREFIX = '~keyword-reply#';
const MESSAGE_ID_MAX = 200;

/**
 * The answer's message id, made from the inbound id: a second delivery of
 * the text, or a retry after a crash, finds the message and creates none.
 * An inbound id too long to fit is hashed.
 *
 * @param inboundMessageId - End User Messaging's id of the text answered
 */
export function keywordReplyIdOf(inboundMessageId: string): string {
  const plain = `${KEYWORD_REPLY_ID_PREFIX}${inboundMessageId}`;
  if (plain.length <= MESSAGE_ID_MAX) return plain;
  return `${KEYWORD_REPLY_ID_PREFIX}sha256:${createHash('sha256').update(inboundMessageId).digest('base64url')}`;
}

/** The answers that show a visit: their wording needs the visit, so the loop guard does not compare them. */
const VISIT_ANSWERS: ReadonlySet<KeywordReplyText> = new Set(['confirmed', 'confirm-moved']);

/**
 * The words of an earlier answer, for the loop guard's echo rule. Answers
 * that show a visit are left out: a machine echoing us echoes the others
 * too, and reading every visit again is not worth it.
 */
function earlierAnswerText(request: AutoReplyRequest, message: Message): string | undefined {
  const answer = message.keywordReply?.answer;
  if (!answer || VISIT_ANSWERS.has(answer)) return undefined;
  const reply = keywordReplyOf(answer);
  if (!reply) return undefined;
  return renderKeywordReply({ ...reply, language: message.language, clinic: request.clinic }).text;
}

/**
 * The KeywordReply for a stored answer, with the visit where it shows one.
 *
 * @param answer - the stored answer
 * @param appointment - the visit, for `confirmed` and `confirm-moved`
 * @returns undefined for a visit answer without its visit
 */
export function keywordReplyOf(
  answer: KeywordReplyText,
  appointment?: Extract<KeywordReply, { reply: 'confirmed' }>['appointment'],
): KeywordReply | undefined {
  switch (answer) {
    case 'confirmed':
      return appointment ? { reply: 'confirmed', appointment } : undefined;
    case 'confirm-moved':
      return appointment ? { reply: 'confirm-not-applicable', why: 'moved', appointment } : undefined;
    case 'confirm-cancelled':
      return { reply: 'confirm-not-applicable', why: 'cancelled' };
    case 'confirm-past':
      return { reply: 'confirm-not-applicable', why: 'past' };
    case 'confirm-no-visit':
      return { reply: 'confirm-not-applicable', why: 'visit-missing' };
    default:
      return { reply: answer };
  }
}

/** The visit an answer shows, if any (its id is stored; the visit is read again at send time). */
function visitIdOf(reply: KeywordReply): string | undefined {
  if ('appointment' in reply && 'appointmentId' in reply.appointment) {
    const id = (reply.appointment as { appointmentId?: unknown }).appointmentId;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

/**
 * Queues the answer to one inbound text, at once, at most once.
 *
 * Primary course:
 * 1. Read the number's keyword replies (on every timeline of the number):
 *    one with this text's id means a second delivery or a retry: replayed.
 * 2. Ask the guards (mayAutoReply): never to an opted-out number except the
 *    opt-out confirmation, nothing to a text that looks automated, at most
 *    three answers an hour; then take a slot of the number's hourly cap
 *    (conditional, so exact under concurrency; a retry finds its own slot).
 *    The opt-out confirmation goes even when the hour is full.
 * 3. Declined: the message is stored `skipped` with the reason, so the
 *    timeline says why nobody answered. Otherwise it is stored high
 *    priority, due now, valid for minutes, and handed to the send queue at
 *    once (createAndEnqueueDueNow); past the minute's immediate share it
 *    waits pending for the sweep.
 *
 * @param deps - the outbox, the send queue and its immediate budget, clock, logger, telemetry
 * @param request - what handleInbound decided to answer, to whom, and what the loop guard needs
 */
export async function queueAutoReply(
  deps: SendNowDeps & { replyCap: AutoReplyCap },
  request: AutoReplyRequest,
): Promise<AutoReplyResult> {
  const { clinic } = request;
  const messageId = keywordReplyIdOf(request.inboundMessageId);
  const now = deps.clock.now();
  const at = toUtcIso(now);

  const timelines = [...new Set([request.patientId, ...(request.numberPatientIds ?? [])])];
  const earlier = (
    await Promise.all(timelines.map((patientId) => deps.messages.listForPatient(clinic.clinicId, patientId)))
  )
    .flat()
    .filter((message) => message.kind === 'keyword-reply');
  if (earlier.some((message) => message.messageId === messageId)) {
    deps.telemetry.count('AutoReplyReplayed');
    return { outcome: 'replayed', messageId };
  }
  const hourAgo = now.minus({ hours: 1 }).toMillis();
  const autoReplies: AutoReplySent[] = earlier
    .filter((message) => message.status !== 'skipped' && parseUtc(message.createdAt).toMillis() > hourAgo)
    .map((message) => ({ text: earlierAnswerText(request, message) ?? '', at: message.createdAt }));

  const guarded = mayAutoReply({
    from: request.from,
    inbound: request.inbound,
    earlierInbound: request.earlierInbound,
    autoReplies,
    purpose: request.purpose,
    optedOut: request.optedOut,
    now: at,
  });
  // The exact count: a slot of the number's cap. The opt-out confirmation goes even without one.
  const slot = guarded.send
    ? await deps.replyCap.take({
        clinicId: clinic.clinicId,
        number: request.from,
        inboundMessageId: request.inboundMessageId,
        at,
        windowStart: toUtcIso(now.minus({ minutes: AUTO_REPLY_WINDOW_MINUTES })),
        limit: AUTO_REPLY_LIMIT,
      })
    : undefined;
  const verdict =
    slot === 'full' && request.purpose !== 'opt-out-confirmation'
      ? ({ send: false, reason: 'hourly-limit' } as const)
      : guarded;

  const appointmentId = visitIdOf(request.reply);
  const minutes =
    request.purpose === 'opt-out-confirmation' ? OPT_OUT_CONFIRMATION_MINUTES : AUTO_REPLY_VALID_MINUTES;
  const message: Message = {
    clinicId: clinic.clinicId,
    patientId: request.patientId,
    messageId,
    kind: 'keyword-reply',
    priority: DEFAULT_PRIORITY['keyword-reply'],
    channel: 'sms',
    ...(clinic.originationIdentity ? { ownNumber: true } : {}),
    language: request.language,
    dueAt: at,
    plannedAt: at,
    notAfter: toUtcIso(now.plus({ minutes })),
    status: 'pending',
    attempts: 0,
    keywordReply: {
      answer: keywordReplyTextOf(request.reply),
      purpose: request.purpose,
      inboundMessageId: request.inboundMessageId,
      ...(appointmentId ? { appointmentId } : {}),
      // A number no patient has: the reply has no patient record to take the number from.
      ...(request.patientId.startsWith('~') ? { to: request.from } : {}),
    },
    planVersion: 1,
    rev: 1,
    createdAt: at,
    updatedAt: at,
  };

  if (!verdict.send) {
    const created = await deps.messages.create({
      ...message,
      status: 'skipped',
      reason: verdict.reason,
      finishedAt: at,
    });
    deps.telemetry.count('AutoReplyDeclined', 1, {
      reason: verdict.reason === 'looks-automated' ? `looks-automated:${verdict.signal}` : verdict.reason,
    });
    deps.logger.info('auto-reply declined', {
      clinicId: clinic.clinicId,
      messageId,
      reason: verdict.reason,
      ...(verdict.reason === 'looks-automated' ? { signal: verdict.signal } : {}),
    });
    return created
      ? { outcome: 'declined', messageId, reason: verdict.reason }
      : { outcome: 'replayed', messageId };
  }

  const summary = await createAndEnqueueDueNow(deps, [message]);
  if (!summary.created[0]) {
    deps.telemetry.count('AutoReplyReplayed');
    return { outcome: 'replayed', messageId };
  }
  deps.telemetry.count('AutoReplyQueued', 1, { answer: message.keywordReply?.answer ?? '' });
  return { outcome: 'queued', messageId };
}
