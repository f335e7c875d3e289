/**
 * Survey answers (issue 13 items 1 and 2): the one code path by which a
 * score, and the patient's comment after it, reach the survey message they
 * answer, whether they came as a text (handle-inbound) or through the
 * email link's page (survey-page).
 *
 * One answer per survey: the first score stands. A second score, or a
 * second comment, changes nothing here (handle-inbound hands such a text to
 * staff as free text, and the page refuses a used link), so the survey
 * counts once in every figure. Each write is conditional on the survey
 * holding no answer (or no comment) yet, and a repeat of the same answer
 * (a retried delivery, a page POST sent twice by the network) is told from
 * a second one by its time and inbound id: it is `replayed`, and the steps
 * after the write (the feedback case) run again so a crash between them
 * loses nothing.
 */
import { addCaseNote, SYSTEM_AUTHOR } from '../domain/cases/case';
import { surveyAnswerEvent } from '../domain/counters';
import { ConflictError, ValidationError } from '../domain/errors';
import type { Clinic, Message, SurveyAnswer } from '../domain/model';
import { commentOf, followUpFor, isLateAnswer, SCALE_RANGE, scoreClass } from '../domain/surveys';
import { toUtcIso } from '../domain/time';
import type { MessageRepository } from '../ports/repositories';
import { recordEvents } from './count-events';
import {
  type AutoOpenOutcome,
  type FeedbackCaseDeps,
  openCaseFromSurvey,
  surveyCaseId,
} from './open-feedback-case';

export interface SurveyAnswerDeps extends FeedbackCaseDeps {
  messages: MessageRepository;
}

/** A score as the patient gave it, by text or on the page. */
export interface SurveyResponse {
  score: number;
  /** When the patient answered (the text's envelope time, or the page's submit), UTC ISO. */
  answeredAt: string;
  via: SurveyAnswer['via'];
  /** The text that carried it (SMS). */
  inboundMessageId?: string | undefined;
  /** The page's comment box, sent with the score (email). */
  comment?: string | undefined;
}

export interface SurveyAnswerResult {
  outcome: 'recorded' | 'replayed' | 'answered-before';
  /** The survey's answer as stored (the first one, for `answered-before`). */
  answer: SurveyAnswer;
  /** The feedback case the answer opened (or an earlier try of it did). */
  caseId?: string;
}

/** Tries of the case's summary update before a staff change wins. */
const TRIES = 3;

function caseIdOf(opened: AutoOpenOutcome): string | undefined {
  return opened.outcome === 'none' ? undefined : opened.caseId;
}

/** When the survey went out: the provider's acceptance, else its due time. */
function sentAtOf(survey: Message): string {
  return survey.finishedAt ?? survey.dueAt;
}

function assertSurvey(survey: Message): void {
  if (survey.kind !== 'survey') {
    throw ValidationError.field('messageId', `message ${survey.messageId} is a ${survey.kind}, not a survey`);
  }
}

/**
 * The case a comment belongs to. A detractor's score opened it already with
 * no words: the comment becomes its summary and a note in its history, once
 * (a retry finds the summary there). Otherwise a comment that reads as a
 * complaint opens the survey's case.
 */
async function caseForComment(
  deps: SurveyAnswerDeps,
  clinic: Clinic,
  survey: Message,
  comment: string,
  inboundMessageId: string | undefined,
): Promise<string | undefined> {
  const caseId = surveyCaseId(survey.messageId);
  for (let tries = 0; tries < TRIES; tries++) {
    const existing = await deps.cases.get(clinic.clinicId, caseId);
    if (!existing) {
      return caseIdOf(
        await openCaseFromSurvey(deps, clinic, {
          surveyId: survey.messageId,
          scale: clinic.policy.survey.scale,
          comment,
          patientId: survey.patientId,
          appointmentId: survey.appointmentId,
          inboundMessageId,
        }),
      );
    }
    if (existing.summary !== undefined) return caseId;
    const noted = addCaseNote(existing, comment, SYSTEM_AUTHOR, deps.clock.now());
    try {
      await deps.cases.put({ ...noted, summary: comment }, existing.version);
      deps.logger.info('survey comment added to its case', { clinicId: clinic.clinicId, caseId });
      return caseId;
    } catch (error) {
      if (!(error instanceof ConflictError) || tries === TRIES - 1) throw error;
    }
  }
  return caseId;
}

/**
 * Records a survey's score (and, from the page, its comment), once.
 *
 * Primary course:
 * 1. Check the message is a survey and the score is on the clinic's scale
 *    (0–10 NPS, 1–5 CSAT): otherwise a ValidationError naming `score`, nothing changes.
 * 2. Build the answer: class on the scale, late when past
 *    policy.survey.answerWindowDays after sending (kept and counted, flagged),
 *    the one follow-up (followUpFor), the comment truncated at 1,600 characters with a flag.
 * 3. Write it on the survey, conditionally on it holding no answer.
 * 4. A detractor's score, or a comment that reads as a complaint, opens
 *    the survey's feedback case (its id is the survey's, so once).
 *
 * @param deps - the outbox, the case repository, clock, logger, telemetry
 * @param clinic - the clinic (its survey scale, answer window, follow-up and complaint phrases)
 * @param survey - the survey message answered
 * @param response - the score, when and how it came, and the page's comment
 */
