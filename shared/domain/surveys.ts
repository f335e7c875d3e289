/**
 * Follow-up surveys, the pure part (issue 13 item 1): the clinic's survey
 * design as its policy holds it, the scale a survey asks for, the class of
 * a score, the one follow-up after it, the spacing between a patient's
 * surveys, late answers and the Net Promoter Score arithmetic. No I/O, no
 * clock: callers pass the instants.
 *
 * NPS (Bain): 0–10; promoters 9–10, passives 7–8, detractors 0–6;
 * NPS = % promoters − % detractors, from −100 to +100, undefined (null)
 * with no responses. CSAT: 1–5; 4–5 satisfied, 3 neutral, 1–2 unhappy,
 * which map onto the same three classes for the follow-up and the counters.
 */
import { parseUtc } from './time';

export const SURVEY_SCALES = ['nps', 'csat'] as const;
export type SurveyScale = (typeof SURVEY_SCALES)[number];

/** The range each scale asks the patient for. */
export const SCALE_RANGE: Record<SurveyScale, { min: number; max: number }> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
};

export const SCORE_CLASSES = ['promoter', 'passive', 'detractor'] as const;
export type ScoreClass = (typeof SCORE_CLASSES)[number];

/** Days between two surveys to one patient, by default (an NHS practice: at most once a month). */
export const DEFAULT_SURVEY_SPACING_DAYS = 30;
/** Days after sending during which an answer is on time; later ones are kept, flagged late. */
export const DEFAULT_SURVEY_ANSWER_DAYS = 7;
/** Longest comment kept; longer ones are truncated and say so. */
export const MAX_SURVEY_COMMENT = 1600;

/** The one text after a score, as the keyword reply it is sent as. */
export const SURVEY_FOLLOW_UPS = ['survey-follow-up', 'survey-review', 'survey-thanks'] as const;
export type SurveyFollowUp = (typeof SURVEY_FOLLOW_UPS)[number];

/** Longest review link: the promoters' thank-you stays one part with a 20-character name and a 16-character number. */
export const REVIEW_LINK_MAX = 60;

/** The answer a survey message holds (model.ts SurveyAnswerSchema is its full schema). */
export interface SurveyAnswerShape {
  scale: SurveyScale;
  score: number;
  class: ScoreClass;
}

/** The follow-up settings of `policy.survey` (the schema is in model.ts beside the rest of the policy). */
export interface SurveyFollowUpPolicy {
  followUp: { askPassives: boolean; reviewLink?: string | undefined };
}

/**
 * The class of a score on its scale.
 *
 * @param scale - the survey's scale
 * @param score - a score within the scale's range
 */
export function scoreClass(scale: SurveyScale, score: number): ScoreClass {
  if (scale === 'csat') return score >= 4 ? 'promoter' : score === 3 ? 'passive' : 'detractor';
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}

/**
 * The one follow-up after a score: what could have been better (detractors,
 * and passives when the clinic asks them), the review link (promoters, when
 * the clinic has one), else a thank-you.
 *
 * @param survey - the clinic's survey policy
 * @param cls - the score's class
 */
export function followUpFor(survey: SurveyFollowUpPolicy, cls: ScoreClass): SurveyFollowUp {
  if (cls === 'detractor') return 'survey-follow-up';
  if (cls === 'passive') return survey.followUp.askPassives ? 'survey-follow-up' : 'survey-thanks';
  return survey.followUp.reviewLink ? 'survey-review' : 'survey-thanks';
}

/** Whether a follow-up asks the patient for words (so their next text is the survey's comment). */
export function followUpAsksComment(followUp: SurveyFollowUp): boolean {
  return followUp === 'survey-follow-up';
}

/**
 * Whether an answer at `answeredAt` to a survey sent at `sentAt` is late.
 *
 * @param sentAt - when the survey went out (UTC ISO)
 * @param answeredAt - when the patient answered (UTC ISO)
 * @param windowDays - policy.survey.answerWindowDays
 */
export function isLateAnswer(sentAt: string, answeredAt: string, windowDays: number): boolean {
  return parseUtc(answeredAt) > parseUtc(sentAt).plus({ days: windowDays });
}

/**
 * Whether a patient may get a survey now: none in the last `minDaysBetween`
 * days (counted as elapsed days from each earlier survey's send).
 *
 * @param earlierSentAt - when each earlier survey to the patient went out (UTC ISO)
 * @param now - the instant the new survey would go (UTC ISO)
 * @param minDaysBetween - policy.survey.minDaysBetween
 */
export function maySurveyAgain(
  earlierSentAt: readonly string[],
  now: string,
  minDaysBetween: number,
): boolean {
  if (minDaysBetween === 0) return true;
  const since = parseUtc(now).minus({ days: minDaysBetween });
  return !earlierSentAt.some((at) => parseUtc(at) > since && parseUtc(at) <= parseUtc(now));
}

/**
 * A comment as kept: at most {@link MAX_SURVEY_COMMENT} characters (code
 * points, so a surrogate pair is never cut), with `truncated` saying more was written.
 *
 * @param text - the patient's words
 */
export function commentOf(text: string): { text: string; truncated: boolean } {
  const points = Array.from(text.trim());
  if (points.length <= MAX_SURVEY_COMMENT) return { text: points.join(''), truncated: false };
  return { text: points.slice(0, MAX_SURVEY_COMMENT).join(''), truncated: true };
}

/** Answers by class and the sum of NPS scores, as the daily counters hold them. */
export interface NpsCounts {
  promoters: number;
  passives: number;
  detractors: number;
}

/**
 * Net Promoter Score: % promoters − % detractors, rounded to one decimal;
 * null with no responses.
 *
 * @param counts - responses by class
 */
export function netPromoterScore(counts: NpsCounts): number | null {
  const responses = counts.promoters + counts.passives + counts.detractors;
  if (responses === 0) return null;
  const score = ((counts.promoters - counts.detractors) / responses) * 100;
  // `+ 0` turns a rounded -0 into 0.
  return Math.round(score * 10) / 10 + 0;
}

/**
 * A ratio, null when the denominator is 0.
 *
 * @param numerator - the part
 * @param denominator - the whole
 */
export function rateOf(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}
