/**
 * A staff member's answer to a patient, by SMS (issue 12, item 7): free
 * text, checked against the clinic's segment budget, stored on the outbox
 * message it becomes (kind `staff-reply`), and handed to the send queue at
 * once like an auto-reply. send-message reads the stored words at send time.
 */
import { createHash } from 'node:crypto';
import type { DateTime } from 'luxon';
import { type StaffReplyAccepted, StaffReplyBodySchema } from '../../api/schemas';
import { DEFAULT_PRIORITY, segmentBudgetFor } from '../../domain/constants';
import {
  ConflictError,
  NotFoundError,
  RecordNotFoundError,
  StateConflictError,
  ValidationError,
} from '../../domain/errors';
import type { Message } from '../../domain/model';
import { resolveLanguage } from '../../domain/planning';
import {
  countSegments,
  STAFF_REPLY_CONVERSATION_HOURS,
  staffReplyOpensConversation,
  staffReplyWords,
} from '../../domain/templates';
import { toUtcIso } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type { ClinicRepository, InboundRepository, PatientRepository } from '../../ports/repositories';
import { ClinicCache } from '../clinic-cache';
import { createAndEnqueueDueNow, type SendNowDeps } from '../enqueue-due-now';

/**
 * How long a staff reply is worth sending: one that could not go within the
 * hour (the provider down, the number's budget spent) is skipped `expired`
 * rather than arrive when the conversation has moved on; staff see it so.
 */
export const STAFF_REPLY_VALID_MINUTES = 60;

/** The prefix of every staff reply's message id (`~` keeps it apart from appointment ids). */
export const STAFF_REPLY_ID_PREFIX = '~staff-reply#';

export interface StaffReplyDeps extends Omit<SendNowDeps, 'clinics'> {
  clinics: ClinicRepository;
  patients: PatientRepository;
  /** The patient's texts, to tell an answer from a new message (the 24-hour rule). */
  inbound: Pick<InboundRepository, 'listForPatientSince' | 'listUnmatchedFromNumber'>;
  /** A fresh unique id, for a reply sent without an idempotency key. */
  newId: () => string;
}

export interface StaffReplyRequest {
  clinicId: string;
  patientId: string;
  /** The request body: `{ "text": … }`. */
  body: unknown;
  /** The staff user's subject (an id), stored as the reply's author. */
  by: string;
  /** The caller's idempotency key: the same key from the same user sends one reply. */
  idempotencyKey?: string | undefined;
}

/**
 * The reply's message id: from the caller's idempotency key when there is
 * one (so a retried request finds the reply it made), else new. Sorted by
 * time within the patient's partition either way.
 */
function replyIdOf(request: StaffReplyRequest, at: string, newId: () => string): string {
  if (request.idempotencyKey) {
    const digest = createHash('sha256')
      .update(`${request.clinicId}\n${request.patientId}\n${request.by}\n${request.idempotencyKey}`)
      .digest('hex')
      .slice(0, 32);
    return `${STAFF_REPLY_ID_PREFIX}k-${digest}`;
  }
  return `${STAFF_REPLY_ID_PREFIX}${at.replace(/[-:.]/g, '')}-${newId().replace(/-/g, '').slice(0, 12)}`;
}

/**
 * When the patient last texted the clinic, within the 24-hour rule's
 * window: their own texts, and texts from their number that matched no
 * patient (sent before the clinic registered them).
 */
async function lastTextAt(
  deps: StaffReplyDeps,
  patient: { clinicId: string; patientId: string; phone?: string | undefined },
  now: DateTime,
): Promise<string | undefined> {
  const since = toUtcIso(now.minus({ hours: STAFF_REPLY_CONVERSATION_HOURS }));
  const lists = await Promise.all([
    deps.inbound.listForPatientSince(patient.clinicId, patient.patientId, since),
    patient.phone ? deps.inbound.listUnmatchedFromNumber(patient.clinicId, patient.phone, since) : [],
  ]);
  return lists
    .flat()
    .map((text) => text.receivedAt)
    .sort()
    .at(-1);
}

/**
 * Sends a staff member's free text to a patient by SMS, at once.
 *
 * Primary course:
 * 1. Parse the body: free text (no control characters, bidirectional
 *    overrides or broken surrogates; line breaks allowed), 1–1,600 characters.
 * 2. Load the clinic and the patient (404); the patient must have a phone
 *    and must not have opted out of SMS (409, nothing written).
 * 3. An answer or a new message: when the patient has not texted the
 *    clinic in the last 24 hours (or never), the reply starts a new
 *    message from the clinic, and is sent with the clinic's SMS name before
 *    the words and the opt-out line of the patient's language after them
 *    (CTIA: a message the clinic starts names it and says how to stop).
 * 4. Count the parts of the words as sent against the clinic's budget for
 *    staff replies (`policy.segmentBudget.other`); over it: 400 on `text`.
 * 5. Store it as a `staff-reply` message with the words on it and hand it
 *    to the send queue at once (createAndEnqueueDueNow) when it is one SMS
 *    part: `queued`; a longer one, or one past this minute's kept parts, is
 *    `pending` for the next sweep, which paces parts.
 *
 * @param deps - repositories, the send-now ports, clock, ids
 * @param request - the clinic, patient, body, author and idempotency key
 * @returns the message id and where it stands
 */