export async function recordSurveyAnswer(
  deps: SurveyAnswerDeps,
  clinic: Clinic,
  survey: Message,
  response: SurveyResponse,
): Promise<SurveyAnswerResult> {
  assertSurvey(survey);
  const { scale, answerWindowDays } = clinic.policy.survey;
  const range = SCALE_RANGE[scale];
  if (!Number.isInteger(response.score) || response.score < range.min || response.score > range.max) {
    throw ValidationError.field('score', `must be a whole number from ${range.min} to ${range.max}`);
  }
  const cls = scoreClass(scale, response.score);
  const words = response.comment?.trim() ? commentOf(response.comment) : undefined;
  const answer: SurveyAnswer = {
    scale,
    score: response.score,
    class: cls,
    answeredAt: response.answeredAt,
    via: response.via,
    late: isLateAnswer(sentAtOf(survey), response.answeredAt, answerWindowDays),
    ...(response.inboundMessageId ? { inboundMessageId: response.inboundMessageId } : {}),
    followUp: followUpFor(clinic.policy.survey, cls),
    ...(words ? { comment: { ...words, at: response.answeredAt } } : {}),
  };
  const key = { clinicId: survey.clinicId, patientId: survey.patientId, messageId: survey.messageId };
  const written = await deps.messages.recordSurveyAnswer(key, answer, toUtcIso(deps.clock.now()));
  const stored = written.message.surveyAnswer ?? answer;
  const ids = { clinicId: clinic.clinicId, messageId: survey.messageId, via: response.via };
  if (written.outcome === 'answered-before') {
    deps.logger.info('survey answered before; the first answer stands', ids);
    deps.telemetry.count('SurveyAnswerRefused', 1, { reason: 'answered-before', via: response.via });
    return { outcome: 'answered-before', answer: stored };
  }
  const opened = await openCaseFromSurvey(deps, clinic, {
    surveyId: survey.messageId,
    scale,
    score: answer.score,
    comment: answer.comment?.text,
    patientId: survey.patientId,
    appointmentId: survey.appointmentId,
    inboundMessageId: response.inboundMessageId,
  });
  const caseId = caseIdOf(opened);
  // Counted after the answer and its case, on every delivery that gets here: a replay counts nothing twice.
  await recordEvents(deps.counters, [
    surveyAnswerEvent({ ...survey, surveyAnswer: stored }, clinic.timeZone),
  ]);
  deps.logger.info('survey answer recorded', {
    ...ids,
    outcome: written.outcome,
    class: answer.class,
    late: answer.late,
    ...(caseId ? { caseId } : {}),
  });
  if (written.outcome === 'recorded') {
    deps.telemetry.count('SurveyAnswerRecorded', 1, { via: response.via, class: answer.class });
  }
  return { outcome: written.outcome, answer: stored, ...(caseId ? { caseId } : {}) };
}

/**
 * Records the patient's words after the follow-up on the survey's answer,
 * once: the survey must be answered with a follow-up that asked for words
 * and hold no comment yet.
 *
 * Primary course:
 * 1. Keep at most 1,600 characters, flagged truncated when there were more.
 * 2. Write it on the survey's answer, conditionally on it holding none.
 * 3. The survey's case: a detractor's case gets the words as its summary
 *    and a note; otherwise words that read as a complaint open one.
 *
 * @param deps - the outbox, the case repository, clock, logger, telemetry
 * @param clinic - the clinic
 * @param survey - the survey message whose follow-up the patient answered, as read (with its answer)
 * @param words - the patient's text, when, and its inbound id
 * @returns `unanswered` when the survey holds no score yet (nothing changes)
 */
export async function recordSurveyComment(
  deps: SurveyAnswerDeps,
  clinic: Clinic,
  survey: Message,
  words: { text: string; at: string; inboundMessageId?: string | undefined },
): Promise<SurveyAnswerResult | { outcome: 'unanswered' }> {
  assertSurvey(survey);
  const kept = commentOf(words.text);
  if (kept.text.length === 0) throw ValidationError.field('comment', 'must not be empty');
  const comment = {
    ...kept,
    at: words.at,
    ...(words.inboundMessageId ? { inboundMessageId: words.inboundMessageId } : {}),
  };
  const written = await deps.messages.recordSurveyComment(survey, comment, toUtcIso(deps.clock.now()));
  const ids = { clinicId: clinic.clinicId, messageId: survey.messageId };
  if (written.outcome === 'unanswered') return { outcome: 'unanswered' };
  const stored = written.message.surveyAnswer as SurveyAnswer;
  if (written.outcome === 'answered-before') {
    deps.logger.info('survey comment given before; the first stands', ids);
    return { outcome: 'answered-before', answer: stored };
  }
  const caseId = await caseForComment(deps, clinic, survey, kept.text, words.inboundMessageId);
  deps.logger.info('survey comment recorded', {
    ...ids,
    outcome: written.outcome,
    truncated: kept.truncated,
    ...(caseId ? { caseId } : {}),
  });
  if (written.outcome === 'recorded') deps.telemetry.count('SurveyCommentRecorded', 1);
  return { outcome: written.outcome, answer: stored, ...(caseId ? { caseId } : {}) };
}
