/**
 * What the use cases need from storage. DynamoDB adapters implement these
 * (shared/adapters/dynamodb); every write that could race is conditional and
 * a lost race surfaces as a ConflictError, never as a silent overwrite.
 */

import type { Broadcast } from '../domain/broadcasts';
import type { CareReminder } from '../domain/care/reminder';
import { ConflictError } from '../domain/errors';
import type {
  Appointment,
  Channel,
  Clinic,
  InboundMessage,
  InboundState,
  Message,
  MessageStatus,
  Patient,
  Priority,
  Receipt,
  SurveyAnswer,
} from '../domain/model';
import type { ReceiptPrecondition } from '../domain/receipts';
import type { SmsOptState } from '../domain/replies/consent';

/**
 * `expectedVersion`: the version the caller read, or `null` when the record
 * must not exist yet. A mismatch throws ConflictError.
 */
export type ExpectedVersion = number | null;

export interface ClinicRepository {
  get(clinicId: string): Promise<Clinic | undefined>;
  /** Writes `clinic` (whose `version` is the new version) if the stored one is at `expectedVersion`. */
  put(clinic: Clinic, expectedVersion: ExpectedVersion): Promise<void>;
}

export interface PatientRepository {
  get(clinicId: string, patientId: string): Promise<Patient | undefined>;
  put(patient: Patient, expectedVersion: ExpectedVersion): Promise<void>;
  /** Patients of a clinic with this E.164 number (inbound texts). */
  findByPhone(clinicId: string, phone: string): Promise<Patient[]>;
  /** One page of a clinic's patients in id order (a broadcast's topic audience). */
  listPage(clinicId: string, page?: { limit?: number; cursor?: string }): Promise<Page<Patient>>;
}

/** What a fan-out page adds to a broadcast's progress. */
export interface FanOutAdvance {
  /** The page count the broadcast must be at (the advance is conditional on it). */
  fromPages: number;
  /** Where the next page starts; absent when this was the last page. */
  cursor?: string | undefined;
  planned: number;
  skipped: Readonly<Record<string, number>>;
  at: string;
}

/**
 * Broadcasts (issue 14), each keyed by its clinic. Whole-record writes are
 * versioned; the fan-out's progress and the send outcomes are atomic
 * additions that never race a staff edit (a broadcast changes only while
 * `scheduled`, before its fan-out starts).
 */
export interface BroadcastRepository {
  get(clinicId: string, broadcastId: string): Promise<Broadcast | undefined>;
  put(broadcast: Broadcast, expectedVersion: ExpectedVersion): Promise<void>;
  list(clinicId: string, page?: { limit?: number; cursor?: string }): Promise<Page<Broadcast>>;
  /** Broadcasts whose fan-out is due at `upTo` or before (scheduled or planning), across clinics. */
  dueForFanOut(upTo: string, limit: number): Promise<{ clinicId: string; broadcastId: string }[]>;
  /** When the soonest fan-out falls due, across clinics (local mode's driver schedules its sweep by it). */
  earliestFanOutAt(): Promise<string | undefined>;
  /** scheduled → planning, conditional on the version read. Returns false when it moved on meanwhile. */
  startFanOut(clinicId: string, broadcastId: string, version: number, at: string): Promise<boolean>;
  /**
   * Records one planned page: cursor and page count, the planned and
   * skipped counts added, and `planned` when it was the last page. Only
   * from `fromPages` of a broadcast still planning: false otherwise (a
   * second worker did this page, or the broadcast was cancelled).
   */
  advanceFanOut(clinicId: string, broadcastId: string, advance: FanOutAdvance): Promise<boolean>;
  /**
   * Cancels a broadcast that is not cancelled yet: status, when, a new
   * version; out of the fan-out index. Returns it as stored after, or as it
   * was when it is cancelled already; undefined when there is none.
   */
  cancel(clinicId: string, broadcastId: string, at: string): Promise<Broadcast | undefined>;
  /** Counts one broadcast message's outcome at send time (`sent`, `failed`, or skipped with a reason). */
  countOutcome(
    clinicId: string,
    broadcastId: string,
    outcome: { status: 'sent' | 'failed' } | { status: 'skipped'; reason: string },
  ): Promise<void>;
}

