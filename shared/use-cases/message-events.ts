import type { Message } from '../domain/model';
import type {
  AppLogger,
  DomainEvent,
  EventPublisher,
  MessageEventDetail,
  Telemetry,
} from '../ports/outbound';

/**
 * What a message event carries: the message's ids, kind, channel, status
 * and reason as stored, and when it happened. Never an address or a text.
 *
 * @param message - the message as stored after the change
 * @param at - when the change happened, UTC ISO
 * @param extra - fields of this event only (the send lag)
 */
export function messageEventDetail(
  message: Message,
  at: string,
  extra: Partial<MessageEventDetail> = {},
): MessageEventDetail {
  return {
    clinicId: message.clinicId,
    patientId: message.patientId,
    ...(message.appointmentId ? { appointmentId: message.appointmentId } : {}),
    messageId: message.messageId,
    kind: message.kind,
    channel: message.channel,
    status: message.status,
    ...(message.reason ? { reason: message.reason } : {}),
    ...(message.providerMessageId ? { providerMessageId: message.providerMessageId } : {}),
    dueAt: message.dueAt,
    at,
    attempts: message.attempts,
    ...extra,
  };
}

/**
 * Publishes events after the state they report is stored. A failed publish
 * is counted and logged, never retried: retrying the work that led to it
 * would send a message again.
 *
 * @param deps - the bus, telemetry and logger
 * @param events - the events, in order
 */
export async function publishAfterStoring(
  deps: { events: EventPublisher; telemetry: Telemetry; logger: AppLogger },
  events: readonly DomainEvent[],
): Promise<void> {
  if (events.length === 0) return;
  try {
    await deps.events.publish(events);
  } catch (error) {
    deps.telemetry.count('EventPublishFailed', events.length);
    deps.logger.error('event publish failed', { error: (error as Error).name, count: events.length });
  }
}
