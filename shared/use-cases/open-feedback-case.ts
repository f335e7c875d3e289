/**
 * Cases that open by themselves (issue 13): one for every patient reply
 * that reads as a complaint, and one for every detractor score or survey
 * comment that reads as one. The case id comes from what opened it, and
 * the case is created conditionally, so a duplicated or retried delivery
 * opens one case.
 *
 * Exported for the survey answers (w13s): call {@link openCaseFromSurvey}
 * with the survey's id once its score or comment is recorded.
 */
import { type FeedbackCase, openCase, SYSTEM_AUTHOR } from '../domain/cases/case';
import { detectComplaint } from '../domain/cases/complaints';
import { caseChangeEvents } from '../domain/counters';
import type { Clinic } from '../domain/model';
import { type SurveyScale, scoreClass } from '../domain/surveys';
import type { Clock } from '../domain/time';
import type { CaseRepository } from '../ports/cases';
import type { DailyCounters } from '../ports/counters';
import type { AppLogger, Telemetry } from '../ports/outbound';
import { recordEvents } from './count-events';

export interface FeedbackCaseDeps {
  cases: CaseRepository;
  /** Daily counters: cases opened. */
  counters: DailyCounters;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
}

/** What an automatic open did: opened now, opened by an earlier delivery, or nothing to open. */
export type AutoOpenOutcome = { outcome: 'opened' | 'exists'; caseId: string } | { outcome: 'none' };

/** The case id of a reply's complaint. */
export function replyCaseId(inboundMessageId: string): string {
  return `reply-${inboundMessageId}`;
}

/**
 * The case id of a survey's detractor score or complaint comment. A survey
 * message's id holds `#` (`a-1#survey#2h#v1`), which a case id (a URL path
 * segment) does not; ids never hold `:`, so `#` → `:` keeps ids apart.
 */
export function surveyCaseId(surveyId: string): string {
  return `survey-${surveyId.replaceAll('#', ':')}`;
}

async function store(deps: FeedbackCaseDeps, zone: string, record: FeedbackCase): Promise<AutoOpenOutcome> {
  const created = await deps.cases.create(record);
  // A second delivery finds the case and counts the stored one: a no-op when the first delivery counted it.
  const stored = created ? record : await deps.cases.get(record.clinicId, record.caseId);
  if (stored) {
    const opened = caseChangeEvents(undefined, stored, zone).filter((event) =>
      event.eventId.endsWith('#opened'),
    );
    await recordEvents(deps.counters, opened);
  }
  // Ids only: the summary is the patient's words.
  deps.logger.info(created ? 'feedback case opened' : 'feedback case exists already', {
    clinicId: record.clinicId,
    caseId: record.caseId,
    source: record.source,
  });
  if (created) deps.telemetry.count('CaseOpened', 1, { source: record.source });
  return { outcome: created ? 'opened' : 'exists', caseId: record.caseId };
}

/**
 * Opens a case for a patient's free-text reply when it reads as a complaint.
 *
 * Primary course:
 * 1. Read the text with the clinic's complaint phrases (nothing when it is not a complaint).
 * 2. Open a high-priority case under `reply-<inboundMessageId>`, category from the phrase, linked by ids.
 * 3. Create it conditionally: a second delivery finds it there.
 *
 * @param deps - the case repository, clock, logger, telemetry
 * @param clinic - the clinic (zone, business hours, complaint phrases)
 * @param reply - the text's id, words, and the patient and visit it matched
 */
export async function openCaseFromReply(
  deps: FeedbackCaseDeps,
  clinic: Clinic,
  reply: { inboundMessageId: string; body: string; patientId: string; appointmentId?: string | undefined },
): Promise<AutoOpenOutcome> {
  const complaint = detectComplaint(reply.body, clinic.policy.cases.complaintPhrases);
  if (!complaint) return { outcome: 'none' };
  const record = openCase(
    clinic,
    {
      caseId: replyCaseId(reply.inboundMessageId),
      source: 'complaint-wording',
      category: complaint.category,
      complaintPhrase: complaint.phrase,
      summary: reply.body,
      links: {
        patientId: reply.patientId,
        inboundMessageId: reply.inboundMessageId,
        ...(reply.appointmentId ? { appointmentId: reply.appointmentId } : {}),
      },
      by: SYSTEM_AUTHOR,
    },
    deps.clock.now(),
  );
  return store(deps, clinic.timeZone, record);
}

/** A survey answer as far as cases care: its score and/or comment. */
export interface SurveyFeedback {
  /** The survey's id (the survey message's id): one case per survey. */
  surveyId: string;
  /** The scale the score is on (a detractor is 0–6 of NPS, 1–2 of CSAT). */
  scale: SurveyScale;
  score?: number | undefined;
  comment?: string | undefined;
  patientId?: string | undefined;
  appointmentId?: string | undefined;
  inboundMessageId?: string | undefined;
}

/**
 * Opens a case for a detractor score (scoreClass on the survey's scale), or for a survey comment that
 * reads as a complaint; one case per survey, whichever comes first.
 *
 * @param deps - the case repository, clock, logger, telemetry
 * @param clinic - the clinic
 * @param answer - the survey's id, score, comment and ids
 */
export async function openCaseFromSurvey(
  deps: FeedbackCaseDeps,
  clinic: Clinic,
  answer: SurveyFeedback,
): Promise<AutoOpenOutcome> {
  const detractor = answer.score !== undefined && scoreClass(answer.scale, answer.score) === 'detractor';
  const complaint = answer.comment
    ? detectComplaint(answer.comment, clinic.policy.cases.complaintPhrases)
    : undefined;
  if (!detractor && !complaint) return { outcome: 'none' };
  const record = openCase(
    clinic,
    {
      caseId: surveyCaseId(answer.surveyId),
      source: detractor ? 'detractor-score' : 'complaint-wording',
      category: complaint?.category ?? 'other',
      ...(complaint ? { complaintPhrase: complaint.phrase } : {}),
      ...(answer.comment ? { summary: answer.comment } : {}),
      links: {
        surveyId: answer.surveyId,
        ...(answer.patientId ? { patientId: answer.patientId } : {}),
        ...(answer.appointmentId ? { appointmentId: answer.appointmentId } : {}),
        ...(answer.inboundMessageId ? { inboundMessageId: answer.inboundMessageId } : {}),
      },
      by: SYSTEM_AUTHOR,
    },
    deps.clock.now(),
  );
  return store(deps, clinic.timeZone, record);
}
