/**
 * The email survey's page (issue 13 item 2): what a signed link shows, and
 * what its form's answer does. The answer goes through recordSurveyAnswer,
 * the same use case as an SMS score (one code path), with `via: email`.
 *
 * Statuses: a forged link 401; a link for another clinic's page 403; an
 * expired one 410; one whose survey is answered already (a second use, or a
 * replayed POST) 410 as well — the link is spent, which is what Gone says,
 * and 409 would invite a retry that can never succeed; a survey that is
 * not there any more (retention) 410. A submit without a score is 400,
 * the form again with the field named and the comment kept.
 */
import { ValidationError } from '../domain/errors';
import type { Clinic, Message } from '../domain/model';
import { type SurveyLinkClaims, verifySurveyToken } from '../domain/survey-link';
import type { SurveyScale } from '../domain/surveys';
import { toUtcIso } from '../domain/time';
import type { SurveyLinkSecret } from '../ports/outbound';
import type { ClinicRepository } from '../ports/repositories';
import { recordSurveyAnswer, type SurveyAnswerDeps } from './record-survey-answer';

export type PageLanguage = 'en' | 'es';

/** What the page shows: the form (again, with an error), the thanks, or why the link is refused. */
export type SurveyPageView =
  | {
      view: 'form';
      language: PageLanguage;
      clinicName: string;
      scale: SurveyScale;
      /** A refused submit: the field that is wrong, with the comment kept. */
      error?: { field: 'score' };
      comment?: string;
    }
  | {
      view: 'thanks';
      language: PageLanguage;
      clinicName: string;
      reviewLink?: string;
      /** The comment was over 1,600 characters and was kept truncated. */
      truncated: boolean;
    }
  | {
      view: 'refused';
      reason: 'forged' | 'other-clinic' | 'expired' | 'answered' | 'gone';
      /** Unknown for a forged link: the page says it in both languages. */
      language?: PageLanguage;
      clinicName?: string;
    };

/**
 * A language the page has, for a message's language tag (`es-MX` → es); undefined for others.
 *
 * @param tag - the survey message's language
 */
export function pageLanguageOf(tag: string | undefined): PageLanguage | undefined {
  const base = tag?.toLowerCase().split('-')[0];
  return base === 'en' || base === 'es' ? base : undefined;
}

export interface SurveyPageDeps extends SurveyAnswerDeps {
  clinics: ClinicRepository;
  surveyLinkSecret: SurveyLinkSecret;
}

export interface SurveyPageResult {
  status: 200 | 400 | 401 | 403 | 404 | 410;
  view: SurveyPageView;
}

/** The form's fields as posted (application/x-www-form-urlencoded). */
export interface SurveyForm {
  score?: string | undefined;
  comment?: string | undefined;
}

type Opened =
  | { ok: true; clinic: Clinic; survey: Message; language: PageLanguage }
  | { ok: false; result: SurveyPageResult };

/** The clinic's own language for a page whose survey's language the page lacks. */
function languageOf(claims: SurveyLinkClaims, clinic: Clinic | undefined): PageLanguage {
  return pageLanguageOf(claims.language) ?? pageLanguageOf(clinic?.policy.defaultLanguage) ?? 'en';
}

function refused(
  status: SurveyPageResult['status'],
  reason: Extract<SurveyPageView, { view: 'refused' }>['reason'],
  language?: PageLanguage,
  clinicName?: string,
): { ok: false; result: SurveyPageResult } {
  return {
    ok: false,
    result: {
      status,
      view: {
        view: 'refused',
        reason,
        ...(language ? { language } : {}),
        ...(clinicName ? { clinicName } : {}),
      },
    },
  };
}

/**
 * Checks a link and finds what it names: the token's signature, clinic and
 * expiry, then the clinic and the survey message, not answered yet.
 */
