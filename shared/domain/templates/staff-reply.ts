/**
 * A staff reply's words as sent (issue 12, item 7, and the 24-hour rule of
 * docs/deploy.md): pure, no I/O and no clock, and light enough for the
 * console, which counts a draft's parts with the same rule.
 */
import type { DateTime } from 'luxon';
import type { Clinic, Message } from '../model';
import { parseUtc } from '../time';
import { BUILT_IN_PHRASES, lookupLanguage, smsNameOf } from './builtin';

/**
 * How long after a patient's last text to the clinic a staff reply still
 * answers it. Within it the reply is conversational (CTIA): a person
 * answering at once someone who wrote, sent as typed. Past it, or with no
 * text at all, the reply starts a new message from the clinic and names the
 * clinic and how to opt out, as every text the clinic starts does.
 */
export const STAFF_REPLY_CONVERSATION_HOURS = 24;

/**
 * True when a staff reply starts a new message rather than answering one:
 * the patient's last text is older than {@link STAFF_REPLY_CONVERSATION_HOURS}
 * hours, or there is none.
 *
 * @param lastTextAt - when the patient last texted the clinic (UTC ISO), if ever
 * @param now - the instant the reply is written
 */
export function staffReplyOpensConversation(lastTextAt: string | undefined, now: DateTime): boolean {
  if (lastTextAt === undefined) return true;
  return parseUtc(lastTextAt) <= now.minus({ hours: STAFF_REPLY_CONVERSATION_HOURS });
}

/**
 * The words a staff reply is sent with: as staff wrote them when it answers
 * the patient; when it opens a conversation, prefixed with the clinic's SMS
 * name and followed by the opt-out line of the patient's language (the same
 * line the clinic's own templates use for `{{stopText}}`). The segment
 * budget applies to these words, not to the typed ones.
 *
 * @param input - the typed text, whether it opens a conversation, the clinic and the patient's language
 */
export function staffReplyWords(input: {
  text: string;
  opensConversation: boolean;
  clinic: Pick<Clinic, 'name' | 'smsName'>;
  language: string;
}): string {
  if (!input.opensConversation) return input.text;
  return `${smsNameOf(input.clinic)}: ${input.text} ${(lookupLanguage(BUILT_IN_PHRASES, input.language) ?? BUILT_IN_PHRASES.en).stopText.sms}`;
}

/**
 * A stored staff reply's words as they are sent (and shown in the
 * conversation), with the clinic's SMS name as it is now.
 *
 * @param message - a staff-reply message
 * @param clinic - its clinic
 * @returns undefined for a message that is not a staff reply
 */
export function staffReplyWordsOf(
  message: Pick<Message, 'staffReply' | 'language'>,
  clinic: Pick<Clinic, 'name' | 'smsName'>,
): string | undefined {
  if (!message.staffReply) return undefined;
  return staffReplyWords({
    text: message.staffReply.text,
    opensConversation: message.staffReply.opensConversation === true,
    clinic,
    language: message.language,
  });
}