/** A care reminder: its patient's, in its clinic. */
export interface CareReminderKey {
  clinicId: string;
  patientId: string;
  reminderId: string;
}

/**
 * Care reminders (issue 14), kept in the messages table. Whole-record writes
 * are versioned: a staff change and the pipeline's planning of the same
 * reminder cannot both win.
 */
export interface CareReminderRepository {
  get(key: CareReminderKey): Promise<CareReminder | undefined>;
  put(reminder: CareReminder, expectedVersion: ExpectedVersion): Promise<void>;
  /**
   * The planner's bookkeeping (`plannedAt`, the next `planAt`) at the version
   * it read, which stays: a staff user's ETag does not go stale for it.
   * ConflictError when the reminder changed meanwhile.
   */
  putPlanned(reminder: CareReminder): Promise<void>;
  /** A patient's care reminders in reminder id order. */
  listForPatient(
    clinicId: string,
    patientId: string,
    page?: { limit?: number; cursor?: string },
  ): Promise<Page<CareReminder>>;
  /** Care reminders whose planning is due at `upTo` or before (`planAt`), across clinics. */
  dueForPlanning(upTo: string, limit: number): Promise<CareReminderKey[]>;
  /** When the soonest planning falls due, across clinics (local mode's driver schedules its sweep by it). */
  earliestPlanAt(): Promise<string | undefined>;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

export interface AppointmentRepository {
  get(clinicId: string, appointmentId: string): Promise<Appointment | undefined>;
  put(appointment: Appointment, expectedVersion: ExpectedVersion): Promise<void>;
  /** Appointments starting in [from, to), in start order. */
  listByStart(
    clinicId: string,
    range: { from: string; to: string },
    page?: { limit?: number; cursor?: string },
  ): Promise<Page<Appointment>>;
}

/** Where a message lives: its patient's partition and its id. */
export interface MessageKey {
  clinicId: string;
  patientId: string;
  messageId: string;
}

/**
 * Where the sweep looks for due messages; how that maps to the index is the
 * repository's. `shared`: texts of clinics without a number of their own
 * (and every text planned before numbers had lanes of their own); `own`:
 * the texts planned for one clinic's own number.
 */
export type DueSource =
  | { channel: 'email' }
  | { channel: 'sms'; lane: 'shared' }
  | { channel: 'sms'; lane: 'own'; clinicId: string };

/** What the sweep reads from the due index: just enough to budget and claim. */
export interface DueEntry {
  key: MessageKey;
  dueAt: string;
  notAfter: string;
  priority: Priority;
  channel: Channel;
  rev: number;
  /** Found in a clinic's own number's lane (the message's `ownNumber`). */
  ownNumber: boolean;
}

export interface MessageRepository {
  get(key: MessageKey): Promise<Message | undefined>;
  /** Every message planned for an appointment, in id order. */
  listForAppointment(clinicId: string, patientId: string, appointmentId: string): Promise<Message[]>;
  /** Every message of a patient (all appointments, broadcasts, replies). */
  listForPatient(clinicId: string, patientId: string): Promise<Message[]>;
  /**
   * Stores a new message (pending ones enter the due index; so do queued
   * ones, created already claimed by an immediate send, so that a lapsed
   * claim is found by the sweep like any other). Returns false,
   * changing nothing, when a message with this id already exists: ids are
   * deterministic, so that is a replay.
   */
  create(message: Message): Promise<boolean>;
  /**
   * Every due entry of these sources and one priority with dueAt < upTo,
   * oldest first, read `pageSize` at a time only as far as the caller iterates.
   * Entries still in flight (claimed by an earlier sweep, not yet sent) stay
   * in the index, so a caller may need more than one page to fill a budget.
   */
  dueOldestFirst(
    sources: readonly DueSource[],
    priority: Priority,
    upTo: string,
    pageSize: number,
  ): AsyncIterable<DueEntry>;
  /** The earliest due time of anything these sources hold (local mode's driver jumps to it). */
  earliestDueAt(sources: readonly DueSource[]): Promise<string | undefined>;
  /**
   * Claims a due item for one dispatch: only a pending item at `expectedRev`,
   * or a queued one whose lease has run out. Sets status queued, the token
   * and the lease.
   */
  claim(
    key: MessageKey,
    expectedRev: number,
    claim: { token: string; leaseUntil: string; at: string },
  ): Promise<void>;
  /**
   * Marks the claimed item as being sent by this attempt. Only the holder of
   * `token` may, and only from queued. The item stays in the due index under
   * its claim's lease until the attempt ends, so an attempt whose every
   * delivery died is found by the sweep once the lease lapses
   * ({@link retakeLapsedAttempt}). Returns the message as stored after the change.
   */
  markSending(key: MessageKey, attempt: { token: string; attemptId: string; at: string }): Promise<Message>;
  /**
   * Takes back a `sending` item of `token` whose lease lapsed before `at`
   * (every delivery of its attempt died), with a new lease, so its queue
   * message can be sent again to settle it: send-message then finds the
   * attempt interrupted and records the outcome as unknown, never sending
   * twice. Conditional: one sweep wins.
   */
  retakeLapsedAttempt(
    key: MessageKey,
    token: string,
    lease: { leaseUntil: string; at: string },
  ): Promise<Message>;
  /** sending → sent, with the provider's id (and why, when it went by a fallback channel). */
  markSent(
    key: MessageKey,
    token: string,
    result: { providerMessageId: string; channel: Channel; at: string; reason?: string },
  ): Promise<Message>;
  /** Ends an attempt of this token with a terminal status and reason. */
  finish(
    key: MessageKey,
    token: string,
    outcome: { status: Extract<MessageStatus, 'failed' | 'unknown' | 'skipped'>; reason: string; at: string },
    from: readonly MessageStatus[],
  ): Promise<Message>;
  /**
   * Puts a claimed or sending item of this token back into the due index for
   * another try (backoff after a transient failure, a quiet-hours deferral,
   * or a fallback to another channel).
   */
  reschedule(
    key: MessageKey,
    token: string,
    next: {
      dueAt: string;
      channel: Channel;
      priority: Priority;
      reason: string;
      failedChannels?: readonly Channel[];
      /** The message's `ownNumber`: back into its number's lane, not the shared one. */
      ownNumber?: boolean | undefined;
      at: string;
    },
    from: readonly MessageStatus[],
  ): Promise<Message>;
  /**
   * Withdraws a message that is still pending or queued (a reschedule or a
   * cancellation made it obsolete, or it expired before it could be sent):
   * skipped with a reason, out of the index. `planVersion` records which
   * appointment version withdrew it.
   */
  withdraw(key: MessageKey, change: { reason: string; planVersion?: number; at: string }): Promise<Message>;
  /**
   * Gives a reminder that the frequency cap skipped back to pending (room
   * came free); refuses any other state, so a visit that closed the reminder
   * meanwhile (moved, ended) wins.
   */
  reinstate(message: Message, at: string): Promise<Message>;
  /**
   * Records what a delivery receipt says: `precondition.status` with the
   * receipt (and, when undeliverable, the reason), only from the states the
   * precondition allows. The item stays out of the due index. A repeat of the
   * same receipt returns the item as stored (`repeated`); any other state
   * throws MessageTransitionError with the item as it is.
   */
  recordReceipt(
    key: MessageKey,
    change: {
      precondition: ReceiptPrecondition;
      receipt: Receipt;
      reason?: string;
      /** The provider's id, kept where the message has none (its send ended unknown). */
      providerMessageId?: string;
      at: string;
    },
  ): Promise<{ message: Message; repeated: boolean }>;
  /**
   * Records the answer on a survey message, only if it holds none yet (one
   * answer per survey). The same answer again (a retried delivery: same
   * answeredAt and inbound id) is `replayed`; any other answer finds the
   * first one there and changes nothing (`answered-before`). A message that
   * is missing or not a survey throws MessageTransitionError.
   */
  recordSurveyAnswer(key: MessageKey, answer: SurveyAnswer, at: string): Promise<SurveyAnswerWrite>;
  /**
   * Adds the patient's comment to the answer of `survey` (as the caller
   * read it: an answer never changes once written), only if the stored
   * answer holds no comment yet. The same comment again (same inbound id
   * and time) is `replayed`; another finds the first there
   * (`answered-before`); a survey read with no answer is `unanswered`
   * (nothing changes).
   */
  recordSurveyComment(
    survey: Message,
    comment: NonNullable<SurveyAnswer['comment']>,
    at: string,
  ): Promise<SurveyAnswerWrite | { outcome: 'unanswered'; message: Message }>;
}

/** What a survey answer or comment write did, with the survey as stored after it. */
export interface SurveyAnswerWrite {
  outcome: 'recorded' | 'replayed' | 'answered-before';
  message: Message;
}

/**
 * The share of a number's (or the email account's) send rate that may go out
 * at once, outside the sweep (change notices, confirmations, keyword
 * replies): a count per number and calendar minute, taken atomically so that any number of
 * planners together never take more than the limit.
 */
export interface SendNowBudget {
  /**
   * Takes up to `count` of the slots kept for immediate sends of `lane` (a
   * channel, or `sms@<clinicId>` for a clinic's own number, with its rate:
   * `sms@north#3`) on `day` (UTC, `YYYY-MM-DD`): slot j is the day's part
   * j·SEND_NOW_EVERY of that number at that rate (shared/domain/pacing.ts). Only slots `from` ≤ j < `until` are taken,
   * the earliest free first, each at most once across concurrent callers.
   *
   * @returns the first slot taken and how many (0: none left in the window)
   */
  take(
    lane: string,
    day: string,
    window: { from: number; until: number },
    count: number,
  ): Promise<{ first: number; count: number }>;
}

/** One answer asking for a slot of its number's hourly auto-reply cap. */
export interface AutoReplySlotRequest {
  clinicId: string;
  /** The number answered (E.164). */
  number: string;
  /** The text answered: a retry of it finds its slot again. */
  inboundMessageId: string;
  /** Now, UTC ISO. */
  at: string;
  /** Slots taken at or before this instant (UTC ISO) have lapsed: a rolling window. */
  windowStart: string;
  /** Slots in a window. */
  limit: number;
}

/**
 * The hourly auto-reply cap per number, exact when many texts from one
 * number are handled at once (a conditional write per slot taken).
 */
export interface AutoReplyCap {
  /** `taken` a free slot, `already` held by this text (a retry), or `full`. */
  take(request: AutoReplySlotRequest): Promise<'taken' | 'already' | 'full'>;
}

/**
 * What the sweep keeps about send lanes (issue 19). Provider throttles by
 * lane (a clinic's own number, or the shared one): send-message records
 * each, and the sweep gives a number throttled since its previous run half
 * its budget for the next minute. And every clinic whose own number's lane
 * the sweep has read: when a clinic moves off its own number, the texts
 * already waiting in that lane are still found (and sent from the shared
 * number), however the config changed.
 */
export interface ThrottleLog {
  /** Notes that the provider throttled a text from `lane` at `at`. */
  record(lane: string, at: string): Promise<void>;
  /**
   * One read of the lanes: those throttled after `since` (a sweep passes
   * the time a minute ago: one sweep sees each throttle), and the clinics
   * whose own-number lanes are registered.
   */
  readLanes(since: string): Promise<{ throttled: ReadonlySet<string>; ownLanes: ReadonlySet<string> }>;
  /** Registers clinics' own-number lanes, kept for good (a registered lane with nothing due costs a sweep three empty queries). */
  registerOwnLanes(clinicIds: readonly string[], at: string): Promise<void>;
}

/**
 * A conditional transition of a message lost: `current` is the item as it
 * was when the condition failed (absent if it does not exist), so the caller
 * can tell an earlier attempt of its own from another worker's.
 */
export class MessageTransitionError extends ConflictError {
  constructor(
    message: string,
    readonly current: Message | undefined,
  ) {
    super(message, current?.rev);
  }
}

/** A number's texted STOP/START state when no patient of the clinic has the number. */
export interface NumberOptState {
  clinicId: string;
  /** E.164. */
  number: string;
  state: SmsOptState;
  /** Optimistic concurrency: 1 for the first write. */
  version: number;
  updatedAt: string;
}

/**
 * Inbound texts (two-way SMS) and the staff inbox. Every key starts with
 * the clinic id. A text is stored once per `inboundMessageId`.
 */
export interface InboundRepository {
  /** The text with this inbound id, if it was recorded. */
  get(clinicId: string, inboundMessageId: string): Promise<InboundMessage | undefined>;
  /**
   * Stores a text that was handled (conditional on its inbound id being
   * new). Returns false, changing nothing, when it exists already: a second
   * delivery of the same text.
   */
  record(inbound: InboundMessage): Promise<boolean>;
  /**
   * The inbox: texts in one state (`open` needs a person), newest first.
   * The cursor is bound to the clinic and the state.
   */
  listByState(
    clinicId: string,
    state: InboundState,
    page?: { limit?: number; cursor?: string },
  ): Promise<Page<InboundMessage>>;
  /**
   * A patient's texts to the clinic, oldest first (a conversation reads in
   * time order; pass `newestFirst` for the latest page first). With
   * `before`, only texts whose `${receivedAt}#${inboundMessageId}` sorts
   * before it (a conversation page's earlier end).
   */
  listForPatient(
    clinicId: string,
    patientId: string,
    page?: { limit?: number; cursor?: string; newestFirst?: boolean; before?: string },
  ): Promise<Page<InboundMessage>>;
  /**
   * Texts from a number that matched no patient, received at or after
   * `since` (UTC ISO), oldest first.
   */
  listUnmatchedFromNumber(clinicId: string, number: string, since: string): Promise<InboundMessage[]>;
  /**
   * Texts a patient sent at or after `since` (UTC ISO), oldest first, all
   * pages (the loop guard and the auto-reply cap read the last hour).
   */
  listForPatientSince(clinicId: string, patientId: string, since: string): Promise<InboundMessage[]>;
  /**
   * Moves an inbox text to `state` (`done`, or `open` again), recording who
   * and when. Only a text that is in the inbox (has a state) can move;
   * moving it to the state it is in changes nothing and returns it as is.
   *
   * @throws NotFoundError when there is no such text, ConflictError when it is not an inbox text
   */
  setState(
    clinicId: string,
    inboundMessageId: string,
    change: { state: InboundState; at: string; by: string },
  ): Promise<InboundMessage>;
  /**
   * Assigns an open text to a staff subject (`to`), or unassigns it
   * (`to` undefined). Assigning it as it already is changes nothing.
   * NotFoundError for an unknown text; ConflictError for one that needs
   * nobody, one done already, or one changed meanwhile.
   */
  assign(
    clinicId: string,
    inboundMessageId: string,
    change: { to: string | undefined; at: string },
  ): Promise<InboundMessage>;
  /** A number's texted STOP/START state (numbers no patient has). */
  getNumberOptState(clinicId: string, number: string): Promise<NumberOptState | undefined>;
  /**
   * Writes a number's state if the stored one is at `expectedVersion`
   * (null: none stored yet); ConflictError otherwise.
   */
  putNumberOptState(record: NumberOptState, expectedVersion: ExpectedVersion): Promise<void>;
}