export async function sendStaffReply(
  deps: StaffReplyDeps,
  request: StaffReplyRequest,
): Promise<StaffReplyAccepted> {
  const { text } = parseOrThrow(StaffReplyBodySchema, request.body);
  // Read through a cache made for this request, which the immediate send
  // reads the clinic's segment budget from again without a second read.
  const clinics = new ClinicCache(deps.clinics, deps.clock);
  const clinic = await clinics.get(request.clinicId);
  if (!clinic) {
    throw new RecordNotFoundError(`clinic ${request.clinicId} does not exist`, 'clinic', request.clinicId);
  }
  const patient = await deps.patients.get(request.clinicId, request.patientId);
  if (!patient) {
    throw new NotFoundError(`patient ${request.patientId} does not exist in clinic ${request.clinicId}`);
  }
  if (patient.optOuts.sms) {
    throw new ConflictError(
      `patient ${patient.patientId} opted out of SMS (source ${patient.optOuts.sms.source}, at ${patient.optOuts.sms.at}); ` +
        'no text can be sent to them until they opt back in',
    );
  }
  if (!patient.phone) {
    throw new ConflictError(`patient ${patient.patientId} has no phone number to text`);
  }
  const now = deps.clock.now();
  const at = toUtcIso(now);
  const language = resolveLanguage(patient, clinic.policy);
  const opensConversation = staffReplyOpensConversation(await lastTextAt(deps, patient, now), now);
  const words = staffReplyWords({ text, opensConversation, clinic, language });
  const budget = segmentBudgetFor(clinic.policy, 'staff-reply');
  const parts = countSegments(words);
  if (parts.segments > budget) {
    const framed = opensConversation
      ? ` as sent: the patient has not texted in the last ${STAFF_REPLY_CONVERSATION_HOURS} hours, so the clinic's name goes before it and the opt-out line after it`
      : '';
    throw new ValidationError([
      {
        path: 'text',
        message:
          `takes ${parts.segments} SMS parts (${parts.encoding}, ${parts.units} characters)${framed}; the clinic's ` +
          `budget for staff replies is ${budget} (policy.segmentBudget.other)`,
      },
    ]);
  }

  const messageId = replyIdOf(request, at, deps.newId);
  const message: Message = {
    clinicId: clinic.clinicId,
    patientId: patient.patientId,
    messageId,
    kind: 'staff-reply',
    priority: DEFAULT_PRIORITY['staff-reply'],
    channel: 'sms',
    ...(clinic.originationIdentity ? { ownNumber: true } : {}),
    language,
    dueAt: at,
    plannedAt: at,
    notAfter: toUtcIso(now.plus({ minutes: STAFF_REPLY_VALID_MINUTES })),
    status: 'pending',
    attempts: 0,
    staffReply: { text, by: request.by.slice(0, 128), ...(opensConversation ? { opensConversation } : {}) },
    planVersion: 1,
    rev: 1,
    createdAt: at,
    updatedAt: at,
  };
  const summary = await createAndEnqueueDueNow({ ...deps, clinics }, [message]);
  if (!summary.created[0]) {
    // The same idempotency key again: the first request's reply, as it stands now.
    const stored = await deps.messages.get({
      clinicId: clinic.clinicId,
      patientId: patient.patientId,
      messageId,
    });
    if (stored?.staffReply && stored.staffReply.text !== text) {
      // A key names one draft: reusing it for other words would silently drop them.
      throw new StateConflictError(
        `was used by this user for another reply to patient ${patient.patientId} (message ${messageId}, ` +
          `${stored.status}); nothing was sent for this one: use a fresh key for a new reply`,
        'Idempotency-Key',
      );
    }
    return {
      messageId,
      status: stored?.status ?? 'pending',
      replayed: true,
      opensConversation: stored?.staffReply?.opensConversation === true,
      segments: parts.segments,
      encoding: parts.encoding,
    };
  }
  return {
    messageId,
    status: summary.enqueued > 0 ? 'queued' : 'pending',
    replayed: false,
    opensConversation,
    segments: parts.segments,
    encoding: parts.encoding,
  };
}
