/**
 * handleInbound: one text a patient (or an unknown number) sent to a
 * clinic's number, heard and applied once (issue 12, items 3, 4 and 6).
 *
 * Idempotency and crashes: every effect is safe to apply again (the opt-out
 * and the confirmation carry the inbound id; the auto-reply's id is made
 * from it), and the inbound record is written last with a conditional put.
 * So a text seen again after it was recorded changes nothing, and a text
 * whose handling crashed half-way is applied again in full: the opt-out
 * stays, one confirmation goes. Events are published again on such a
 * retry (at least once; each carries the inbound id for consumers).
 *
 * Order: STOP and START are ordered by the SNS envelope Timestamp
 * (replies/consent.ts), so two replies applied out of order end in the
 * state of the later one.
 */
import { createHash } from 'node:crypto';
import { parseCareMessageId } from '../domain/care/reminder';
import { ACCEPTED_STATUSES } from '../domain/constants';
import { ConflictError } from '../domain/errors';
import type {
  Appointment,
  Clinic,
  InboundMessage,
  InboundOutcome,
  InboundState,
  Message,
  Patient,
  StoredIntent,
} from '../domain/model';
import { resolveLanguage } from '../domain/planning/rules';
import {
  type AnsweredMessage,
  applyOptReply,
  confirmationVerdict,
  findAnsweredMessage,
  type InboundSeen,
  interpretReply,
  type OptReply,
  type OptReplyOutcome,
  PATIENT_OPT_OUT_SOURCES,
  REPEAT_WINDOW_MINUTES,
  type ReplyIntent,
  type SentSms,
  type SmsOptState,
} from '../domain/replies';
import { followUpAsksComment, SCALE_RANGE } from '../domain/surveys';
import type { KeywordReply } from '../domain/templates/render';
import { type Clock, parseUtc, toUtcIso } from '../domain/time';
import type { CaseRepository } from '../ports/cases';
import type { DailyCounters } from '../ports/counters';
import type { AppLogger, DeadLetters, DomainEvent, EventPublisher, Telemetry } from '../ports/outbound';
import type {
  AppointmentRepository,
  ClinicRepository,
  InboundRepository,
  MessageRepository,
  PatientRepository,
} from '../ports/repositories';
import { countOptOuts } from './count-events';
import { type AutoOpenOutcome, openCaseFromReply } from './open-feedback-case';
import { updatePatient } from './patient-updates';
import { recordSurveyAnswer, recordSurveyComment } from './record-survey-answer';

/** An inbound text as the decoder read it from End User Messaging's payload and the SNS envelope. */
export interface InboundText {
  inboundMessageId: string;
  /** `originationNumber`: the patient's number, E.164. */
  from: string;
  /** `destinationNumber`: the clinic's number, E.164. */
  to: string;
  /** `messageBody`. */
  body: string;
  /** `messageKeyword`, when the number has keywords registered. */
  keyword?: string | undefined;
  previousPublishedMessageId?: string | undefined;
  /** The SNS envelope Timestamp (UTC ISO): when the patient sent it. */
  receivedAt: string;
}

/** What the auto-reply use case (queue-auto-reply.ts) is asked; it applies the caps and the loop guard. */
export interface AutoReplyRequest {
  clinic: Clinic;
  /** The timeline the reply is stored on: the patient, or the number's contact id. */
  patientId: string;
  /** Every patient of the clinic with the number (the hourly cap counts across them). */
  numberPatientIds?: readonly string[];
  inboundMessageId: string;
  /** Where the answer goes. */
  from: string;
  reply: KeywordReply;
  language: string;
  zone?: string | undefined;
  purpose: 'opt-out-confirmation' | 'answer';
  optedOut: boolean;
  inbound: InboundSeen;
  earlierInbound: readonly InboundSeen[];
}

export interface AutoReplyResult {
  outcome: 'queued' | 'replayed' | 'declined';
  messageId: string;
  reason?: string;
}

