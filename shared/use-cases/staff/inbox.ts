/**
 * The staff inbox: the patients' texts that need a person (reschedule and
 * cancel requests, free text, texts from unknown numbers), assigning one
 * to a staff user, marking one done, and a patient's whole conversation with the clinic (their texts
 * and every message to them) in time order.
 */
import type {
  Conversation,
  ConversationItem,
  ConversationQuery,
  InboxItem,
  InboxPage,
  InboxQuery,
} from '../../api/schemas';
import { ConversationQuerySchema, InboxQuerySchema } from '../../api/schemas';
import { type CareReminder, parseCareMessageId } from '../../domain/care/reminder';
import { renderCareEmail, renderCareSms } from '../../domain/care/wording';
import { NotFoundError, ValidationError } from '../../domain/errors';
import {
  ACCEPTED_STATUSES,
  type Appointment,
  type Clinic,
  type InboundMessage,
  type Message,
  type Patient,
} from '../../domain/model';
import { resolveLanguage, zoneFor } from '../../domain/planning';
import {
  isTemplateKind,
  render,
  renderKeywordReply,
  renderSms,
  staffReplyWordsOf,
} from '../../domain/templates';
import { type Clock, toUtcIso } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type {
  AppointmentRepository,
  CareReminderRepository,
  ClinicRepository,
  InboundRepository,
  MessageRepository,
  PatientRepository,
} from '../../ports/repositories';
import { keywordReplyOf } from '../queue-auto-reply';
import { loadClinic, localIso, mapWithConcurrency } from './common';

export interface StaffInboxDeps {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
  inbound: InboundRepository;
  /** The care reminders a patient's care messages are about (their action, for the words). */
  careReminders: Pick<CareReminderRepository, 'get'>;
  clock: Clock;
}

/** A stored text as staff see it. */
export function toInboxItem(inbound: InboundMessage, clinic: Clinic): InboxItem {
  return {
    itemId: inbound.inboundMessageId,
    ...inbound,
    receivedLocal: localIso(inbound.receivedAt, clinic.timeZone),
    timeZone: clinic.timeZone,
  };
}

/**
 * One page of the inbox in one state, newest first.
 *
 * @param deps - repositories
 * @param clinicId - the clinic in the path
 * @param query - the raw query (`status`, `limit`, `cursor`)
 */
