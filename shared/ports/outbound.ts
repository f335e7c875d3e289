/**
 * Outbound ports: what the pipeline sends to the world. SNS, SES, SQS and
 * EventBridge adapters implement them in AWS; local mode and tests use the
 * local outbox and in-process queue (shared/adapters/local).
 */
import type { Channel, MessageKind, MessageStatus } from '../domain/model';

/**
 * A text to one E.164 number. The ids are for tagging (a delivery receipt
 * carries them back), never shown.
 */
export interface SmsRequest {
  to: string;
  text: string;
  clinicId: string;
  patientId: string;
  messageId: string;
  /**
   * The clinic's End User Messaging phone number or pool (id or ARN). Set:
   * the text goes through End User Messaging with the deployment's
   * configuration set, so its receipts come back; absent: through SNS.
   */
  originationIdentity?: string;
}

export interface EmailRequest {
  to: string;
  subject: string;
  text: string;
  clinicId: string;
  patientId: string;
  messageId: string;
}

export interface ProviderReceipt {
  providerMessageId: string;
}

/**
 * Senders throw TransientDeliveryError (retry later) or PermanentDeliveryError
 * (never on this channel); anything else means the outcome is unknown.
 */
export interface SmsSender {
  send(request: SmsRequest): Promise<ProviderReceipt>;
}

export interface EmailSender {
  send(request: EmailRequest): Promise<ProviderReceipt>;
}

/** The body of a send-queue message: ids and the claim token only, no PHI. */
export interface SendRequest {
  clinicId: string;
  patientId: string;
  messageId: string;
  token: string;
}

export interface QueuedSend {
  request: SendRequest;
  /** 0–900: seconds until the message is due. */
  delaySeconds: number;
}

export interface SendQueue {
  /** Enqueues all; returns the indexes of the entries that could not be enqueued. */
  enqueue(items: readonly QueuedSend[]): Promise<{ failed: number[] }>;
}

export const EVENT_SOURCE = 'clinic-reminders';

export type EventDetailType =
  | 'MessageSent'
  | 'MessageFailed'
  | 'MessageSkipped'
  | 'AppointmentConfirmed'
  | 'RescheduleRequested'
  | 'PatientOptedOut'
  | 'PatientOptedIn'
  | 'SurveyAnswered'
  | 'CaseOverdue';

/** What a message event carries: ids, kinds and times, never names, numbers or text. */
export interface MessageEventDetail {
  clinicId: string;
  patientId: string;
  appointmentId?: string;
  messageId: string;
  kind: MessageKind;
  channel: Channel;
  status: MessageStatus;
  reason?: string;
  providerMessageId?: string;
  dueAt: string;
  at: string;
  /** Seconds from due time to the provider's acceptance (sent only). */
  lagSeconds?: number;
  attempts: number;
}

export interface DomainEvent {
  detailType: EventDetailType;
  detail: MessageEventDetail | Record<string, string | number | boolean | undefined>;
}

export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

/** Where records that can never succeed are set aside for a person to look at. */
export interface DeadLetters {
  setAside(entry: { source: string; reason: string; ids: Record<string, string | undefined> }): Promise<void>;
}

/** Structured log lines: ids and codes only. */
export interface AppLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Counters and timings (CloudWatch EMF in AWS). */
export interface Telemetry {
  count(metric: string, value?: number, dimensions?: Record<string, string>): void;
  seconds(metric: string, value: number, dimensions?: Record<string, string>): void;
}

/** The deployment's secret that signs survey links: read once per function instance, then cached. */
export interface SurveyLinkSecret {
  key(): Promise<Uint8Array>;
}