/** Queues an automatic answer through the outbox at once (shared/use-cases/queue-auto-reply.ts). */
export type QueueAutoReply = (request: AutoReplyRequest) => Promise<AutoReplyResult>;

export interface InboundDeps {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
  inbound: InboundRepository;
  /** Feedback cases: a complaint in a reply, or a detractor's score, opens one. */
  cases: CaseRepository;
  /** Daily counters: opt-outs (counted before the text is recorded, so a redelivery counts what a crash left). */
  counters: DailyCounters;
  /** The clinic each of the deployment's two-way numbers belongs to (E.164 → clinic id). */
  clinicByNumber: ReadonlyMap<string, string>;
  queueAutoReply: QueueAutoReply;
  events: EventPublisher;
  deadLetters: DeadLetters;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
}

export type InboundResult =
  | { outcome: 'duplicate'; clinicId: string }
  | { outcome: 'set-aside'; reason: 'unknown-destination' | 'clinic-missing' }
  | {
      outcome: InboundOutcome;
      clinicId: string;
      state?: InboundState;
      autoReply?: AutoReplyResult;
      /** The feedback case the text opened (or an earlier delivery of it did). */
      caseId?: string;
    };

/** Tries of a read-change-write on an appointment or a number's state before the other writer wins. */
const TRIES = 3;

/**
 * The timeline id for texts to a number no patient of the clinic has:
 * stable for the number, no digits of it (ids are logged).
 *
 * @param clinicId - the clinic
 * @param number - the E.164 number
 */
export function contactIdOf(clinicId: string, number: string): string {
  return `~${createHash('sha256').update(`${clinicId}#${number}`).digest('base64url').slice(0, 22)}`;
}

function storedIntent(intent: ReplyIntent): StoredIntent {
  switch (intent.kind) {
    case 'free-text':
      return { kind: intent.kind };
    case 'unreadable':
      return { kind: intent.kind, reason: intent.reason };
    case 'survey-score':
      return { kind: intent.kind, rule: intent.rule, score: intent.score };
    case 'opt-out':
      return {
        kind: intent.kind,
        rule: intent.rule,
        ...(intent.alsoForStaff ? { alsoForStaff: intent.alsoForStaff } : {}),
      };
    default:
      return { kind: intent.kind, rule: intent.rule };
  }
}

/** Our SMS that went to a patient and were accepted by the provider: what a reply can answer. */
function sentSmsOf(messages: readonly Message[]): SentSms[] {
  return messages
    .filter(
      (message) => message.channel === 'sms' && ACCEPTED_STATUSES.has(message.status) && message.finishedAt,
    )
    .map((message) => ({
      messageId: message.messageId,
      patientId: message.patientId,
      appointmentId: message.appointmentId,
      kind: message.kind,
      providerMessageId: message.providerMessageId,
      sentAt: message.finishedAt as string,
    }));
}

/** A patient's SMS opt state as replies/consent.ts reads it. */
function optStateOf(patient: Patient): SmsOptState {
  const optOut = patient.optOuts.sms;
  const byText =
    optOut && PATIENT_OPT_OUT_SOURCES.has(optOut.source) ? patient.smsReply?.optOutInboundId : undefined;
  return {
    ...(optOut ? { optOut: { ...optOut, ...(byText ? { inboundMessageId: byText } : {}) } } : {}),
    ...(patient.smsReply ? { lastReply: patient.smsReply.last } : {}),
  };
}

/** The patient with an SMS opt state applied. */
function withOptState(patient: Patient, state: SmsOptState): Patient {
  const { sms: _sms, ...otherOptOuts } = patient.optOuts;
  const { smsReply: _reply, ...rest } = patient;
  const optOutInboundId = state.optOut?.inboundMessageId;
  return {
    ...rest,
    optOuts: {
      ...otherOptOuts,
      ...(state.optOut ? { sms: { at: state.optOut.at, source: state.optOut.source } } : {}),
    },
    ...(state.lastReply
      ? { smsReply: { last: state.lastReply, ...(optOutInboundId ? { optOutInboundId } : {}) } }
      : {}),
  };
}

