import type { DateTime } from 'luxon';
import { smsLaneOf } from '../config/settings';
import {
  audienceNeedsConsent,
  BROADCAST_CANCELLED,
  type Broadcast,
  broadcastIdOf,
  broadcastLanguageFor,
  renderBroadcastEmail,
  renderBroadcastSms,
} from '../domain/broadcasts';
import { type CareReminder, parseCareMessageId } from '../domain/care/reminder';
import { renderCareEmail, renderCareSms } from '../domain/care/wording';
import { ACCEPTED_STATUSES, segmentBudgetFor } from '../domain/constants';
import {
  AppError,
  PermanentDeliveryError,
  ThrottledDeliveryError,
  TransientDeliveryError,
} from '../domain/errors';
import type { Appointment, Channel, Clinic, Message, Patient } from '../domain/model';
import { decide, isMoveReason, resolveLanguage, zoneFor } from '../domain/planning';
import { signSurveyToken, surveyLinkLine, surveyPagePath } from '../domain/survey-link';
import {
  countSegments,
  type FittedSms,
  isTemplateKind,
  render,
  renderKeywordReply,
  renderSms,
  staffReplyWordsOf,
  type TemplateKind,
} from '../domain/templates';
import { type Clock, parseUtc, toUtcIso } from '../domain/time';
import type { DailyCounters } from '../ports/counters';
import type {
  AppLogger,
  EmailRequest,
  EmailSender,
  EventPublisher,
  ProviderReceipt,
  SendRequest,
  SmsRequest,
  SmsSender,
  SurveyLinkSecret,
  Telemetry,
} from '../ports/outbound';
import {
  type AppointmentRepository,
  type BroadcastRepository,
  type CareReminderRepository,
  type MessageKey,
  type MessageRepository,
  MessageTransitionError,
  type PatientRepository,
  type ThrottleLog,
} from '../ports/repositories';
import type { ClinicCache } from './clinic-cache';
import { countMessageEnd, countOptOuts } from './count-events';
import { messageEventDetail, publishAfterStoring } from './message-events';
import { updatePatient } from './patient-updates';
import { keywordReplyOf } from './queue-auto-reply';

export interface SendConfig {
  /** Tries per message before a transient failure becomes final. */
  maxAttempts: number;
  /**
   * How long after an attempt marked `sending` it may still be running: more
   * than the function's timeout, less than the queue's visibility timeout.
   */
  attemptWindowSeconds: number;
  /** First retry delay; doubles per attempt, with jitter. */
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
}

export interface SendDeps {
  messages: MessageRepository;
  /** A broadcast's text and status (cancelled ones are not sent), and its progress counts. */
  broadcasts: BroadcastRepository;
  /** A care reminder message's reminder: its kind, due date and action as they are now (stopped ones are not sent). */
  careReminders: Pick<CareReminderRepository, 'get'>;
  appointments: AppointmentRepository;
  patients: PatientRepository;
  clinics: ClinicCache;
  sms: SmsSender;
  email: EmailSender;
  events: EventPublisher;
  /** Where a provider throttle on a number is noted, so the sweep slows that number only. */
  throttles: ThrottleLog;
  /** Daily counters: how each send ended, visits reminded. */
  counters: DailyCounters;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
  config: SendConfig;
  /** 0 ≤ random() < 1, for backoff jitter. */
  random: () => number;
  /** A fresh unique id (one per delivery attempt). */
  newId: () => string;
  /** Where survey emails link to and the secret that signs the links; absent, they go without one. */
  surveyLinks?: { baseUrl: string; secret: SurveyLinkSecret } | undefined;
}

export type SendOutcome =
  | 'sent'
  | 'skipped'
  | 'deferred'
  | 'retry-scheduled'
  | 'failed'
  | 'unknown'
  | /** A duplicate or outdated queue message: someone else owns the item, or it is done. */ 'stale';

interface Attempt {
  deps: SendDeps;
  key: MessageKey;
  token: string;
  message: Message;
  now: DateTime;
  at: string;
  /** Set once a provider may have the message: from then on a failure is never retried. */
  accepted: boolean;
  /** Channels refused for good so far (stored ones plus this attempt's). */
  failedChannels: Channel[];
  /** The message as stored once this attempt ended it (counted after the attempt). */
  finished?: Message;
  /** The patient as stored after a carrier opt-out this attempt recorded (counted after the attempt). */
  optedOut?: Patient;
}

