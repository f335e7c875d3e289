/**
 * The email survey's public page as HTML (issue 13 item 2): no script at
 * all, a plain form POSTed to its own URL, the clinic's name and nothing
 * about the visit, in the survey's language (en or es; a link whose
 * language is unknown gets both). Every value is escaped; the one inline
 * style block is allowed by its hash in a strict Content-Security-Policy.
 */
import { createHash } from 'node:crypto';
import { MAX_SURVEY_COMMENT, SCALE_RANGE } from '../domain/surveys';
import type { PageLanguage, SurveyPageView } from '../use-cases/survey-page';

const TEXT = {
  en: {
    title: 'Your feedback',
    npsQuestion: (clinic: string) => `How likely are you to recommend ${clinic} to a friend or family?`,
    csatQuestion: (clinic: string) => `How satisfied were you with your visit to ${clinic}?`,
    npsEnds: ['0 = not at all likely', '10 = extremely likely'],
    csatEnds: ['1 = very unhappy', '5 = very happy'],
    comment: 'What could we have done better? (optional)',
    send: 'Send',
    scoreMissing: (min: number, max: number) => `Choose a score from ${min} to ${max}.`,
    thanks: 'Thank you for your answer.',
    review: 'Your review helps others find us:',
    truncated: `Your comment was long: we kept its first ${MAX_SURVEY_COMMENT.toLocaleString('en')} characters.`,
    refused: {
      forged: 'This link is not valid. Please use the link in the email exactly as it came.',
      'other-clinic': 'This link belongs to another clinic’s page.',
      expired: 'This survey has closed. Thank you all the same.',
      answered: 'This survey has been answered already. Thank you!',
      gone: 'This survey is no longer available.',
    },
  },
  es: {
    title: 'Su opinión',
    npsQuestion: (clinic: string) => `¿Con qué probabilidad recomendaría ${clinic} a un amigo o familiar?`,
    csatQuestion: (clinic: string) => `¿Qué tan satisfecho quedó con su visita a ${clinic}?`,
    npsEnds: ['0 = nada probable', '10 = muy probable'],
    csatEnds: ['1 = muy insatisfecho', '5 = muy satisfecho'],
    comment: '¿Qué podemos mejorar? (opcional)',
    send: 'Enviar',
    scoreMissing: (min: number, max: number) => `Elija una puntuación del ${min} al ${max}.`,
    thanks: 'Gracias por su respuesta.',
    review: 'Su opinión ayuda a otros a encontrarnos:',
    truncated: `Su comentario era largo: guardamos sus primeros ${MAX_SURVEY_COMMENT.toLocaleString('es')} caracteres.`,
    refused: {
      forged: 'Este enlace no es válido. Use el enlace del correo tal como llegó.',
      'other-clinic': 'Este enlace pertenece a la página de otra clínica.',
      expired: 'Esta encuesta ya cerró. Gracias de todos modos.',
      answered: 'Esta encuesta ya fue respondida. ¡Gracias!',
      gone: 'Esta encuesta ya no está disponible.',
    },
  },
} as const;

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}' +
  'fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:600;margin-bottom:.5rem}' +
  '.scores{display:flex;flex-wrap:wrap;gap:.25rem}.scores label{display:inline-flex;flex-direction:column;align-items:center;' +
  'min-width:2.5rem;padding:.25rem;border:1px solid #767676;border-radius:.25rem;cursor:pointer}' +
  '.ends{display:flex;justify-content:space-between;font-size:.875rem;color:#4a4a4a}' +
  'textarea{width:100%;min-height:6rem;font:inherit}button{font:inherit;padding:.5rem 1.5rem;margin-top:1rem}' +
  '.error{color:#a00000;font-weight:600}';

/** The Content-Security-Policy of every survey page: nothing but its own style block and a POST to itself. */
export const SURVEY_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The response headers of every survey page (the token is in the URL: no referrer, no caching). */
export const SURVEY_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': SURVEY_PAGE_CSP,
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(language: PageLanguage | undefined, title: string, body: string): string {
  return (
    `<!doctype html><html lang="${language ?? 'en'}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><main>${body}</main></body></html>`
  );
}

function form(view: Extract<SurveyPageView, { view: 'form' }>): string {
  const text = TEXT[view.language];
  const { min, max } = SCALE_RANGE[view.scale];
  const question = view.scale === 'csat' ? text.csatQuestion : text.npsQuestion;
  const ends = view.scale === 'csat' ? text.csatEnds : text.npsEnds;
  const scoreError = view.error?.field === 'score';
  const choices = Array.from({ length: max - min + 1 }, (_, index) => min + index)
    .map((score) => `<label><input type="radio" name="score" value="${score}" required>${score}</label>`)
    .join('');
  const error = scoreError
    ? `<p class="error" id="score-error" role="alert">${escapeHtml(text.scoreMissing(min, max))}</p>`
    : '';
  return page(
    view.language,
    `${text.title}: ${view.clinicName}`,
    `<h1>${escapeHtml(view.clinicName)}</h1>${error}<form method="post">` +
      `<fieldset${scoreError ? ' aria-describedby="score-error"' : ''}><legend>${escapeHtml(question(view.clinicName))}</legend>` +
      `<div class="scores">${choices}</div>` +
      `<div class="ends"><span>${escapeHtml(ends[0])}</span><span>${escapeHtml(ends[1])}</span></div></fieldset>` +
      `<label for="comment">${escapeHtml(text.comment)}</label>` +
      `<textarea id="comment" name="comment">${escapeHtml(view.comment ?? '')}</textarea>` +
      `<button type="submit">${escapeHtml(text.send)}</button></form>`,
  );
}

/**
 * The HTML of a survey page.
 *
 * @param view - what to show
 */
export function renderSurveyPage(view: SurveyPageView): string {
  if (view.view === 'form') return form(view);
  if (view.view === 'thanks') {
    const text = TEXT[view.language];
    const review = view.reviewLink
      ? `<p>${escapeHtml(text.review)} <a href="${escapeHtml(view.reviewLink)}" rel="noopener noreferrer">${escapeHtml(view.reviewLink)}</a></p>`
      : '';
    const truncated = view.truncated ? `<p>${escapeHtml(text.truncated)}</p>` : '';
    return page(
      view.language,
      `${text.title}: ${view.clinicName}`,
      `<h1>${escapeHtml(view.clinicName)}</h1><p>${escapeHtml(text.thanks)}</p>${truncated}${review}`,
    );
  }
  const languages: PageLanguage[] = view.language ? [view.language] : ['en', 'es'];
  const heading = view.clinicName ? `<h1>${escapeHtml(view.clinicName)}</h1>` : '';
  const lines = languages
    .map((language) => `<p lang="${language}">${escapeHtml(TEXT[language].refused[view.reason])}</p>`)
    .join('');
  return page(view.language, TEXT[view.language ?? 'en'].title, `${heading}${lines}`);
}