async function open(deps: SurveyPageDeps, clinicId: string, token: string): Promise<Opened> {
  const check = verifySurveyToken(await deps.surveyLinkSecret.key(), token, {
    clinicId,
    now: toUtcIso(deps.clock.now()),
  });
  if (!check.ok) {
    deps.logger.info('survey link refused', { clinicId, reason: check.reason });
    deps.telemetry.count('SurveyLinkRefused', 1, { reason: check.reason });
    if (check.reason === 'forged') return refused(401, 'forged');
    // Another clinic's link: neither clinic's name.
    if (check.reason === 'other-clinic')
      return refused(403, 'other-clinic', languageOf(check.claims, undefined));
    const clinic = await deps.clinics.get(clinicId);
    return refused(410, 'expired', languageOf(check.claims, clinic), clinic?.name);
  }
  const { claims } = check;
  const clinic = await deps.clinics.get(claims.clinicId);
  const survey = clinic
    ? await deps.messages.get({
        clinicId: claims.clinicId,
        patientId: claims.patientId,
        messageId: claims.messageId,
      })
    : undefined;
  const language = languageOf(claims, clinic);
  if (!clinic || survey?.kind !== 'survey') {
    deps.logger.info('survey link names no survey', { clinicId, messageId: claims.messageId });
    return refused(410, 'gone', language, clinic?.name);
  }
  if (survey.surveyAnswer) {
    deps.telemetry.count('SurveyLinkRefused', 1, { reason: 'answered' });
    return refused(410, 'answered', language, clinic.name);
  }
  return { ok: true, clinic, survey, language };
}

/**
 * What the link shows: the form, or why it is refused.
 *
 * @param deps - clinics, messages, the link secret, clock, logger, telemetry
 * @param clinicId - the clinic in the link's path
 * @param token - the token in the link's path
 */
export async function showSurveyPage(
  deps: SurveyPageDeps,
  clinicId: string,
  token: string,
): Promise<SurveyPageResult> {
  const opened = await open(deps, clinicId, token);
  if (!opened.ok) return opened.result;
  return {
    status: 200,
    view: {
      view: 'form',
      language: opened.language,
      clinicName: opened.clinic.name,
      scale: opened.clinic.policy.survey.scale,
    },
  };
}

/**
 * Takes the form's answer.
 *
 * Primary course:
 * 1. Check the link as the page does (refusals as there; a used link is 410).
 * 2. Read the score (a whole number on the clinic's scale; else the form
 *    again, 400, naming the score, the comment kept).
 * 3. Record it with the comment through recordSurveyAnswer (via email, at
 *    now): the first answer stands, so a second POST finds it and is 410.
 * 4. Thank the patient; a promoter sees the clinic's review link.
 *
 * @param deps - clinics, messages, cases, the link secret, clock, logger, telemetry
 * @param clinicId - the clinic in the link's path
 * @param token - the token in the link's path
 * @param form - the posted fields
 */
export async function answerSurveyPage(
  deps: SurveyPageDeps,
  clinicId: string,
  token: string,
  form: SurveyForm,
): Promise<SurveyPageResult> {
  const opened = await open(deps, clinicId, token);
  if (!opened.ok) return opened.result;
  const { clinic, survey, language } = opened;
  const { scale } = clinic.policy.survey;
  const score = /^\d{1,2}$/.test(form.score?.trim() ?? '') ? Number(form.score) : Number.NaN;
  const comment = form.comment?.trim() ? form.comment : undefined;
  const formAgain = (): SurveyPageResult => ({
    status: 400,
    view: {
      view: 'form',
      language,
      clinicName: clinic.name,
      scale,
      error: { field: 'score' },
      ...(comment ? { comment } : {}),
    },
  });
  if (Number.isNaN(score)) return formAgain();
  let recorded: Awaited<ReturnType<typeof recordSurveyAnswer>>;
  try {
    recorded = await recordSurveyAnswer(deps, clinic, survey, {
      score,
      answeredAt: toUtcIso(deps.clock.now()),
      via: 'email',
      comment,
    });
  } catch (error) {
    if (error instanceof ValidationError) return formAgain();
    throw error;
  }
  if (recorded.outcome === 'answered-before') return refused(410, 'answered', language, clinic.name).result;
  const reviewLink =
    recorded.answer.followUp === 'survey-review' ? clinic.policy.survey.followUp.reviewLink : undefined;
  return {
    status: 200,
    view: {
      view: 'thanks',
      language,
      clinicName: clinic.name,
      truncated: recorded.answer.comment?.truncated ?? false,
      ...(reviewLink ? { reviewLink } : {}),
    },
  };
}