/** The appointment id inside a deterministic message id (`a-1#reminder#1d#v2`). */
function appointmentIdOf(messageId: string): string | undefined {
  const head = messageId.split('#')[0];
  return head && !head.startsWith('~') ? head : undefined;
}

async function finishAs(
  attempt: Attempt,
  status: 'skipped' | 'failed' | 'unknown',
  reason: string,
): Promise<SendOutcome> {
  const { deps, key, token, at } = attempt;
  const finished = await deps.messages.finish(key, token, { status, reason, at }, ['sending']);
  attempt.finished = finished;
  if (finished.kind === 'broadcast' && status !== 'unknown') {
    await countBroadcastOutcome(deps, finished, status === 'skipped' ? { status, reason } : { status });
  }
  const detailType = status === 'skipped' ? 'MessageSkipped' : 'MessageFailed';
  deps.telemetry.count(status === 'unknown' ? 'UnknownOutcome' : detailType, 1, {
    channel: finished.channel,
  });
  deps.logger[status === 'skipped' ? 'info' : 'warn'](`message ${status}`, { ...key, reason });
  await publishAfterStoring(deps, [{ detailType, detail: messageEventDetail(finished, at) }]);
  return status;
}

/**
 * Adds a broadcast message's outcome to its broadcast's progress. After the
 * message's own transition, so a crash in between loses one count, never
 * adds one twice; a failure to count is logged, never a reason to resend.
 */
async function countBroadcastOutcome(
  deps: SendDeps,
  message: Message,
  outcome: { status: 'sent' | 'failed' } | { status: 'skipped'; reason: string },
): Promise<void> {
  const broadcastId = broadcastIdOf(message.messageId);
  if (!broadcastId) return;
  try {
    await deps.broadcasts.countOutcome(message.clinicId, broadcastId, outcome);
  } catch (error) {
    deps.logger.warn('broadcast progress not counted', {
      clinicId: message.clinicId,
      broadcastId,
      error: (error as Error).name,
    });
  }
}

/**
 * A broadcast message's broadcast, read at send time: a cancelled one, or
 * a patient who withdrew the consent its audience needs, is skipped.
 */
async function broadcastOf(
  attempt: Attempt,
  patient: Patient | undefined,
): Promise<{ broadcast: Broadcast } | { skip: string }> {
  const { deps, key } = attempt;
  const broadcastId = broadcastIdOf(key.messageId);
  const broadcast = broadcastId ? await deps.broadcasts.get(key.clinicId, broadcastId) : undefined;
  if (!broadcast) return { skip: 'broadcast-missing' };
  if (broadcast.status === 'cancelled') return { skip: BROADCAST_CANCELLED };
  if (patient && audienceNeedsConsent(broadcast.audience) && !patient.consent.updates) {
    return { skip: 'no-consent' };
  }
  return { broadcast };
}

/** A broadcast's provider request on one channel: its text in the patient's language as it is now. */
function composeBroadcast(
  channel: Channel,
  address: string,
  message: Message,
  broadcast: Broadcast,
  context: { clinic: Clinic; patient: Patient },
): Outgoing {
  const language = broadcastLanguageFor(broadcast.text, context.patient, context.clinic.policy);
  const text = broadcast.text[language] ?? '';
  if (channel === 'sms') {
    const fitted = renderBroadcastSms(text, language, context.clinic, context.patient.firstName);
    if (!fitted.fits) return { channel, overBudget: fitted };
    return { channel, request: smsRequestOf(address, fitted.text, message, context.clinic), fitted };
  }
  const email = renderBroadcastEmail(text, language, context.clinic, context.patient.firstName);
  const ids = { clinicId: message.clinicId, patientId: message.patientId, messageId: message.messageId };
  return { channel, request: { to: address, ...email, ...ids } };
}

/**
 * A care reminder message's reminder, read at send time: one stopped, gone,
 * or moved to another due date or kind since the message was planned is
 * skipped (the planner withdraws such messages; this catches the ones
 * already claimed).
 */
async function careReminderOf(attempt: Attempt): Promise<{ reminder: CareReminder } | { skip: string }> {
  const { deps, key } = attempt;
  const parsed = parseCareMessageId(key.messageId);
  const reminder = parsed
    ? await deps.careReminders.get({
        clinicId: key.clinicId,
        patientId: key.patientId,
        reminderId: parsed.reminderId,
      })
    : undefined;
  if (!parsed || !reminder) return { skip: 'care-reminder-missing' };
  if (reminder.status === 'stopped') return { skip: 'care-reminder-stopped' };
  if (reminder.dueOn !== parsed.dueOn || reminder.kind !== parsed.kind)
    return { skip: 'care-reminder-changed' };
  return { reminder };
}