export async function listInbox(
  deps: StaffInboxDeps,
  clinicId: string,
  query: Record<string, string>,
): Promise<InboxPage> {
  const { status, limit, cursor }: InboxQuery = parseOrThrow(InboxQuerySchema, query);
  const clinic = await loadClinic(deps.clinics, clinicId);
  const page = await deps.inbound.listByState(clinicId, status, { limit, ...(cursor ? { cursor } : {}) });
  return {
    status,
    items: page.items.map((inbound) => toInboxItem(inbound, clinic)),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

/**
 * Marks an inbox text done (idempotent: a text already done is returned as
 * it is, with who and when from the first time).
 *
 * @param deps - repositories and clock
 * @param ids - the clinic and the item (inbound message id)
 * @param by - the staff user's subject (an id)
 * @throws NotFoundError for an unknown item; ConflictError for a text that needed nobody
 */
export async function markInboxItemDone(
  deps: StaffInboxDeps,
  ids: { clinicId: string; itemId: string },
  by: string,
): Promise<InboxItem> {
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  const done = await deps.inbound.setState(ids.clinicId, ids.itemId, {
    state: 'done',
    at: toUtcIso(deps.clock.now()),
    by,
  });
  return toInboxItem(done, clinic);
}

/**
 * Assigns an open inbox text to a staff user, or unassigns it (assigning it
 * as it is changes nothing). A done text, or one that needed nobody, is a
 * ConflictError.
 *
 * @param deps - repositories and clock
 * @param ids - the clinic and the item (inbound message id)
 * @param assignee - the staff user's subject (an id), or null to unassign
 * @throws NotFoundError for an unknown item; ConflictError for a text done or that needed nobody
 */
export async function assignInboxItem(
  deps: StaffInboxDeps,
  ids: { clinicId: string; itemId: string },
  assignee: string | null,
): Promise<InboxItem> {
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  const assigned = await deps.inbound.assign(ids.clinicId, ids.itemId, {
    to: assignee ?? undefined,
    at: toUtcIso(deps.clock.now()),
  });
  return toInboxItem(assigned, clinic);
}

/**
 * When an outbound message belongs in the conversation: when the provider
 * took it, else when it ended, else when it is due.
 */
function outboundAt(message: Message): string {
  if (ACCEPTED_STATUSES.has(message.status) && message.finishedAt) return message.finishedAt;
  return message.finishedAt ?? message.dueAt;
}

/** What the conversation shows of an outbound message's words. */
interface Words {
  text: string;
  subject?: string;
  textSource: 'stored' | 'rendered';
}

/** What rendering a message again needs: the clinic, the patient and the visits as they are now. */
interface RenderContext {
  clinic: Clinic;
  patient: Patient;
  appointments: ReadonlyMap<string, Appointment>;
  /** The patient's care reminders the shown messages are about, by reminder id. */
  careReminders: ReadonlyMap<string, CareReminder>;
}

/** A care reminder message's words: its kind and due date (from its id), the reminder's action now. */
function careWordsOf(message: Message, context: RenderContext, language: string): Words | undefined {
  const parsed = parseCareMessageId(message.messageId);
  const reminder = parsed ? context.careReminders.get(parsed.reminderId) : undefined;
  if (!parsed || !reminder) return undefined;
  const { clinic, patient } = context;
  const input = {
    kind: parsed.kind,
    dueOn: parsed.dueOn,
    action: reminder.action,
    language,
    clinic,
    patient,
    zone: zoneFor(patient, clinic),
  };
  if (message.channel === 'sms') {
    const fitted = renderCareSms(input);
    return fitted.fits ? { text: fitted.text, textSource: 'rendered' } : undefined;
  }
  const email = renderCareEmail(input);
  return { text: email.text, subject: email.subject, textSource: 'rendered' };
}

/**
 * A message's words: a staff reply's as stored; any other kind rendered
 * again from the clinic's wording, the patient and the visit as they are
 * now (what the sender would send now), since the outbox keeps no words of
 * templated texts and automatic answers. Undefined when it no longer
 * renders (its visit is gone, a broadcast, which keeps no words).
 */
function wordsOf(message: Message, context: RenderContext): Words | undefined {
  const { clinic, patient } = context;
  const staffWords = staffReplyWordsOf(message, clinic);
  if (staffWords) return { text: staffWords, textSource: 'stored' };
  const language = resolveLanguage(patient, clinic.policy);
  try {
    if (message.kind === 'keyword-reply' && message.keywordReply) {
      const stored = message.keywordReply;
      const visit = stored.appointmentId ? context.appointments.get(stored.appointmentId) : undefined;
      const reply = keywordReplyOf(stored.answer, visit);
      if (!reply) return undefined;
      const fitted = renderKeywordReply({ ...reply, language, clinic, zone: patient.timeZone });
      return fitted.fits ? { text: fitted.text, textSource: 'rendered' } : undefined;
    }
    if (message.kind === 'care-reminder') return careWordsOf(message, context, language);
    if (!isTemplateKind(message.kind)) return undefined;
    const appointment = message.appointmentId ? context.appointments.get(message.appointmentId) : undefined;
    if (message.appointmentId && !appointment) return undefined;
    const base = { kind: message.kind, language, clinic, patient, ...(appointment ? { appointment } : {}) };
    if (message.channel === 'sms') {
      const fitted = renderSms(base);
      return fitted.fits ? { text: fitted.text, textSource: 'rendered' } : undefined;
    }
    const email = render({ ...base, channel: 'email' });
    return { text: email.text, subject: email.subject, textSource: 'rendered' };
  } catch {
    // A stored wording that no longer renders is the clinic's to fix; the conversation still shows the message.
    return undefined;
  }
}

function toOutboundItem(message: Message, context: RenderContext): ConversationItem {
  const accepted = ACCEPTED_STATUSES.has(message.status);
  // A skipped message carried no words (withdrawn after a move, declined, opted out): rendering it
  // now would show words it never had, such as a moved visit's new time on its withdrawn reminder.
  const words = message.status === 'skipped' ? undefined : wordsOf(message, context);
  return {
    direction: 'outbound',
    at: outboundAt(message),
    messageId: message.messageId,
    kind: message.kind,
    channel: message.channel,
    status: message.status,
    ...(message.reason ? { reason: message.reason } : {}),
    ...(message.appointmentId ? { appointmentId: message.appointmentId } : {}),
    dueAt: message.dueAt,
    ...(accepted && message.finishedAt ? { sentAt: message.finishedAt } : {}),
    ...(words ?? {}),
    ...(message.staffReply ? { by: message.staffReply.by } : {}),
  };
}

/** The care reminders a patient's care messages are about (each read once). */
async function careRemindersOf(
  deps: StaffInboxDeps,
  ids: { clinicId: string; patientId: string },
  messages: readonly Message[],
): Promise<Map<string, CareReminder>> {
  const reminderIds = new Set<string>();
  for (const message of messages) {
    const parsed = message.kind === 'care-reminder' ? parseCareMessageId(message.messageId) : undefined;
    if (parsed) reminderIds.add(parsed.reminderId);
  }
  const reminders = await mapWithConcurrency([...reminderIds], 8, (reminderId) =>
    deps.careReminders.get({ ...ids, reminderId }),
  );
  return new Map(
    reminders
      .filter((reminder): reminder is CareReminder => reminder !== undefined)
      .map((reminder) => [reminder.reminderId, reminder]),
  );
}

/** The visits a patient's messages show (each read once). */
async function visitsOf(
  deps: StaffInboxDeps,
  clinicId: string,
  messages: readonly Message[],
): Promise<Map<string, Appointment>> {
  const ids = new Set<string>();
  for (const message of messages) {
    const id = message.appointmentId ?? message.keywordReply?.appointmentId;
    if (id) ids.add(id);
  }
  const visits = await mapWithConcurrency([...ids], 8, (id) => deps.appointments.get(clinicId, id));
  return new Map(
    visits
      .filter((visit): visit is Appointment => visit !== undefined)
      .map((visit) => [visit.appointmentId, visit]),
  );
}

/**
 * Where an item sits in a conversation: by instant, the patient's text
 * before a message at the same instant (an answer follows its question),
 * then by id. A text's (at, id) is its party-index sort key, so the index
 * reads texts in this very order.
 */
interface Position {
  at: string;
  /** 0 a patient's text, 1 a message to them. */
  rank: 0 | 1;
  id: string;
}

function compare(a: Position, b: Position): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.rank !== b.rank) return a.rank - b.rank;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The bound for the party-index query: every text before `position`. A
 * text's sort key is `${receivedAt}#${id}`; before a message at instant t
 * come all texts at t, and `$` sorts right after `#`.
 */
function textsBefore(position: Position): string {
  return position.rank === 0 ? `${position.at}#${position.id}` : `${position.at}$`;
}

/**
 * A conversation page's cursor: the position of the page's first item,
 * bound to the patient. It is the use case's own (not a DynamoDB key, as
 * the repositories' cursors are) because a page merges two sources, the
 * patient's texts and the messages to them.
 */
function encodeConversationCursor(patientId: string, position: Position): string {
  return Buffer.from(JSON.stringify({ p: patientId, ...position })).toString('base64url');
}

function decodeConversationCursor(cursor: string, patientId: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const { p, at, rank, id } = body;
  if (
    typeof at !== 'string' ||
    (rank !== 0 && rank !== 1) ||
    typeof id !== 'string' ||
    typeof p !== 'string'
  ) {
    throw ValidationError.field('cursor', 'is not a cursor returned by this API for this request');
  }
  if (p !== patientId)
    throw ValidationError.field('cursor', "was returned for another patient's conversation");
  return { at, rank, id };
}

/**
 * One page of a patient's conversation with the clinic: the texts they
 * sent (from the inbound table) and the messages to them (the outbox, with
 * kind, status, time and words: a staff reply's as stored, the others
 * rendered again as they would be sent now), oldest first within the page.
 * The first page is the latest `limit` items; its cursor gives the ones
 * just before, and so on back to the first. Texts and messages are kept
 * for the deployment's retention period, so a page reads at most that much
 * of the patient's outbox partition (one query, sorted by time here: its
 * keys are message ids, not times) and `limit + 1` texts.
 *
 * An outbound item's instant is when the provider took it (else when it
 * ended, else when it is due), so a message sent between two page loads
 * may move past the cursor: it shows on the latest page, not twice.
 *
 * Primary course:
 * 1. Read the page size and the cursor (400 on `cursor` for one not from
 *    this route and patient); load the clinic and the patient (404 for either).
 * 2. Read the patient's texts before the cursor, newest first, `limit + 1`
 *    of them (the party index), and the patient's messages (their partition).
 * 3. Merge by position, keep the last `limit` before the cursor, and read
 *    only the visits those messages show (each once); the page's first
 *    position is the next cursor when anything is earlier.
 *
 * @param deps - repositories
 * @param ids - the clinic and the patient
 * @param query - the raw query (`limit`, `cursor`)
 */
export async function patientConversation(
  deps: StaffInboxDeps,
  ids: { clinicId: string; patientId: string },
  query: Record<string, string> = {},
): Promise<Conversation> {
  const { limit, cursor }: ConversationQuery = parseOrThrow(ConversationQuerySchema, query);
  const before = cursor === undefined ? undefined : decodeConversationCursor(cursor, ids.patientId);
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  const patient = await deps.patients.get(ids.clinicId, ids.patientId);
  if (!patient) {
    throw new NotFoundError(`patient ${ids.patientId} does not exist in clinic ${ids.clinicId}`);
  }
  const [texts, messages] = await Promise.all([
    deps.inbound.listForPatient(ids.clinicId, ids.patientId, {
      newestFirst: true,
      limit: limit + 1,
      ...(before ? { before: textsBefore(before) } : {}),
    }),
    deps.messages.listForPatient(ids.clinicId, ids.patientId),
  ]);
  type Entry = { position: Position } & (
    | { text: InboundMessage; message?: undefined }
    | { message: Message; text?: undefined }
  );
  const candidates: Entry[] = [
    ...texts.items.map(
      (text): Entry => ({ position: { at: text.receivedAt, rank: 0, id: text.inboundMessageId }, text }),
    ),
    ...messages.map(
      (message): Entry => ({
        position: { at: outboundAt(message), rank: 1, id: message.messageId },
        message,
      }),
    ),
  ]
    .filter((entry) => !before || compare(entry.position, before) < 0)
    .sort((a, b) => compare(a.position, b.position));
  const page = candidates.slice(-limit);
  const shown = page.flatMap((entry) => (entry.message ? [entry.message] : []));
  const [appointments, careReminders] = await Promise.all([
    visitsOf(deps, ids.clinicId, shown),
    careRemindersOf(deps, ids, shown),
  ]);
  const context = { clinic, patient, appointments, careReminders };
  const items = page.map(
    (entry): ConversationItem =>
      entry.text
        ? { direction: 'inbound', at: entry.text.receivedAt, item: toInboxItem(entry.text, clinic) }
        : toOutboundItem(entry.message, context),
  );
  const first = page[0];
  return {
    clinicId: ids.clinicId,
    patientId: ids.patientId,
    timeZone: clinic.timeZone,
    items,
    ...(candidates.length > limit && first
      ? { cursor: encodeConversationCursor(ids.patientId, first.position) }
      : {}),
  };
}
