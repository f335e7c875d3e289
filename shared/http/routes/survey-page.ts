/**
 * The email survey's public page (issue 13 item 2): `GET` shows the form of
 * a signed link, `POST` takes its answer. No token: the link's signature is
 * the credential, checked before anything is read, and every read and write
 * then runs inside the link's clinic scope like any staff request.
 * Served by the staff-api function (docs/architecture.md says why).
 */
import * as z from 'zod';
import { inClinicScope } from '../../clinic-scope';
import { ClinicIdSchema } from '../../domain/model';
import { answerSurveyPage, type SurveyPageResult, showSurveyPage } from '../../use-cases/survey-page';
import { bodyBytes } from '../request';
import type { ApiResult } from '../router';
import { renderSurveyPage, SURVEY_PAGE_HEADERS } from '../survey-page-html';
import type { StaffRoute } from './context';

/** The page's path, by route: the clinic and the link's token. */
export const SURVEY_PAGE_PATH = '/survey/{clinicId}/{token}';

/** Largest form accepted: a comment far over the 1,600 characters kept still fits. */
const FORM_MAX_BYTES = 32 * 1024;

const SurveyFormSchema = z.object({
  score: z.string().describe('The score chosen: a whole number on the clinic’s scale (0–10 NPS, 1–5 CSAT).'),
  comment: z
    .string()
    .optional()
    .describe('What could have been better; over 1,600 characters it is kept truncated and flagged.'),
});

function html(result: SurveyPageResult): ApiResult {
  return {
    status: result.status,
    body: null,
    text: renderSurveyPage(result.view),
    headers: { ...SURVEY_PAGE_HEADERS },
  };
}

/** A path whose clinic id is not one: the link was not made by us. */
const NOT_A_LINK: SurveyPageResult = { status: 401, view: { view: 'refused', reason: 'forged' } };

function scoped(
  params: Record<string, string>,
  run: (clinicId: string, token: string) => Promise<SurveyPageResult>,
): Promise<ApiResult> {
  const clinicId = ClinicIdSchema.safeParse(params.clinicId);
  if (!clinicId.success) return Promise.resolve(html(NOT_A_LINK));
  return inClinicScope(clinicId.data, async () => html(await run(clinicId.data, params.token ?? '')));
}

const RESPONSES = {
  200: { description: 'The form (GET), or the thank-you page (POST)', html: true },
  400: {
    description: 'POST without a score on the clinic’s scale: the form again, naming the score',
    html: true,
  },
  401: { description: 'A forged or altered link', html: true },
  403: { description: 'A link for another clinic’s page', html: true },
  410: { description: 'An expired link, or one whose survey is answered already (single use)', html: true },
} as const;

export const SURVEY_PAGE_ROUTES: StaffRoute[] = [
  {
    method: 'GET',
    path: SURVEY_PAGE_PATH,
    public: true,
    doc: {
      operationId: 'showSurveyPage',
      summary: 'The email survey’s page (public, HTML, no JavaScript)',
      description:
        'Opened from the signed link in a survey email. Shows the clinic’s name and the score form ' +
        '(0–10, or 1–5 for CSAT) with a comment box, in the survey’s language (en/es). No login: the ' +
        'link’s HMAC-SHA256 signature is the credential.',
      tag: 'Survey page',
      responses: RESPONSES,
    },
    handle: (context, params) =>
      scoped(params, (clinicId, token) => showSurveyPage(context.deps, clinicId, token)),
  },
  {
    method: 'POST',
    path: SURVEY_PAGE_PATH,
    public: true,
    doc: {
      operationId: 'answerSurveyPage',
      summary: 'Answer the email survey (the page’s form POST)',
      description:
        'Records the score and comment on the survey through the same use case as an SMS score. ' +
        'The first answer stands: a second POST of the link is 410.',
      tag: 'Survey page',
      body: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: SurveyFormSchema } },
      },
      responses: RESPONSES,
    },
    handle: (context, params) =>
      scoped(params, (clinicId, token) => {
        const form = new URLSearchParams(bodyBytes(context.event, FORM_MAX_BYTES, 'form').toString('utf8'));
        return answerSurveyPage(context.deps, clinicId, token, {
          score: form.get('score') ?? undefined,
          comment: form.get('comment') ?? undefined,
        });
      }),
  },
];
