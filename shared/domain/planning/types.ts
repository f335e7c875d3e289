import type { DateTime } from 'luxon';
import type { Appointment, Channel, Clinic, Message, MessageKind, Patient, Priority } from '../model';
import type { PlanSkipReason } from './rules';

/** One of the same patient's stored messages for another appointment (used for the frequency cap). */
export type OtherMessage = Pick<
  Message,
  'messageId' | 'appointmentId' | 'kind' | 'dueAt' | 'status' | 'priority'
>;

export interface PlanInput {
  appointment: Appointment;
  patient: Patient;
  clinic: Clinic;
  /** The planning instant, in UTC (from the injected clock). */
  now: DateTime;
  /** The patient's stored messages that count against the frequency cap: other appointments', and this appointment's reminders of an earlier schedule that reached the patient. */
  otherMessages: readonly OtherMessage[];
}

/** A message the rules call for, as plan() wants it stored. All instants are `toUtcIso` strings. */
export interface PlannedMessage {
  messageId: string;
  appointmentId: string;
  kind: MessageKind;
  /** Canonical offset for reminders and surveys. */
  offset?: string;
  priority: Priority;
  channel: Channel;
  language: string;
  /** When it should go out, after the quiet-hours adjustment. */
  dueAt: string;
  /** When the rules put it, before any adjustment. */
  plannedAt: string;
  /** After this instant it is pointless. */
  notAfter: string;
  status: 'pending' | 'skipped';
  reason?: PlanSkipReason;
}
