/**
 * Deterministic message ids: `${appointmentId}#${kind}#${offset or -}#v${n}`,
 * and `${that id}#via-${channel}` for the copy of a message that a delivery
 * receipt found undeliverable, sent again on the patient's next channel.
 *
 * The same appointment version always yields the same ids, so a replayed or
 * duplicated stream record finds its messages already stored and changes
 * nothing. Which version `n` is depends on the kind:
 * - reminder, reschedule: the schedule version (a move plans new ones);
 * - confirmation: always 1 (only the first schedule is confirmed);
 * - cancellation, survey: the appointment version at which it reached that
 *   terminal status.
 */
import { CHANNELS, type Channel, MESSAGE_KINDS, type MessageKind } from '../constants';
import { formatOffset, parseOffset } from '../time';

export interface MessageIdParts {
  appointmentId: string;
  kind: MessageKind;
  /** Canonical offset (`3d`, `2h`) for reminders and surveys. */
  offset?: string | undefined;
  version: number;
  /** Set on a fallback copy: the channel it goes by instead of the original's. */
  via?: Channel | undefined;
}

const KINDS: ReadonlySet<string> = new Set(MESSAGE_KINDS);

function isMessageKind(text: string): text is MessageKind {
  return KINDS.has(text);
}

/**
 * Builds a message id.
 *
 * @param parts - appointment id, kind, canonical offset (if any) and version
 */
export function messageIdFor(parts: MessageIdParts): string {
  const { appointmentId, kind, offset, version } = parts;
  if (appointmentId === '' || appointmentId.includes('#')) {
    throw new RangeError(`appointment id cannot be part of a message id: ${appointmentId}`);
  }
  if (!Number.isInteger(version) || version < 1) throw new RangeError(`invalid version: ${version}`);
  if (offset !== undefined) {
    const parsed = parseOffset(offset);
    // Ids must be stable, so only the canonical text is accepted (`1d`, not `24h`).
    if (!parsed || formatOffset(parsed) !== offset) throw new RangeError(`not a canonical offset: ${offset}`);
  }
  return `${appointmentId}#${kind}#${offset ?? '-'}#v${version}`;
}

/**
 * Reads a message id back into its parts.
 *
 * @param id - a message id
 * @returns the parts, or undefined when the id was not made by {@link messageIdFor}
 */
export function parseMessageId(id: string): MessageIdParts | undefined {
  const parts = id.split('#');
  const via = parts.length === 5 ? viaOf(parts[4] ?? '') : undefined;
  if (parts.length !== 4 && !via) return undefined;
  const [appointmentId = '', kind = '', offset = '', versionText = ''] = parts;
  if (appointmentId === '' || !isMessageKind(kind)) return undefined;
  const version = /^v([1-9]\d{0,8})$/.exec(versionText)?.[1];
  if (!version) return undefined;
  if (offset !== '-') {
    const parsed = parseOffset(offset);
    if (!parsed || formatOffset(parsed) !== offset) return undefined;
  }
  return {
    appointmentId,
    kind,
    offset: offset === '-' ? undefined : offset,
    version: Number(version),
    ...(via ? { via } : {}),
  };
}

const VIA_PREFIX = 'via-';

function viaOf(part: string): Channel | undefined {
  const channel = part.slice(VIA_PREFIX.length);
  return part.startsWith(VIA_PREFIX) && (CHANNELS as readonly string[]).includes(channel)
    ? (channel as Channel)
    : undefined;
}

/**
 * The id of a message's fallback copy on another channel: one per message,
 * so a receipt delivered twice creates it once.
 *
 * @param messageId - the undeliverable message's id (any shape: visit, broadcast)
 * @param channel - the channel the copy goes by
 */
export function fallbackIdFor(messageId: string, channel: Channel): string {
  if (isFallbackId(messageId)) throw new RangeError(`a fallback has no fallback of its own: ${messageId}`);
  return `${messageId}#${VIA_PREFIX}${channel}`;
}

/**
 * True for the id of a fallback copy (made by {@link fallbackIdFor}).
 *
 * @param messageId - a message id
 */
export function isFallbackId(messageId: string): boolean {
  const last = messageId.slice(messageId.lastIndexOf('#') + 1);
  return messageId.includes('#') && viaOf(last) !== undefined;
}

/**
 * The id a fallback copy was made from; any other id unchanged.
 *
 * @param messageId - a message id
 */
export function originalIdOf(messageId: string): string {
  return isFallbackId(messageId) ? messageId.slice(0, messageId.lastIndexOf('#')) : messageId;
}