/** A care reminder's provider request on one channel: its kind's built-in wording in the patient's language now. */
function composeCare(
  channel: Channel,
  address: string,
  message: Message,
  reminder: CareReminder,
  context: { clinic: Clinic; patient: Patient },
): Outgoing {
  const { clinic, patient } = context;
  const input = {
    kind: reminder.kind,
    dueOn: reminder.dueOn,
    action: reminder.action,
    language: resolveLanguage(patient, clinic.policy),
    clinic,
    patient,
    zone: zoneFor(patient, clinic),
  };
  if (channel === 'sms') {
    const fitted = renderCareSms(input);
    if (!fitted.fits) return { channel, overBudget: fitted };
    return { channel, request: smsRequestOf(address, fitted.text, message, clinic), fitted };
  }
  const ids = { clinicId: message.clinicId, patientId: message.patientId, messageId: message.messageId };
  return { channel, request: { to: address, ...renderCareEmail(input), ...ids } };
}

/** Backoff for the n-th try: base × 2^(n−1), capped, with full jitter in the upper half. */
function backoffSeconds(config: SendConfig, attempts: number, random: () => number): number {
  const ceiling = Math.min(
    config.backoffMaxSeconds,
    config.backoffBaseSeconds * 2 ** Math.max(0, attempts - 1),
  );
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

type Outgoing =
  | { channel: 'sms'; request: SmsRequest; fitted: FittedSms & { fits: true } }
  | { channel: 'email'; request: EmailRequest }
  /** The SMS would be over the clinic's segment budget even shortened: it must not be sent. */
  | { channel: 'sms'; overBudget: FittedSms & { fits: false } };

/** The SMS provider request: through the clinic's own number when it has one. */
function smsRequestOf(address: string, text: string, message: Message, clinic: Clinic): SmsRequest {
  const identity = clinic.originationIdentity?.id;
  return {
    to: address,
    text,
    clinicId: message.clinicId,
    patientId: message.patientId,
    messageId: message.messageId,
    ...(identity ? { originationIdentity: identity } : {}),
  };
}

/**
 * The provider request for one channel. The language is the patient's as it
 * is now (a change after planning wins), resolved against the clinic's
 * languages. An SMS goes through the render-time guard.
 */
function compose(
  channel: Channel,
  address: string,
  message: Message & { kind: TemplateKind },
  context: { clinic: Clinic; patient: Patient; appointment: Appointment | undefined },
): Outgoing {
  const base = {
    kind: message.kind,
    language: resolveLanguage(context.patient, context.clinic.policy),
    clinic: context.clinic,
    patient: context.patient,
    ...(context.appointment ? { appointment: context.appointment } : {}),
  };
  const ids = { clinicId: message.clinicId, patientId: message.patientId, messageId: message.messageId };
  if (channel === 'sms') {
    const fitted = renderSms(base);
    if (!fitted.fits) return { channel, overBudget: fitted };
    return { channel, request: smsRequestOf(address, fitted.text, message, context.clinic), fitted };
  }
  const { subject, text } = render({ ...base, channel: 'email' });
  return { channel, request: { to: address, subject, text, ...ids } };
}

/**
 * A survey email with its signed, single-use link to the survey page
 * (issue 13 item 2), valid for the survey's answer window from now. A
 * sender built without a page to link to sends the email as it is and says so.
 */
async function withSurveyLink(
  deps: SendDeps,
  request: EmailRequest,
  message: Message,
  context: { clinic: Clinic; patient: Patient; at: string },
): Promise<EmailRequest> {
  if (!deps.surveyLinks) {
    deps.logger.warn('survey email sent without its link: no survey page configured', {
      clinicId: message.clinicId,
      messageId: message.messageId,
    });
    return request;
  }
  const language = resolveLanguage(context.patient, context.clinic.policy);
  const token = signSurveyToken(await deps.surveyLinks.secret.key(), {
    clinicId: message.clinicId,
    patientId: message.patientId,
    messageId: message.messageId,
    language,
    expiresAt: toUtcIso(parseUtc(context.at).plus({ days: context.clinic.policy.survey.answerWindowDays })),
  });
  const url = `${deps.surveyLinks.baseUrl.replace(/\/+$/, '')}${surveyPagePath(message.clinicId, token)}`;
  return { ...request, text: `${request.text}\n\n${surveyLinkLine(language, url)}` };
}

/** Records a carrier opt-out on the patient, so no later message tries that number. */
async function recordCarrierOptOut(deps: SendDeps, patient: Patient, at: string): Promise<Patient> {
  const { patient: updated, changed } = await updatePatient(
    deps.patients,
    patient,
    (current) =>
      current.optOuts.sms
        ? undefined
        : { ...current, optOuts: { ...current.optOuts, sms: { at, source: 'carrier' } } },
    at,
  );
  if (changed) {
    await publishAfterStoring(deps, [
      {
        detailType: 'PatientOptedOut',
        detail: {
          clinicId: patient.clinicId,
          patientId: patient.patientId,
          channel: 'sms',
          source: 'carrier',
          at,
        },
      },
    ]);
  }
  return updated;
}

/**
 * Thrown when a queue message finds its own token in `sending` from moments
 * ago: another delivery of it (SQS delivers at least once) may still be at
 * the provider. The queue delivers it again after its visibility timeout,
 * when that attempt has either finished or is certainly dead.
 */
export class AttemptInFlightError extends AppError {}

/**
 * Sends one claimed message, at most once.
 *
 * Primary course:
 * 1. Mark the message `sending` with this attempt's token (conditional). If
 *    it is already `sending` under the same token, an earlier delivery of
 *    this queue message got that far: if it started moments ago it may still
 *    be running (try again later); otherwise it stopped between the mark and
 *    the record of the result, the outcome is unknown, and the message is
 *    marked `unknown` and never sent again. Any other state means this queue
 *    message is outdated: nothing to do.
 * 2. Re-read the appointment and the patient (after the mark, so a change
 *    that landed before it is seen), and decide: send on a channel, skip with
 *    a reason, or defer (quiet hours reached because sending was late).
 * 3. Render the text (an SMS through the segment guard: shortened to the
 *    clinic's budget, or, when nothing fits, not sent: the next allowed
 *    channel, else skipped `over-segment-budget`), call the provider, then
 *    mark `sent` with its id.
 * 4. A known refusal: throttling or 5xx → back to pending with backoff until
 *    the attempt budget is spent; then, like an invalid or opted-out address,
 *    the next allowed channel at once, else `failed`. An error with no
 *    answer → `unknown`. Any other error before a provider accepted the
 *    message (a failed read, a template that cannot render) → back to pending
 *    with backoff, since nothing was sent.
 * 5. Publish the outcome to the event bus.
 *
 * @param deps - repositories, senders, bus, clock, config
 * @param request - the queue message: ids and claim token
 */
export async function sendMessage(deps: SendDeps, request: SendRequest): Promise<SendOutcome> {
  const key: MessageKey = {
    clinicId: request.clinicId,
    patientId: request.patientId,
    messageId: request.messageId,
  };
  const now = deps.clock.now();
  const at = toUtcIso(now);
  let message: Message;
  try {
    message = await deps.messages.markSending(key, { token: request.token, attemptId: deps.newId(), at });
  } catch (error) {
    if (!(error instanceof MessageTransitionError)) throw error;
    return takenOver(deps, key, request.token, error.current, now, at);
  }
  const attempt: Attempt = {
    deps,
    key,
    token: request.token,
    message,
    now,
    at,
    accepted: false,
    failedChannels: [...(message.failedChannels ?? [])],
  };
  let outcome: SendOutcome;
  try {
    outcome = await attemptSend(attempt);
  } catch (error) {
    // Once a provider accepted the message, only a redelivery may settle it
    // (as `unknown`); before that, nothing was sent and it can simply wait.
    if (attempt.accepted || error instanceof MessageTransitionError) throw error;
    outcome = await retryBeforeSending(attempt, error);
  }
  // After the end is stored: a failure here fails the delivery, and the
  // redelivery, finding the message finished, counts it (takenOver).
  if (attempt.finished) await countMessageEnd(deps, attempt.finished);
  if (attempt.optedOut) await countOptOuts(deps, attempt.optedOut, now);
  return outcome;
}

/** markSending lost: decide what the item's current state means for this queue message. */
async function takenOver(
  deps: SendDeps,
  key: MessageKey,
  token: string,
  current: Message | undefined,
  now: DateTime,
  at: string,
): Promise<SendOutcome> {
  if (current?.status === 'sending' && current.claimToken === token) {
    const startedSecondsAgo = now.diff(parseUtc(current.sendingAt ?? current.updatedAt), 'seconds').seconds;
    if (startedSecondsAgo < deps.config.attemptWindowSeconds) {
      deps.telemetry.count('AttemptInFlight');
      throw new AttemptInFlightError(`message ${key.messageId} is being sent by another delivery`);
    }
    const attempt: Attempt = {
      deps,
      key,
      token,
      message: current,
      now,
      at,
      accepted: false,
      failedChannels: [],
    };
    const outcome = await finishAs(attempt, 'unknown', 'interrupted-attempt');
    if (attempt.finished) await countMessageEnd(deps, attempt.finished);
    return outcome;
  }
  if (current?.status === 'unknown' && current.claimToken === token) {
    // This queue message's own attempt stored the unknown outcome and then
    // failed (it died before counting and publishing it, or just after):
    // count and publish again, so every unknown outcome is alarmed at least
    // once. Found by the simulator (seed 25: a crash after the write).
    deps.telemetry.count('UnknownOutcome', 1, { channel: current.channel });
    await publishAfterStoring(deps, [
      { detailType: 'MessageFailed', detail: messageEventDetail(current, current.finishedAt ?? at) },
    ]);
    // Its daily counters too (a no-op when the first delivery counted it).
    await countMessageEnd(deps, current);
    return 'unknown';
  }
  deps.telemetry.count('StaleDelivery');
  deps.logger.info('outdated queue message ignored', { ...key, status: current?.status });
  // An earlier delivery may have ended the message and stopped before counting
  // it: counting again is a no-op when it did count.
  if (current) await countMessageEnd(deps, current);
  return 'stale';
}

/** Steps 2–5 of sendMessage, for a message this attempt has marked `sending`. */
async function attemptSend(attempt: Attempt): Promise<SendOutcome> {
  const { deps, key, token, message, now, at } = attempt;
  const appointmentId = appointmentIdOf(key.messageId);
  const [appointment, patient, clinic] = await Promise.all([
    appointmentId ? deps.appointments.get(key.clinicId, appointmentId) : Promise.resolve(undefined),
    deps.patients.get(key.clinicId, key.patientId),
    deps.clinics.get(key.clinicId),
  ]);
  if (!clinic) return finishAs(attempt, 'skipped', 'clinic-missing');
  if (message.kind === 'keyword-reply') return sendKeywordReply(attempt, clinic, patient);
  if (message.kind === 'staff-reply') return sendStaffReply(attempt, clinic, patient);
  // Broadcast texts come from staff, stored with the broadcast, not from templates.
  let broadcast: Broadcast | undefined;
  let care: CareReminder | undefined;
  if (message.kind === 'broadcast') {
    const found = await broadcastOf(attempt, patient);
    if ('skip' in found) return finishAs(attempt, 'skipped', found.skip);
    broadcast = found.broadcast;
  } else if (message.kind === 'care-reminder') {
    // Care reminders have the built-in wording of their care kind, read from the reminder.
    const found = await careReminderOf(attempt);
    if ('skip' in found) return finishAs(attempt, 'skipped', found.skip);
    care = found.reminder;
  } else if (!isTemplateKind(message.kind)) {
    return finishAs(attempt, 'skipped', 'no-template-for-kind');
  }
  const templated = message as Message & { kind: TemplateKind };

  // One survey a patient in minDaysBetween days: read their other surveys only when this is one.
  const earlierSurveysSentAt =
    message.kind === 'survey' && clinic.policy.survey.minDaysBetween > 0
      ? (await deps.messages.listForPatient(key.clinicId, key.patientId))
          .filter(
            (other) =>
              other.kind === 'survey' &&
              other.messageId !== key.messageId &&
              ACCEPTED_STATUSES.has(other.status) &&
              other.finishedAt !== undefined,
          )
          .map((other) => other.finishedAt as string)
      : [];
  let currentPatient = patient;
  let fallbackReason: string | undefined;
  // Set when the SMS could not be made to fit its budget: another channel
  // may still carry the message; without one it is skipped, not failed.
  let overBudget = false;
  for (;;) {
    const failedChannels = attempt.failedChannels;
    const decision = decide({
      message,
      appointment,
      patient: currentPatient,
      clinic,
      now,
      failedChannels,
      earlierSurveysSentAt,
    });
    if (decision.action === 'skip') {
      const noChannel = decision.reason === 'no-allowed-channel';
      if (fallbackReason && noChannel) return finishAs(attempt, 'failed', fallbackReason);
      return finishAs(attempt, 'skipped', overBudget && noChannel ? 'over-segment-budget' : decision.reason);
    }
    if (decision.action === 'defer') {
      await deps.messages.reschedule(
        key,
        token,
        {
          dueAt: decision.until,
          channel: message.channel,
          priority: message.priority,
          ownNumber: message.ownNumber,
          reason: decision.reason,
          at,
        },
        ['sending'],
      );
      deps.telemetry.count('MessageDeferred', 1, { reason: decision.reason });
      deps.logger.info('message deferred', { ...key, reason: decision.reason, until: decision.until });
      return 'deferred';
    }

    // Rendered before the call: a template problem is not a provider outcome.
    const outgoing = broadcast
      ? composeBroadcast(decision.channel, decision.address, message, broadcast, {
          clinic,
          patient: currentPatient as Patient,
        })
      : care
        ? composeCare(decision.channel, decision.address, message, care, {
            clinic,
            patient: currentPatient as Patient,
          })
        : compose(decision.channel, decision.address, templated, {
            clinic,
            patient: currentPatient as Patient,
            appointment,
          });
    if (outgoing.channel === 'email' && 'request' in outgoing && message.kind === 'survey') {
      outgoing.request = await withSurveyLink(deps, outgoing.request, message, {
        clinic,
        patient: currentPatient as Patient,
        at,
      });
    }
    if ('overBudget' in outgoing) {
      const { count, budget } = outgoing.overBudget;
      deps.telemetry.count('OverSegmentBudget', 1, { kind: message.kind });
      deps.logger.warn('sms over its segment budget, not sent', { ...key, segments: count.segments, budget });
      attempt.failedChannels = [...failedChannels, 'sms'];
      overBudget = true;
      continue;
    }
    if (outgoing.channel === 'sms' && outgoing.fitted.shortened.length > 0) {
      deps.telemetry.count('SmsShortened', 1, { kind: message.kind });
      deps.logger.info('sms shortened to its segment budget', {
        ...key,
        shortened: outgoing.fitted.shortened,
      });
    }
    let receipt: ProviderReceipt;
    try {
      receipt = await (outgoing.channel === 'sms'
        ? deps.sms.send(outgoing.request)
        : deps.email.send(outgoing.request));
    } catch (error) {
      if (error instanceof PermanentDeliveryError) {
        deps.telemetry.count('ProviderRefused', 1, { channel: decision.channel, reason: error.reason });
        deps.logger.warn('provider refused the address', {
          ...key,
          channel: decision.channel,
          code: error.providerCode,
        });
        attempt.failedChannels = [...failedChannels, decision.channel];
        fallbackReason = `${decision.channel}-${error.reason}`;
        if (error.reason === 'opted-out' && decision.channel === 'sms' && currentPatient) {
          currentPatient = await recordCarrierOptOut(deps, currentPatient, at);
          attempt.optedOut = currentPatient;
        }
        continue;
      }
      if (error instanceof TransientDeliveryError) {
        deps.telemetry.count('ProviderRetry', 1, { channel: decision.channel, code: error.providerCode });
        if (error instanceof ThrottledDeliveryError && decision.channel === 'sms') {
          const lane = smsLaneOf(clinic);
          deps.telemetry.count('ProviderThrottled', 1, { lane });
          try {
            await deps.throttles.record(lane, at);
          } catch (recordError) {
            // The retry below matters more than slowing the number a minute.
            deps.logger.warn('throttle not recorded', { lane, error: (recordError as Error).name });
          }
        }
        if (message.attempts < deps.config.maxAttempts) {
          return retryLater(attempt, decision.channel, `retry:${error.providerCode}`);
        }
        // The budget is spent on this channel: fall back like a refusal would.
        attempt.failedChannels = [...failedChannels, decision.channel];
        fallbackReason = `${decision.channel}-retries-exhausted:${error.providerCode}`;
        continue;
      }
      // No answer from the provider: it may have sent. Never send again.
      attempt.accepted = true;
      deps.logger.error('provider outcome unknown', {
        ...key,
        channel: decision.channel,
        error: (error as Error).name,
      });
      return finishAs(attempt, 'unknown', 'provider-no-answer');
    }
    attempt.accepted = true;

    // A crash from here on leaves the item in `sending` under this token;
    // the redelivered queue message then marks it `unknown`, never resends.
    // A move out of quiet hours stays explained once sent; a retry's reason does not.
    const reason =
      fallbackReason || overBudget
        ? `fallback-after-${fallbackReason ?? 'sms-over-segment-budget'}`
        : isMoveReason(message.reason)
          ? message.reason
          : undefined;
    const sent = await deps.messages.markSent(key, token, {
      providerMessageId: receipt.providerMessageId,
      channel: decision.channel,
      at,
      ...(reason ? { reason } : {}),
    });
    attempt.finished = sent;
    if (broadcast) await countBroadcastOutcome(deps, sent, { status: 'sent' });
    const lagSeconds = Math.max(0, now.diff(parseUtc(message.dueAt), 'seconds').seconds);
    deps.telemetry.count('MessageSent', 1, { channel: decision.channel, kind: message.kind });
    deps.telemetry.seconds('SendLag', lagSeconds, { channel: decision.channel });
    deps.logger.info('message sent', {
      ...key,
      channel: decision.channel,
      fallback: decision.fallback,
      lagSeconds,
    });
    await publishAfterStoring(deps, [
      { detailType: 'MessageSent', detail: messageEventDetail(sent, at, { lagSeconds }) },
    ]);
    return 'sent';
  }
}

/** Nothing reached a provider, so the outcome is known: back to pending, within the attempt budget. */
async function retryBeforeSending(attempt: Attempt, error: unknown): Promise<SendOutcome> {
  const { deps, key, message } = attempt;
  deps.telemetry.count('SendPreparationFailed');
  deps.logger.error('send failed before any provider call; the message waits for another try', {
    ...key,
    error: (error as Error).name,
  });
  if (message.attempts >= deps.config.maxAttempts)
    return finishAs(attempt, 'failed', 'send-preparation-failed');
  return retryLater(attempt, message.channel, 'retry:send-preparation');
}

async function retryLater(attempt: Attempt, channel: Channel, reason: string): Promise<SendOutcome> {
  const { deps, key, token, message, now, at } = attempt;
  const dueAt = toUtcIso(now.plus({ seconds: backoffSeconds(deps.config, message.attempts, deps.random) }));
  await deps.messages.reschedule(
    key,
    token,
    {
      dueAt,
      channel,
      priority: message.priority,
      ownNumber: message.ownNumber,
      reason,
      failedChannels: attempt.failedChannels,
      at,
    },
    ['sending'],
  );
  deps.logger.warn('retry scheduled', { ...key, channel, reason, dueAt });
  return 'retry-scheduled';
}

/**
 * What a keyword reply says and where it goes, decided at send time: the
 * patient's language and zone as they are now, the visit read again; a
 * number no patient has gets the clinic's default language. Only the
 * opt-out confirmation may go to an opted-out patient.
 */
async function keywordReplyOutgoing(
  attempt: Attempt,
  clinic: Clinic,
  patient: Patient | undefined,
): Promise<{ skip: string } | { request: SmsRequest }> {
  const { deps, message, now } = attempt;
  const stored = message.keywordReply;
  if (!stored) return { skip: 'no-answer-stored' };
  const address = patient ? patient.phone : stored.to;
  if (!address) return { skip: patient ? 'no-allowed-channel' : 'patient-missing' };
  if (now > parseUtc(message.notAfter)) return { skip: 'expired' };
  if (patient?.optOuts.sms && stored.purpose !== 'opt-out-confirmation') return { skip: 'opted-out' };
  const appointment = stored.appointmentId
    ? await deps.appointments.get(message.clinicId, stored.appointmentId)
    : undefined;
  const reply = keywordReplyOf(stored.answer, appointment);
  if (!reply) return { skip: 'appointment-missing' };
  const fitted = renderKeywordReply({
    ...reply,
    language: patient ? resolveLanguage(patient, clinic.policy) : message.language,
    clinic,
    zone: patient?.timeZone,
  });
  if (!fitted.fits) return { skip: 'over-segment-budget' };
  return { request: smsRequestOf(address, fitted.text, message, clinic) };
}

/**
 * Sends a keyword reply (the answer to a patient's text): one channel, the
 * one the text came on; no fallback, since a late answer on email to a text
 * means little; no quiet hours, since the patient wrote a moment ago.
 */
async function sendKeywordReply(
  attempt: Attempt,
  clinic: Clinic,
  patient: Patient | undefined,
): Promise<SendOutcome> {
  const outgoing = await keywordReplyOutgoing(attempt, clinic, patient);
  if ('skip' in outgoing) return finishAs(attempt, 'skipped', outgoing.skip);
  return sendOneSms(attempt, patient, outgoing.request);
}

/**
 * Texts a reply (keyword or staff) on the one channel it belongs to, and
 * records the outcome: no fallback channel, no quiet hours.
 */
async function sendOneSms(
  attempt: Attempt,
  patient: Patient | undefined,
  request: SmsRequest,
): Promise<SendOutcome> {
  const { deps, key, token, message, now, at } = attempt;
  let receipt: ProviderReceipt;
  try {
    receipt = await deps.sms.send(request);
  } catch (error) {
    if (error instanceof PermanentDeliveryError) {
      deps.telemetry.count('ProviderRefused', 1, { channel: 'sms', reason: error.reason });
      if (error.reason === 'opted-out' && patient)
        attempt.optedOut = await recordCarrierOptOut(deps, patient, at);
      return finishAs(attempt, 'failed', `sms-${error.reason}`);
    }
    if (error instanceof TransientDeliveryError) {
      deps.telemetry.count('ProviderRetry', 1, { channel: 'sms', code: error.providerCode });
      if (message.attempts < deps.config.maxAttempts) {
        return retryLater(attempt, 'sms', `retry:${error.providerCode}`);
      }
      return finishAs(attempt, 'failed', `sms-retries-exhausted:${error.providerCode}`);
    }
    attempt.accepted = true;
    deps.logger.error('provider outcome unknown', { ...key, channel: 'sms', error: (error as Error).name });
    return finishAs(attempt, 'unknown', 'provider-no-answer');
  }
  attempt.accepted = true;
  const sent = await deps.messages.markSent(key, token, {
    providerMessageId: receipt.providerMessageId,
    channel: 'sms',
    at,
  });
  attempt.finished = sent;
  const lagSeconds = Math.max(0, now.diff(parseUtc(message.dueAt), 'seconds').seconds);
  deps.telemetry.count('MessageSent', 1, { channel: 'sms', kind: message.kind });
  deps.telemetry.seconds('SendLag', lagSeconds, { channel: 'sms' });
  deps.logger.info('message sent', { ...key, channel: 'sms', lagSeconds });
  await publishAfterStoring(deps, [
    { detailType: 'MessageSent', detail: messageEventDetail(sent, at, { lagSeconds }) },
  ]);
  return 'sent';
}

/**
 * What a staff reply says and where it goes, decided at send time: the
 * words staff wrote, stored with the message (framed with the clinic's
 * name and the opt-out line when it opens a conversation), to the
 * patient's number as it is now; an opt-out or a segment budget lowered
 * since it was written wins.
 */
function staffReplyOutgoing(
  attempt: Attempt,
  clinic: Clinic,
  patient: Patient | undefined,
): { skip: string } | { request: SmsRequest } {
  const { message, now } = attempt;
  // With the clinic's name and the opt-out line when it opens a conversation (the 24-hour rule).
  const text = staffReplyWordsOf(message, clinic);
  if (!text) return { skip: 'no-text-stored' };
  if (!patient) return { skip: 'patient-missing' };
  if (!patient.phone) return { skip: 'no-allowed-channel' };
  if (now > parseUtc(message.notAfter)) return { skip: 'expired' };
  if (patient.optOuts.sms) return { skip: 'opted-out' };
  if (countSegments(text).segments > segmentBudgetFor(clinic.policy, 'staff-reply')) {
    return { skip: 'over-segment-budget' };
  }
  return { request: smsRequestOf(patient.phone, text, message, clinic) };
}

/**
 * Sends a staff reply (a person's answer to a patient's text, kind
 * `staff-reply`) as written, by SMS only: it answers a text, so no
 * fallback channel, and no quiet hours, since staff send it as they write.
 */
async function sendStaffReply(
  attempt: Attempt,
  clinic: Clinic,
  patient: Patient | undefined,
): Promise<SendOutcome> {
  const outgoing = staffReplyOutgoing(attempt, clinic, patient);
  if ('skip' in outgoing) return finishAs(attempt, 'skipped', outgoing.skip);
  return sendOneSms(attempt, patient, outgoing.request);
}
