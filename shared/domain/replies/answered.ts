/**
 * Which of our messages an inbound text answers (issue 12, item 3). The
 * answered message decides the patient and the visit: on a phone shared by
 * a family, the reply is about the visit of the message it answers, never
 * about every patient with that number.
 */
import type { Message, MessageKind } from '../model';
import { parseUtc } from '../time';

/** One SMS of ours that went to the number the reply came from, from the clinic number it went to. */
export type SentSms = Pick<Message, 'messageId' | 'patientId' | 'appointmentId' | 'kind'> & {
  /** The provider's id for it (SNS or End User Messaging `MessageId`): what `previousPublishedMessageId` names. */
  providerMessageId?: string | undefined;
  /** When the provider accepted it (UTC ISO): the message's `finishedAt` once `sent`. */
  sentAt: string;
};

/**
 * Kinds a reply does not answer. Our own keyword replies ("Thanks, your
 * visit is confirmed") ask for nothing; a patient who texts HELP and then C
 * is answering the reminder before the HELP text, even though the HELP text
 * is now the latest, and is what End User Messaging names as the previous one.
 */
export const UNANSWERED_KINDS: ReadonlySet<MessageKind> = new Set(['keyword-reply']);

/** Two messages about different visits sent this close together make a bare reply hard to place. */
export const NEARBY_MINUTES = 10;

export interface AnsweredMessageInput {
  /** `previousPublishedMessageId` from the inbound payload, when there is one. */
  previousPublishedMessageId?: string | undefined;
  /** When the patient sent the reply: the SNS envelope `Timestamp` (UTC ISO). */
  receivedAt: string;
  /**
   * Our SMS to that number from that clinic number, for every patient who
   * has the number: at least the answer window's worth, plus the message
   * `previousPublishedMessageId` names if the caller found it.
   */
  sent: readonly SentSms[];
  /** policy.replies.answerWindowDays. */
  windowDays: number;
}

export type AnsweredMessage =
  | {
      outcome: 'matched';
      message: SentSms;
      /** How it was found: named by the payload, or the latest within the window. */
      by: 'previous-published-id' | 'latest-in-window';
      /**
       * Messages about other visits sent within {@link NEARBY_MINUTES} of the
       * matched one (a family phone that got two reminders at once). The
       * reply is applied to the matched message only; staff should see it.
       */
      nearbyForOtherVisits: SentSms[];
    }
  | { outcome: 'none'; reason: 'nothing-sent-in-window' };

/** Later sent first; the message id breaks a tie so the choice never depends on input order. */
function newestFirst(a: SentSms, b: SentSms): number {
  const byTime = parseUtc(b.sentAt).toMillis() - parseUtc(a.sentAt).toMillis();
  if (byTime !== 0) return byTime;
  return a.messageId < b.messageId ? 1 : a.messageId > b.messageId ? -1 : 0;
}

function visitOf(message: SentSms): string {
  return `${message.patientId}#${message.appointmentId ?? '-'}`;
}

/**
 * Finds the message a reply answers.
 *
 * Primary course:
 * 1. `previousPublishedMessageId` names one of our messages (by provider id)
 *    of a kind a reply answers: that one, whatever its age.
 * 2. Otherwise the latest message of such a kind sent to the number at or
 *    before the reply and no more than `windowDays` before it.
 * 3. Otherwise none: the caller treats the text as unmatched (HELP and STOP
 *    still work; see the notes on unknown numbers).
 *
 * @param input - the reply's ids and time, our messages to that number, the window
 */
export function findAnsweredMessage(input: AnsweredMessageInput): AnsweredMessage {
  const { previousPublishedMessageId, windowDays } = input;
  const receivedAt = parseUtc(input.receivedAt);
  const answerable = input.sent.filter((message) => !UNANSWERED_KINDS.has(message.kind));

  const named =
    previousPublishedMessageId === undefined
      ? undefined
      : answerable.find((message) => message.providerMessageId === previousPublishedMessageId);

  let message = named;
  if (!message) {
    const windowStart = receivedAt.minus({ days: windowDays });
    message = answerable
      .filter((candidate) => {
        const sentAt = parseUtc(candidate.sentAt);
        return sentAt <= receivedAt && sentAt >= windowStart;
      })
      .sort(newestFirst)[0];
  }
  if (!message) return { outcome: 'none', reason: 'nothing-sent-in-window' };

  const matchedAt = parseUtc(message.sentAt).toMillis();
  const matchedVisit = visitOf(message);
  const nearbyForOtherVisits = answerable
    .filter(
      (other) =>
        visitOf(other) !== matchedVisit &&
        Math.abs(parseUtc(other.sentAt).toMillis() - matchedAt) <= NEARBY_MINUTES * 60_000 &&
        parseUtc(other.sentAt) <= receivedAt,
    )
    .sort(newestFirst);
  return {
    outcome: 'matched',
    message,
    by: named ? 'previous-published-id' : 'latest-in-window',
    nearbyForOtherVisits,
  };
}
