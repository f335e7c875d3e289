import type { DateTime } from 'luxon';
import type { Appointment, Channel, Clinic, Message, MessageKind, Patient, Priority } from '../model';
import type { MoveReason, PlanSkipReason } from './rules';

/** One of the same patient's stored messages for another appointment (used for the frequency cap). */
export type OtherMessage = Pick<
  Message,
  'messageId' | 'appointmentId' | 'kind' | 'dueAt' | 'notAfter' | 'status' | 'priority'
> &
  Partial<Pick<Message, 'reason' | 'plannedAt'>>;

export interface PlanInput {
  appointment: Appointment;
  patient: Patient;
  clinic: Clinic;
  /** The planning instant, in UTC (from the injected clock). */
  now: DateTime;
  /**
   * The patient's stored messages that bear on the frequency cap: other
   * appointments' (their pending reminders may give way), this appointment's
   * reminders of an earlier schedule that reached the patient, and this
   * appointment's stored messages of its current schedule.
   */
  otherMessages: readonly OtherMessage[];
}

/** What plan() decides for one appointment. */
export interface Plan {
  /** Every message the rules call for, pending or skipped with a reason, ordered by planned time then id. */
  messages: PlannedMessage[];
  /**
   * Stored pending reminders that give way under the frequency cap so that
   * this visit gets its nearest reminders (other visits' far-ahead ones, or
   * this visit's own): withdraw each with reason `frequency-cap`.
   */
  capWithdrawals: string[];
  /**
   * Stored reminders of other visits that the cap skipped and that fit again
   * now (room freed by this plan or by a visit that moved, ended or gave
   * way): each goes back to pending, unless its visit closed it meanwhile.
   */
  capReinstatements: string[];
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
  /** Why it is skipped, or why a pending one goes at another time than planned. */
  reason?: PlanSkipReason | MoveReason;
}