function sameState(a: SmsOptState, b: SmsOptState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface Context {
  deps: InboundDeps;
  text: InboundText;
  clinic: Clinic;
  /** Patients of the clinic with the number. */
  patients: Patient[];
  answered: AnsweredMessage;
  /** The survey the text answers (the matched message, in full), when it is one. */
  survey: Message | undefined;
  /** The patient the text is about, when there is one. */
  patient: Patient | undefined;
  now: string;
  events: DomainEvent[];
}

/** What the effects decided: the outcome, whether staff need to see it, and the answer to send. */
interface Effect {
  outcome: InboundOutcome;
  outcomeReason?: string;
  state?: InboundState;
  reply?: { reply: KeywordReply; purpose: 'opt-out-confirmation' | 'answer' };
  score?: number;
  appointmentId?: string;
  /** The feedback case a survey answer or comment opened (or an earlier try did). */
  caseId?: string;
  /** Whether the number is opted out of SMS once this text is applied. */
  optedOut: boolean;
}

function idsOf(context: Context, extra: Record<string, string | number | undefined> = {}) {
  return {
    clinicId: context.clinic.clinicId,
    inboundMessageId: context.text.inboundMessageId,
    at: context.text.receivedAt,
    ...extra,
  };
}

/** Whether the number is opted out of SMS (any patient with it, or the number itself). */
function anyOptedOut(patients: readonly Patient[]): boolean {
  return patients.some((patient) => patient.optOuts.sms !== undefined);
}

/**
 * STOP or START from the number: applied to every patient of the clinic
 * with the number (texts cannot go to one person of a shared phone and not
 * another), or to the number itself when no patient has it.
 */
async function applyOpt(
  context: Context,
  kind: OptReply['kind'],
): Promise<{ outcomes: OptReplyOutcome[]; optedOut: boolean }> {
  const { deps, text, clinic } = context;
  const reply: OptReply = { kind, at: text.receivedAt, inboundMessageId: text.inboundMessageId };
  const outcomes: OptReplyOutcome[] = [];
  if (context.patients.length === 0) {
    let optedOut = false;
    for (let tries = 0; tries < TRIES; tries++) {
      const stored = await deps.inbound.getNumberOptState(clinic.clinicId, text.from);
      const outcome = applyOptReply(stored?.state ?? {}, reply);
      optedOut = outcome.state.optOut !== undefined;
      if (stored && sameState(stored.state, outcome.state)) {
        outcomes.push(outcome);
        return { outcomes, optedOut };
      }
      try {
        await deps.inbound.putNumberOptState(
          {
            clinicId: clinic.clinicId,
            number: text.from,
            state: outcome.state,
            version: (stored?.version ?? 0) + 1,
            updatedAt: context.now,
          },
          stored?.version ?? null,
        );
        outcomes.push(outcome);
        return { outcomes, optedOut };
      } catch (error) {
        if (!(error instanceof ConflictError) || tries === TRIES - 1) throw error;
      }
    }
    return { outcomes, optedOut };
  }
  const updated: Patient[] = [];
  for (const patient of context.patients) {
    let last: OptReplyOutcome | undefined;
    const { patient: after } = await updatePatient(
      deps.patients,
      patient,
      (current) => {
        const before = optStateOf(current);
        last = applyOptReply(before, reply);
        return sameState(before, last.state) ? undefined : withOptState(current, last.state);
      },
      context.now,
    );
    if (last) outcomes.push(last);
    updated.push(after);
    await countOptOuts(deps, after, parseUtc(context.now));
    const effect = last;
    if (effect?.confirmOptOut) {
      context.events.push({
        detailType: 'PatientOptedOut',
        detail: idsOf(context, { patientId: patient.patientId }),
      });
    } else if (effect?.effect === 'opted-in') {
      context.events.push({
        detailType: 'PatientOptedIn',
        detail: idsOf(context, { patientId: patient.patientId }),
      });
    }
  }
  context.patients = updated;
  if (context.patient) {
    context.patient =
      updated.find((patient) => patient.patientId === context.patient?.patientId) ?? context.patient;
  }
  return { outcomes, optedOut: anyOptedOut(updated) };
}

async function optOut(context: Context, intent: Extract<ReplyIntent, { kind: 'opt-out' }>): Promise<Effect> {
  const { outcomes, optedOut } = await applyOpt(context, 'opt-out');
  if (context.patients.length === 0 && outcomes.some((outcome) => outcome.confirmOptOut)) {
    context.events.push({
      detailType: 'PatientOptedOut',
      detail: idsOf(context, { contactId: contactIdOf(context.clinic.clinicId, context.text.from) }),
    });
  }
  const confirm = outcomes.some((outcome) => outcome.confirmOptOut);
  const changed = outcomes.some((outcome) => outcome.effect === 'opted-out' || outcome.confirmOptOut);
  const why = outcomes.find((outcome) => outcome.why)?.why;
  return {
    outcome: changed ? 'opted-out' : 'opt-unchanged',
    ...(changed || !why ? {} : { outcomeReason: why }),
    // A bare CANCEL from a patient's phone may mean a visit: staff see it too, also when the text
    // answered no message of ours (a phone two patients share). A number no patient has has no visit.
    ...(intent.alsoForStaff && context.patients.length > 0 ? { state: 'open' as const } : {}),
    ...(confirm
      ? { reply: { reply: { reply: 'opted-out' }, purpose: 'opt-out-confirmation' as const } }
      : {}),
    optedOut,
  };
}

async function optIn(context: Context): Promise<Effect> {
  const { outcomes, optedOut } = await applyOpt(context, 'opt-in');
  const changed = outcomes.some((outcome) => outcome.effect === 'opted-in');
  if (context.patients.length === 0 && changed) {
    context.events.push({
      detailType: 'PatientOptedIn',
      detail: idsOf(context, { contactId: contactIdOf(context.clinic.clinicId, context.text.from) }),
    });
  }
  const why = outcomes.find((outcome) => outcome.why)?.why;
  return {
    outcome: changed ? 'opted-in' : 'opt-unchanged',
    ...(changed || !why ? {} : { outcomeReason: why }),
    // START from a number that was never opted out is answered too: the patient wants to know texts will come.
    ...(!optedOut && (changed || why === 'not-opted-out' || why === 'duplicate')
      ? { reply: { reply: { reply: 'opted-in' }, purpose: 'answer' as const } }
      : {}),
    optedOut,
  };
}

async function confirm(context: Context): Promise<Effect> {
  const { deps, text } = context;
  const optedOut = anyOptedOut(context.patients);
  if (context.answered.outcome !== 'matched') {
    // Nothing of ours to confirm: staff read it.
    return { outcome: 'confirm-not-applied', outcomeReason: 'nothing-answered', state: 'open', optedOut };
  }
  const message = context.answered.message;
  if (parseCareMessageId(message.messageId)?.kind === 'refill') {
    // Staff arrange the refill: a reply never orders anything by itself. The patient hears it was received.
    return {
      outcome: 'refill-requested',
      state: 'open',
      reply: { reply: { reply: 'refill-requested' }, purpose: 'answer' },
      optedOut,
    };
  }
  const appointmentId = message.appointmentId;
  let appointment: Appointment | undefined =
    appointmentId === undefined
      ? undefined
      : await deps.appointments.get(context.clinic.clinicId, appointmentId);
  for (let tries = 0; tries < TRIES; tries++) {
    const verdict = confirmationVerdict({ message, appointment, repliedAt: text.receivedAt });
    if (!verdict.applies || !appointment) {
      const why = verdict.applies ? 'visit-missing' : verdict.reason;
      const reply: KeywordReply =
        why === 'moved' && appointment
          ? { reply: 'confirm-not-applicable', why: 'moved', appointment }
          : { reply: 'confirm-not-applicable', why: why === 'moved' ? 'visit-missing' : why };
      return {
        outcome: 'confirm-not-applied',
        outcomeReason: why,
        ...(appointmentId ? { appointmentId } : {}),
        reply: { reply, purpose: 'answer' },
        optedOut,
      };
    }
    const already = appointment.confirmation;
    const confirmed = { outcome: 'confirmed' as const, appointmentId: appointment.appointmentId, optedOut };
    const answer = { reply: { reply: 'confirmed' as const, appointment }, purpose: 'answer' as const };
    const event = (): DomainEvent => ({
      detailType: 'AppointmentConfirmed',
      detail: idsOf(context, {
        patientId: message.patientId,
        appointmentId: appointment?.appointmentId,
        messageId: message.messageId,
      }),
    });
    if (already?.inboundMessageId === text.inboundMessageId) {
      // Applied before a crash: the answer and the event may not have gone.
      context.events.push(event());
      return { ...confirmed, reply: answer };
    }
    if (already && already.scheduleVersion === appointment.scheduleVersion) {
      // Confirmed already (a second C): thank again, change nothing.
      return { ...confirmed, outcomeReason: 'already-confirmed', reply: answer };
    }
    const next: Appointment = {
      ...appointment,
      confirmation: {
        at: text.receivedAt,
        via: 'sms',
        messageId: message.messageId,
        inboundMessageId: text.inboundMessageId,
        scheduleVersion: verdict.scheduleVersion,
      },
      version: appointment.version + 1,
      updatedAt: context.now,
    };
    try {
      await deps.appointments.put(next, appointment.version);
      context.events.push(event());
      return { ...confirmed, reply: answer };
    } catch (error) {
      if (!(error instanceof ConflictError) || tries === TRIES - 1) throw error;
      appointment = await deps.appointments.get(context.clinic.clinicId, appointment.appointmentId);
    }
  }
  throw new ConflictError(`appointment ${appointmentId} kept changing; the confirm will be retried`);
}

function staffItem(
  context: Context,
  outcome: InboundOutcome,
  reply: KeywordReply | undefined,
  event?: DomainEvent['detailType'],
): Effect {
  const appointmentId =
    context.answered.outcome === 'matched' ? context.answered.message.appointmentId : undefined;
  if (event) {
    context.events.push({
      detailType: event,
      detail: idsOf(context, {
        patientId: context.patient?.patientId,
        appointmentId,
        messageId: context.answered.outcome === 'matched' ? context.answered.message.messageId : undefined,
      }),
    });
  }
  return {
    outcome,
    state: 'open',
    ...(appointmentId ? { appointmentId } : {}),
    ...(reply ? { reply: { reply, purpose: 'answer' as const } } : {}),
    optedOut: anyOptedOut(context.patients),
  };
}

/**
 * A score answering a survey: recorded on the survey (record-survey-answer.ts,
 * the path the email page takes too), then the one follow-up its class
 * calls for. A survey answered already keeps its first score: this text goes
 * to staff as free text.
 */
async function score(
  context: Context,
  intent: Extract<ReplyIntent, { kind: 'survey-score' }>,
): Promise<Effect> {
  const survey = context.survey;
  if (!survey) return staffItem(context, 'free-text', { reply: 'received' });
  const recorded = await recordSurveyAnswer(context.deps, context.clinic, survey, {
    score: intent.score,
    answeredAt: context.text.receivedAt,
    via: 'sms',
    inboundMessageId: context.text.inboundMessageId,
  });
  if (recorded.outcome === 'answered-before') {
    return {
      ...staffItem(context, 'free-text', { reply: 'received' }),
      outcomeReason: 'survey-answered-before',
    };
  }
  context.events.push({
    detailType: 'SurveyAnswered',
    detail: idsOf(context, {
      patientId: survey.patientId,
      appointmentId: survey.appointmentId,
      messageId: survey.messageId,
      score: intent.score,
    }),
  });
  return {
    outcome: 'score-recorded',
    score: intent.score,
    ...(survey.appointmentId ? { appointmentId: survey.appointmentId } : {}),
    ...(recorded.caseId ? { caseId: recorded.caseId } : {}),
    reply: { reply: { reply: recorded.answer.followUp }, purpose: 'answer' },
    optedOut: anyOptedOut(context.patients),
  };
}

/**
 * Whether a text is the patient's words after the follow-up: it answers a
 * survey whose score is in, whose follow-up asked for words, and which holds
 * no comment yet. Only the next such text is; later ones are free text.
 */
function answersFollowUp(context: Context, intent: ReplyIntent): boolean {
  const answer = context.survey?.surveyAnswer;
  return (
    answer !== undefined &&
    answer.comment === undefined &&
    followUpAsksComment(answer.followUp) &&
    (intent.kind === 'free-text' || intent.kind === 'survey-score')
  );
}

/** The patient's words after the follow-up: kept with the survey, and in the inbox for staff. */
async function comment(context: Context): Promise<Effect> {
  const survey = context.survey as Message;
  const recorded = await recordSurveyComment(context.deps, context.clinic, survey, {
    text: context.text.body,
    at: context.text.receivedAt,
    inboundMessageId: context.text.inboundMessageId,
  });
  if (recorded.outcome !== 'recorded' && recorded.outcome !== 'replayed') {
    return staffItem(context, 'free-text', { reply: 'received' });
  }
  return {
    ...staffItem(context, 'survey-comment', { reply: 'survey-thanks' }),
    ...(recorded.caseId ? { caseId: recorded.caseId } : {}),
  };
}

/** The effect of a text from a number that some patient of the clinic has. */
async function effectFor(context: Context, intent: ReplyIntent): Promise<Effect> {
  const known = context.patients.length > 0;
  switch (intent.kind) {
    case 'opt-out':
      return optOut(context, intent);
    case 'opt-in':
      return optIn(context);
    case 'help':
      return {
        outcome: 'help',
        reply: { reply: { reply: 'help' }, purpose: 'answer' },
        optedOut: known && anyOptedOut(context.patients),
      };
    case 'unreadable':
      return { outcome: 'unreadable', outcomeReason: intent.reason, optedOut: anyOptedOut(context.patients) };
    default:
      break;
  }
  // Anything else from a number no patient has is kept for staff, unanswered.
  if (!known) return { outcome: 'unmatched', state: 'open', optedOut: false };
  if (answersFollowUp(context, intent)) return comment(context);
  switch (intent.kind) {
    case 'confirm':
      return confirm(context);
    case 'reschedule':
      return staffItem(
        context,
        'reschedule-requested',
        { reply: 'reschedule-requested' },
        'RescheduleRequested',
      );
    case 'cancel-request':
      return staffItem(context, 'cancel-requested', { reply: 'cancel-requested' });
    case 'survey-score':
      return score(context, intent);
    default:
      return staffItem(context, 'free-text', { reply: 'received' });
  }
}

/** The number's earlier texts (at least the loop guard's window) for the auto-reply guard. */
async function earlierTexts(context: Context): Promise<InboundSeen[]> {
  const { deps, text, clinic } = context;
  const since = toUtcIso(parseUtc(text.receivedAt).minus({ minutes: Math.max(REPEAT_WINDOW_MINUTES, 60) }));
  const lists = await Promise.all([
    deps.inbound.listUnmatchedFromNumber(clinic.clinicId, text.from, since),
    ...context.patients.map((patient) =>
      deps.inbound.listForPatientSince(clinic.clinicId, patient.patientId, since),
    ),
  ]);
  return lists
    .flat()
    .filter((seen) => seen.inboundMessageId !== text.inboundMessageId && seen.from === text.from)
    .map((seen) => ({ text: seen.body, at: seen.receivedAt }));
}

/**
 * A complaint in a patient's free-text reply opens a feedback case (a
 * survey's score and comment open theirs as they are recorded). Runs before
 * the text is recorded: a crash in between leaves a retry that finds the
 * case there (its id is the text's) and opens nothing more.
 */
async function openFeedbackCase(context: Context, effect: Effect): Promise<AutoOpenOutcome | undefined> {
  const { deps, clinic, text, patient, answered } = context;
  if (!patient) return undefined;
  if (effect.caseId) return { outcome: 'exists', caseId: effect.caseId };
  const appointmentId =
    effect.appointmentId ?? (answered.outcome === 'matched' ? answered.message.appointmentId : undefined);
  if (effect.outcome === 'free-text') {
    return openCaseFromReply(deps, clinic, {
      inboundMessageId: text.inboundMessageId,
      body: text.body,
      patientId: patient.patientId,
      appointmentId,
    });
  }
  return undefined;
}

/**
 * Applies one inbound text, once.
 *
 * Primary course:
 * 1. Find the clinic by the number texted (unknown: set aside).
 * 2. A text recorded already is a second delivery: nothing changes.
 * 3. Find the patients with the number and the message the text answers
 *    (previousPublishedMessageId when ours, else the latest SMS within the
 *    clinic's answer window); the patient is that message's, or the one
 *    patient with the number.
 * 4. Read it (interpretReply with the clinic's synonyms, a score scale when
 *    it answers a survey) and apply the effect: confirm, reschedule or
 *    cancel request, opt-out, opt-in, help, score, free text, unmatched.
 * 5. Queue the answer through the outbox at once (the caps and the loop
 *    guard are the auto-reply use case's); publish the events (ids only).
 * 6. A score answering a survey is recorded on it (the first one stands)
 *    and gets the one follow-up its class calls for; the next text after a
 *    follow-up that asked for words is the survey's comment. A detractor's
 *    score, a complaint in the comment or in free text opens a feedback
 *    case (its id from the survey or the text, so once).
 * 7. Record the text with what it matched and did, conditionally on its id.
 *
 * @param deps - repositories, the number → clinic map, the auto-reply use case, events, clock
 * @param text - the decoded text
 */
export async function handleInbound(deps: InboundDeps, text: InboundText): Promise<InboundResult> {
  const clinicId = deps.clinicByNumber.get(text.to);
  if (!clinicId) {
    await deps.deadLetters.setAside({
      source: 'handle-inbound',
      reason: 'unknown-destination',
      ids: { inboundMessageId: text.inboundMessageId },
    });
    deps.telemetry.count('InboundSetAside', 1, { reason: 'unknown-destination' });
    return { outcome: 'set-aside', reason: 'unknown-destination' };
  }
  if (await deps.inbound.get(clinicId, text.inboundMessageId)) {
    deps.logger.info('inbound text seen before; nothing changes', {
      clinicId,
      inboundMessageId: text.inboundMessageId,
    });
    deps.telemetry.count('InboundDuplicate');
    return { outcome: 'duplicate', clinicId };
  }
  const clinic = await deps.clinics.get(clinicId);
  if (!clinic) {
    await deps.deadLetters.setAside({
      source: 'handle-inbound',
      reason: 'clinic-missing',
      ids: { clinicId, inboundMessageId: text.inboundMessageId },
    });
    return { outcome: 'set-aside', reason: 'clinic-missing' };
  }

  const patients = await deps.patients.findByPhone(clinicId, text.from);
  const theirs = (
    await Promise.all(patients.map((patient) => deps.messages.listForPatient(clinicId, patient.patientId)))
  ).flat();
  const sent = sentSmsOf(theirs);
  const answered = findAnsweredMessage({
    previousPublishedMessageId: text.previousPublishedMessageId,
    receivedAt: text.receivedAt,
    sent,
    windowDays: clinic.policy.replies.answerWindowDays,
  });
  const patient =
    answered.outcome === 'matched'
      ? patients.find((candidate) => candidate.patientId === answered.message.patientId)
      : patients.length === 1
        ? patients[0]
        : undefined;
  const context: Context = {
    deps,
    text,
    clinic,
    patients,
    answered,
    survey:
      answered.outcome === 'matched' && answered.message.kind === 'survey'
        ? theirs.find((message) => message.messageId === answered.message.messageId)
        : undefined,
    patient,
    now: toUtcIso(deps.clock.now()),
    events: [],
  };

  const intent = interpretReply(text.body, {
    ...(context.survey ? { survey: SCALE_RANGE[clinic.policy.survey.scale] } : {}),
    synonyms: clinic.policy.replies.synonyms,
  });
  const effect = await effectFor(context, intent);

  let autoReply: AutoReplyResult | undefined;
  if (effect.reply) {
    const language = context.patient
      ? resolveLanguage(context.patient, clinic.policy)
      : clinic.policy.defaultLanguage;
    autoReply = await deps.queueAutoReply({
      clinic,
      patientId: context.patient?.patientId ?? patients[0]?.patientId ?? contactIdOf(clinicId, text.from),
      numberPatientIds: context.patients.map((candidate) => candidate.patientId),
      inboundMessageId: text.inboundMessageId,
      from: text.from,
      reply: effect.reply.reply,
      language,
      zone: context.patient?.timeZone,
      purpose: effect.reply.purpose,
      optedOut: effect.optedOut,
      inbound: { text: text.body, at: text.receivedAt },
      earlierInbound: await earlierTexts(context),
    });
  }
  if (context.events.length > 0) await deps.events.publish(context.events);

  const matched = answered.outcome === 'matched' ? answered : undefined;
  const appointmentId = effect.appointmentId ?? matched?.message.appointmentId;
  const record: InboundMessage = {
    clinicId,
    inboundMessageId: text.inboundMessageId,
    from: text.from,
    to: text.to,
    body: text.body,
    ...(text.keyword ? { keyword: text.keyword } : {}),
    ...(text.previousPublishedMessageId
      ? { previousPublishedMessageId: text.previousPublishedMessageId }
      : {}),
    receivedAt: text.receivedAt,
    recordedAt: context.now,
    intent: storedIntent(intent),
    ...(context.patient ? { patientId: context.patient.patientId } : {}),
    ...(context.patient && appointmentId ? { appointmentId } : {}),
    ...(matched && context.patient
      ? { answeredMessageId: matched.message.messageId, matchedBy: matched.by }
      : {}),
    outcome: effect.outcome,
    ...(effect.outcomeReason ? { outcomeReason: effect.outcomeReason } : {}),
    ...(effect.score === undefined ? {} : { score: effect.score }),
    ...(effect.state ? { state: effect.state } : {}),
    version: 1,
  };
  const opened = await openFeedbackCase(context, effect);
  const caseId = opened && opened.outcome !== 'none' ? opened.caseId : undefined;
  const created = await deps.inbound.record(record);
  deps.logger.info('inbound text applied', {
    clinicId,
    inboundMessageId: text.inboundMessageId,
    patientId: context.patient?.patientId,
    intent: intent.kind,
    outcome: effect.outcome,
    ...(autoReply ? { autoReply: autoReply.outcome, autoReplyMessageId: autoReply.messageId } : {}),
    ...(created ? {} : { recordedMeanwhile: true }),
    ...(caseId ? { caseId } : {}),
  });
  deps.telemetry.count('InboundApplied', 1, { outcome: effect.outcome });
  return {
    outcome: effect.outcome,
    clinicId,
    ...(effect.state ? { state: effect.state } : {}),
    ...(autoReply ? { autoReply } : {}),
    ...(caseId ? { caseId } : {}),
  };
}
