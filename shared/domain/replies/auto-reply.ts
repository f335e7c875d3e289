/**
 * Guards on automatic answers to inbound texts (issue 12, item 5): at most
 * three per number per hour, none to a text that looks automated (two
 * machines answering each other would otherwise text forever), and none to
 * an opted-out number except the one opt-out confirmation.
 */
import { parseUtc } from '../time';
import { foldPhrase } from './normalise';

/** At most this many auto-replies to one number … */
export const AUTO_REPLY_LIMIT = 3;
/** … within this many minutes (a rolling hour). */
export const AUTO_REPLY_WINDOW_MINUTES = 60;

/** The same text this many times from one number within {@link REPEAT_WINDOW_MINUTES}, this one included, is a machine. */
export const REPEAT_LIMIT = 3;
export const REPEAT_WINDOW_MINUTES = 10;
/** This many texts from one number within {@link BURST_WINDOW_SECONDS}, this one included, is a machine. */
export const BURST_LIMIT = 5;
export const BURST_WINDOW_SECONDS = 60;
/** An echo of our own auto-reply only counts when it is at least this long (a bare "OK" is a person). */
const MIN_ECHO_LENGTH = 20;

/**
 * Wording that automatic senders use (folded): auto-responders, "driving"
 * replies, no-reply systems, and other programs' compliance footers (a
 * program that says "reply STOP" is a machine talking to ours).
 */
export const AUTOMATED_MARKERS: readonly string[] = [
  'auto reply',
  'autoreply',
  'auto response',
  'autoresponse',
  'automatic reply',
  'automatic response',
  'automated message',
  'automated response',
  'automated reply',
  'this is an automated',
  'do not reply',
  'dont reply to this',
  'noreply',
  'this number does not accept',
  'this number cannot receive',
  'out of office',
  'out of the office',
  'do not disturb',
  'ill see your message when',
  'msg data rates may apply',
  'msg and data rates may apply',
  'message and data rates may apply',
  'reply stop to',
  'text stop to',
  'reply help for',
  'respuesta automatica',
  'mensaje automatico',
  'mensaje automatizado',
  'no responda',
  'no responder',
  'fuera de la oficina',
  'pueden aplicarse tarifas',
  'responda stop',
];

const MARKERS = AUTOMATED_MARKERS.map(foldPhrase);

/** One text from the number, earlier than the one being answered. */
export interface InboundSeen {
  text: string;
  /** Envelope Timestamp (UTC ISO). */
  at: string;
}

/** One auto-reply already queued or sent to the number. */
export interface AutoReplySent {
  text: string;
  /** When it was queued (UTC ISO). */
  at: string;
}

export type AutomationSignal =
  | 'not-a-phone-number'
  | 'automated-wording'
  | 'echoes-our-reply'
  | 'repeated-text'
  | 'burst';

export interface AutomationInput {
  /** The number the text came from (`originationNumber`). */
  from: string;
  /** The text being answered, and when it was sent. */
  inbound: InboundSeen;
  /** The number's earlier texts, at least the last {@link REPEAT_WINDOW_MINUTES}. */
  earlierInbound: readonly InboundSeen[];
  /** Auto-replies to the number, at least the last hour's. */
  autoReplies: readonly AutoReplySent[];
}

function within(at: string, reference: string, milliseconds: number): boolean {
  const gap = parseUtc(reference).toMillis() - parseUtc(at).toMillis();
  return gap >= 0 && gap <= milliseconds;
}

/**
 * The loop guard's heuristics, in order: a sender that is not an E.164
 * phone number (short codes and alphanumeric senders are programs); wording
 * that automatic senders use; an echo of one of our auto-replies; the same
 * text {@link REPEAT_LIMIT} times within {@link REPEAT_WINDOW_MINUTES}
 * minutes; {@link BURST_LIMIT} texts within {@link BURST_WINDOW_SECONDS}
 * seconds. A person who texts "C" twice, or STOP in capitals, passes.
 *
 * @param input - the sender, the text, the number's earlier texts and our auto-replies to it
 * @returns the first signal found, or undefined when the text looks like a person's
 */
export function automationSignal(input: AutomationInput): AutomationSignal | undefined {
  const { inbound } = input;
  if (!/^\+[1-9]\d{7,14}$/.test(input.from)) return 'not-a-phone-number';
  const folded = foldPhrase(inbound.text);
  const padded = ` ${folded} `;
  if (MARKERS.some((marker) => padded.includes(` ${marker} `))) return 'automated-wording';
  const echoed = input.autoReplies.some((reply) => {
    const ours = foldPhrase(reply.text);
    return (
      ours.length >= MIN_ECHO_LENGTH &&
      folded.length >= MIN_ECHO_LENGTH &&
      (folded.includes(ours) || ours.includes(folded))
    );
  });
  if (echoed) return 'echoes-our-reply';
  const recent = (windowMs: number) =>
    input.earlierInbound.filter((seen) => within(seen.at, inbound.at, windowMs));
  const repeats = recent(REPEAT_WINDOW_MINUTES * 60_000).filter((seen) => foldPhrase(seen.text) === folded);
  if (repeats.length + 1 >= REPEAT_LIMIT) return 'repeated-text';
  if (recent(BURST_WINDOW_SECONDS * 1000).length + 1 >= BURST_LIMIT) return 'burst';
  return undefined;
}

export interface AutoReplyInput extends AutomationInput {
  /**
   * `opt-out-confirmation` only when applyOptReply() said `confirmOptOut`;
   * `answer` for every other auto-reply (HELP, START, thanks, …).
   */
  purpose: 'opt-out-confirmation' | 'answer';
  /** Whether the number is opted out of SMS once this text is applied. */
  optedOut: boolean;
  /** The decision instant (UTC ISO, from the injected clock). */
  now: string;
}

export type AutoReplyVerdict =
  | { send: true }
  | { send: false; reason: 'opted-out' | 'hourly-limit' }
  | { send: false; reason: 'looks-automated'; signal: AutomationSignal };

/**
 * Decides whether an auto-reply may go to the number a text came from.
 *
 * The opt-out confirmation always goes: carriers expect it, it is one per
 * opt-out (applyOptReply() asks for it only for the STOP that opted the
 * number out), and a machine cannot loop on it, since its next STOP changes
 * nothing and gets no answer. It still counts towards the hourly limit.
 *
 * @param input - the purpose, the opt-out state, the instant, and what the loop guard needs
 */
export function mayAutoReply(input: AutoReplyInput): AutoReplyVerdict {
  if (input.purpose === 'opt-out-confirmation') return { send: true };
  if (input.optedOut) return { send: false, reason: 'opted-out' };
  const signal = automationSignal(input);
  if (signal) return { send: false, reason: 'looks-automated', signal };
  // A rolling hour, open at its start: a reply exactly an hour ago no longer counts.
  const hourAgo = parseUtc(input.now).toMillis() - AUTO_REPLY_WINDOW_MINUTES * 60_000;
  const lastHour = input.autoReplies.filter((reply) => parseUtc(reply.at).toMillis() > hourAgo);
  if (lastHour.length >= AUTO_REPLY_LIMIT) return { send: false, reason: 'hourly-limit' };
  return { send: true };
}
