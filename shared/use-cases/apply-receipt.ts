import type { Message, Patient } from '../domain/model';
import {
  type DeliveryReceipt,
  fallbackFor,
  markedUndeliverable,
  optedOutByComplaint,
  type ReceiptVerdict,
  receiptMismatch,
  receiptPrecondition,
  receiptVerdict,
  storedReceipt,
} from '../domain/receipts';
import { type Clock, toUtcIso } from '../domain/time';
import type { AppLogger, DomainEvent, EventPublisher, Telemetry } from '../ports/outbound';
import {
  type MessageKey,
  type MessageRepository,
  MessageTransitionError,
  type PatientRepository,
} from '../ports/repositories';
import { type CountingDeps, countOptOuts } from './count-events';
import { messageEventDetail, publishAfterStoring } from './message-events';
import { updatePatient } from './patient-updates';

export interface ReceiptDeps extends CountingDeps {
  messages: MessageRepository;
  patients: PatientRepository;
  events: EventPublisher;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
}

export type ReceiptOutcome =
  | 'delivered'
  | 'undeliverable'
  /** A complaint opted the patient's email out (the message was delivered already). */
  | 'opted-out'
  /** The same receipt again: nothing new; its effects were made sure of. */
  | 'replayed'
  /** The message is still `sending`: deliver the receipt again later. */
  | 'not-yet-sent'
  /** A receipt that changes nothing (progress, unrecognised, settled, never sent). */
  | 'ignored'
  /** No such message (expired, or not one of ours). */
  | 'unmatched';

type Settling = Extract<ReceiptVerdict, { kind: 'delivered' | 'undeliverable' | 'complaint' }>;

/**
 * Applies one delivery receipt to the message it names, at most once.
 *
 * Primary course:
 * 1. Read the receipt: delivered, undeliverable (the event type, or the
 *    bounce type, as reason), a complaint, or nothing to act on.
 * 2. Record it on the message with one conditional write: from `sent` or
 *    `unknown`, or overturning a carrier's or mail server's acceptance. A
 *    message still `sending` (the provider answered before `sent` was
 *    stored) is left as it is and the receipt comes back later; a repeat of
 *    an applied receipt goes on to step 3, so effects a crash cut short are
 *    made now.
 * 3. Undeliverable: a permanent bounce marks the patient's email
 *    undeliverable; then the copy on the patient's next allowed channel is
 *    stored (deterministic id, so once), due at once. A complaint opts the
 *    patient's email out (source `complaint`).
 * 4. Publish MessageFailed (undeliverable) or PatientOptedOut (complaint)
 *    when this call made the change.
 *
 * @param deps - repositories, bus, clock, logger, telemetry
 * @param receipt - the decoded receipt (ids, event, time, bounce details)
 */
export async function applyReceipt(deps: ReceiptDeps, receipt: DeliveryReceipt): Promise<ReceiptOutcome> {
  const key: MessageKey = {
    clinicId: receipt.clinicId,
    patientId: receipt.patientId,
    messageId: receipt.messageId,
  };
  const log = { ...key, channel: receipt.channel, event: receipt.event };
  const verdict = receiptVerdict(receipt);
  if (verdict.kind === 'progress' || verdict.kind === 'unrecognised') {
    deps.telemetry.count('ReceiptIgnored', 1, { why: verdict.kind });
    deps.logger.debug('receipt with nothing to record', { ...log, why: verdict.kind });
    return 'ignored';
  }
  const at = toUtcIso(deps.clock.now());
  const recorded = await record(deps, key, receipt, verdict, at);
  if (!('message' in recorded)) {
    const unmatched = recorded.outcome === 'unmatched';
    deps.telemetry.count(unmatched ? 'ReceiptUnmatched' : 'ReceiptBeforeSent', 1, {
      channel: receipt.channel,
    });
    deps.logger[unmatched ? 'warn' : 'info'](`receipt ${recorded.outcome}`, log);
    return recorded.outcome;
  }

  const { message, fresh } = recorded;
  const events: DomainEvent[] = [];
  if (verdict.kind === 'undeliverable' && (fresh || recorded.outcome === 'replayed')) {
    await afterUndeliverable(deps, message, receipt, verdict, at);
    if (fresh) events.push(failedEvent(message, at));
  }
  const complaint =
    verdict.kind === 'complaint' ? await optOutAfterComplaint(deps, message, receipt, at) : undefined;
  const optedOut = complaint?.event;
  if (optedOut) events.push(optedOut);
  await publishAfterStoring(deps, events);
  // After the opt-out is stored, and on every delivery of the receipt: a redelivery after a
  // crash finds the opt-out already made and counts it then (the event id makes it once).
  if (complaint?.patient) await countOptOuts(deps, complaint.patient, deps.clock.now());

  if (fresh) {
    deps.telemetry.count(fresh === 'delivered' ? 'ReceiptDelivered' : 'ReceiptUndeliverable', 1, {
      channel: receipt.channel,
    });
    deps.logger.info(`message ${fresh}`, log);
    return fresh;
  }
  if (optedOut) return 'opted-out';
  deps.telemetry.count('ReceiptIgnored', 1, { why: recorded.why ?? 'unchanged' });
  deps.logger.info('receipt changed no message', { ...log, why: recorded.why, status: message.status });
  return recorded.outcome;
}

type Recorded =
  | { outcome: 'unmatched' | 'not-yet-sent' }
  | {
      outcome: 'delivered' | 'undeliverable' | 'replayed' | 'ignored';
      message: Message;
      /** The status this call gave the message; false when it changed nothing. */
      fresh: 'delivered' | 'undeliverable' | false;
      why?: string;
    };

/** Step 2: the conditional write, and what a lost condition means. */
async function record(
  deps: ReceiptDeps,
  key: MessageKey,
  receipt: DeliveryReceipt,
  verdict: Settling,
  at: string,
): Promise<Recorded> {
  const precondition = receiptPrecondition(verdict);
  try {
    const { message, repeated } = await deps.messages.recordReceipt(key, {
      precondition,
      receipt: storedReceipt(receipt),
      ...(verdict.kind === 'undeliverable' ? { reason: verdict.reason } : {}),
      ...(receipt.providerMessageId ? { providerMessageId: receipt.providerMessageId } : {}),
      at,
    });
    if (repeated) return { outcome: 'replayed', message, fresh: false, why: 'already-applied' };
    return { outcome: precondition.status, message, fresh: precondition.status };
  } catch (error) {
    if (!(error instanceof MessageTransitionError)) throw error;
    const current = error.current;
    if (!current) return { outcome: 'unmatched' };
    const mismatch = receiptMismatch(current, receipt, precondition.status);
    if (mismatch === 'not-yet-sent') return { outcome: 'not-yet-sent' };
    return {
      outcome: mismatch === 'already-applied' ? 'replayed' : 'ignored',
      message: current,
      fresh: false,
      why: mismatch,
    };
  }
}

/** Step 3 for an undeliverable message: the bounce mark, then the copy on the next channel. */
async function afterUndeliverable(
  deps: ReceiptDeps,
  message: Message,
  receipt: DeliveryReceipt,
  verdict: Extract<ReceiptVerdict, { kind: 'undeliverable' }>,
  at: string,
): Promise<void> {
  let patient: Patient | undefined = await deps.patients.get(message.clinicId, message.patientId);
  if (patient && verdict.addressUndeliverable) {
    const marked = await updatePatient(
      deps.patients,
      patient,
      (current) => markedUndeliverable(current, receipt, message.messageId),
      at,
    );
    patient = marked.patient;
    if (marked.changed) {
      deps.telemetry.count('EmailMarkedUndeliverable');
      deps.logger.info('patient email marked undeliverable', {
        clinicId: message.clinicId,
        patientId: message.patientId,
        messageId: message.messageId,
      });
    }
  }
  const next = fallbackFor(message, patient, at);
  if ('none' in next) {
    deps.telemetry.count('NoFallback', 1, { why: next.none });
    deps.logger.info('no fallback for the undeliverable message', {
      clinicId: message.clinicId,
      patientId: message.patientId,
      messageId: message.messageId,
      why: next.none,
    });
    return;
  }
  const created = await deps.messages.create(next.fallback);
  if (created) deps.telemetry.count('FallbackQueued', 1, { channel: next.fallback.channel });
  deps.logger.info('fallback queued on the next channel', {
    clinicId: message.clinicId,
    patientId: message.patientId,
    messageId: next.fallback.messageId,
    channel: next.fallback.channel,
    replayed: !created,
  });
}

/**
 * Step 3 for a complaint: the email opt-out; the patient as stored after it
 * (to count it), and its event when this call recorded it.
 */
async function optOutAfterComplaint(
  deps: ReceiptDeps,
  message: Message,
  receipt: DeliveryReceipt,
  at: string,
): Promise<{ patient?: Patient; event?: DomainEvent }> {
  const current = await deps.patients.get(message.clinicId, message.patientId);
  if (!current) return {};
  const { patient, changed } = await updatePatient(
    deps.patients,
    current,
    (stored) => optedOutByComplaint(stored, receipt),
    at,
  );
  if (!changed) return { patient };
  deps.telemetry.count('EmailComplaintOptOut');
  return {
    patient,
    event: {
      detailType: 'PatientOptedOut',
      detail: {
        clinicId: message.clinicId,
        patientId: message.patientId,
        channel: 'email',
        source: 'complaint',
        messageId: message.messageId,
        at: receipt.at,
      },
    },
  };
}

function failedEvent(message: Message, at: string): DomainEvent {
  return { detailType: 'MessageFailed', detail: messageEventDetail(message, at) };
}
