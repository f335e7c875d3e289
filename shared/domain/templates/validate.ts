/**
 * Checks a clinic's wording when its settings are saved: every template kind
 * × language × channel is rendered with worst-case values, so a template that
 * would blow the SMS segment budget (or reach for a variable that does not
 * exist) is refused then, not discovered on a patient's phone bill. The same
 * check runs on a deployment's config, so the API and the config agree.
 */
import { DateTime } from 'luxon';
import { isExemptKind, SMS_NAME_MAX, segmentBudgetFor } from '../constants';
import type { FieldIssue } from '../errors';
import type { Clinic, TemplateText } from '../model';
import { BUILT_IN_PHRASES, builtInTemplatesFor, TEMPLATE_KINDS, type TemplateKind } from './builtin';
import { FIRST_NAME_BOUND, type FittedSms, fitSms } from './guard';
import {
  KEYWORD_REPLIES,
  KEYWORD_REPLY_TEXTS,
  KEYWORD_REPLY_VARIABLES,
  type KeywordReplyText,
} from './keyword-reply-texts';
import { keywordReplyValues, localDateAndTime, lookupLanguage, templateValues } from './render';
import { foldToGsm7, isGsm7Char } from './segments';
import { parseTemplate, type TemplateValues, type TemplateVariable } from './syntax';

/** What the check needs of a clinic (a deployment config's clinic has no version or timestamps). */
export type ClinicTexts = Pick<
  Clinic,
  'name' | 'smsName' | 'contactPhone' | 'country' | 'timeZone' | 'policy'
>;

/**
 * The values a worst case is rendered with. The first name is as long as
 * the texts guarantee to hold (FIRST_NAME_BOUND; the render-time guard
 * shortens longer ones); the location and link stand for long but ordinary
 * ones, which the guard leaves out where they do not fit. The clinic's own
 * SMS name and number are used as they are, and the date and time are the
 * longest the language produces in a year.
 * Lengths: firstName 12, location 64, videoLink 72 characters.
 */
export const WORST_CASE_SAMPLES = {
  firstName: 'Maria-Teresa',
  location: 'Suite 1200, Riverside Medical Plaza, 4500 East Parkway Blvd., NW',
  videoLink: 'https://video.example-telehealth.com/join/a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5',
} as const;

const FIELDS = ['sms', 'emailSubject', 'emailBody'] as const;

/** The longest of `texts` (in code points). */
function longest(texts: Iterable<string>): string {
  let best = '';
  for (const text of texts) if ([...text].length > [...best].length) best = text;
  return best;
}

// The answer depends on the language alone (and the ICU data), so it is worked out once per language.
const LONGEST = new Map<string, { localDate: string; localTime: string }>();

/**
 * The longest local date and time the language formats for an SMS (folded to
 * GSM-7 as render() does), over every day of a year and every quarter hour.
 *
 * @param language - a language tag
 */
export function longestDateAndTime(language: string): { localDate: string; localTime: string } {
  const known = LONGEST.get(language);
  if (known) return known;
  const year = DateTime.fromObject({ year: 2030, month: 1, day: 1 }, { zone: 'utc' }).setLocale(language);
  const dates = Array.from(
    { length: 365 },
    (_, day) => localDateAndTime(year.plus({ days: day }), 'sms').localDate,
  );
  const times = Array.from(
    { length: 96 },
    (_, quarter) => localDateAndTime(year.plus({ minutes: quarter * 15 }), 'sms').localTime,
  );
  const found = { localDate: longest(dates), localTime: longest(times) };
  LONGEST.set(language, found);
  return found;
}

interface Candidate {
  kind: TemplateKind;
  language: string;
  template: TemplateText;
  builtIn: boolean;
}

/**
 * Everything to check: each template kind in each language the clinic offers,
 * plus any wording written for a language it does not offer (yet).
 */
function candidates(clinic: ClinicTexts, issues: FieldIssue[]): Candidate[] {
  const { policy } = clinic;
  const written = TEMPLATE_KINDS.flatMap((kind) => Object.keys(policy.templates[kind] ?? {}));
  const languages = [...new Set([...policy.languages, ...written])];
  const found: Candidate[] = [];
  for (const kind of TEMPLATE_KINDS) {
    for (const language of languages) {
      const own = policy.templates[kind]?.[language];
      const builtIn = lookupLanguage(builtInTemplatesFor(policy, kind), language);
      const template = own ?? builtIn;
      if (template) {
        found.push({ kind, language, template, builtIn: !own });
      } else if (policy.languages.includes(language)) {
        issues.push({
          path: `policy.templates.${kind}.${language}`,
          message: `has no wording in ${language}: add a template, or remove ${language} from policy.languages`,
        });
      }
    }
  }
  return found;
}

/** Problems a clinic's own SMS wording must not have, beyond syntax. */
function ownSmsProblems(source: string, variables: ReadonlySet<string>, clinic: ClinicTexts): string[] {
  const problems: string[] = [];
  if (!variables.has('stopText') && !/\bSTOP\b/.test(source)) {
    problems.push('must say how to opt out: include {{stopText}} or the word STOP');
  }
  if (!variables.has('clinicName') && !source.includes(clinic.name)) {
    problems.push('must name the clinic: include {{clinicName}}');
  }
  return problems;
}

/** A name cut for texts: accents GSM-7 lacks taken off, other such characters removed, cut at a word. */
function suggestSmsName(name: string): string {
  const plain = [...foldToGsm7(name)].filter(isGsm7Char).join('').replace(/\s+/g, ' ').trim();
  if (plain.length <= SMS_NAME_MAX) return plain;
  const cut = plain.slice(0, SMS_NAME_MAX + 1);
  const atWord = cut.slice(0, cut.lastIndexOf(' ')).trim();
  return atWord !== '' ? atWord : plain.slice(0, SMS_NAME_MAX);
}

/**
 * Texts show `smsName`, else `name`: without an `smsName`, the name must be
 * short enough and GSM-7 (the schema holds `smsName` itself to that).
 */
function smsNameIssue(clinic: ClinicTexts): FieldIssue | undefined {
  if (clinic.smsName !== undefined) return undefined;
  const chars = [...clinic.name];
  const foreign = [...new Set(chars.filter((char) => !isGsm7Char(char)))];
  if (chars.length <= SMS_NAME_MAX && foreign.length === 0) return undefined;
  const why =
    chars.length > SMS_NAME_MAX
      ? `name has ${chars.length} characters and texts show at most ${SMS_NAME_MAX}`
      : `name uses ${foreign.map((char) => `"${char}"`).join(', ')}, which GSM-7 lacks (one such character makes a text UCS-2, 70 characters a part)`;
  return {
    path: 'smsName',
    message: `is required because ${why}; for example "${suggestSmsName(clinic.name)}"`,
  };
}

/** The variants a template can render to: with and without a location, with and without a video link. */
function worstCaseVariants(base: TemplateValues): TemplateValues[] {
  return [true, false].flatMap((withLocation) =>
    [true, false].map((withVideo) => ({
      ...base,
      location: withLocation ? WORST_CASE_SAMPLES.location : '',
      videoLink: withVideo ? WORST_CASE_SAMPLES.videoLink : '',
    })),
  );
}

/** The worst of the variants: the first that does not fit, the longest one otherwise. */
function worstFit(fits: FittedSms[]): FittedSms {
  const failed = fits.filter((fit) => !fit.fits);
  const pool = failed.length > 0 ? failed : fits;
  return pool.reduce((a, b) =>
    (b.count.segments - a.count.segments || b.count.units - a.count.units) > 0 ? b : a,
  );
}

/**
 * Checks every text a clinic would send: the SMS name, and each template
 * kind in each language, rendered with worst-case values within the kind's
 * segment budget. A place (location, video link) may be left out where it
 * does not fit, as the render-time guard does; a first name of
 * FIRST_NAME_BOUND characters must fit as it is.
 *
 * @param clinic - the clinic as it would be saved (policy, name, SMS name, contact phone)
 * @returns one issue per problem, with its path (`smsName`,
 *   `policy.templates.reminder.es.sms`); empty when all is well
 */
export function validateClinicTemplates(clinic: ClinicTexts): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const nameIssue = smsNameIssue(clinic);
  if (nameIssue) issues.push(nameIssue);
  // Check the templates with the name the clinic will have to choose, so the
  // one missing field is not reported again as ten texts over budget.
  const texts: ClinicTexts = nameIssue ? { ...clinic, smsName: suggestSmsName(clinic.name) } : clinic;
  const { policy } = clinic;

  for (const { kind, language, template, builtIn } of candidates(clinic, issues)) {
    const path = `policy.templates.${kind}.${language}`;
    const phrasesKnown = lookupLanguage(BUILT_IN_PHRASES, language) !== undefined;
    const parsed = {
      sms: parseTemplate(template.sms),
      emailSubject: parseTemplate(template.emailSubject),
      emailBody: parseTemplate(template.emailBody),
    };
    for (const field of FIELDS) {
      const { problems, variables } = parsed[field];
      const extra = builtIn || field !== 'sms' ? [] : ownSmsProblems(template.sms, variables, clinic);
      const phrases =
        phrasesKnown || builtIn
          ? []
          : (['replyInstructions', 'stopText'] as const)
              .filter((name) => variables.has(name))
              .map(
                (name) =>
                  `uses {{${name}}}, which has no built-in wording in ${language}: write it out instead`,
              );
      for (const message of [...problems, ...extra, ...phrases])
        issues.push({ path: `${path}.${field}`, message });
    }
    if (parsed.sms.problems.length > 0) continue;

    const sample = longestDateAndTime(language);
    const base = templateValues(
      { kind, language, channel: 'sms', clinic: texts, patient: { firstName: '' } },
      language,
    );
    const budget = segmentBudgetFor(policy, kind);
    const worst = worstFit(
      worstCaseVariants({ ...base, ...sample, firstName: WORST_CASE_SAMPLES.firstName }).map((values) =>
        fitSms(parsed.sms.nodes, values, budget, { keepFirstName: true }),
      ),
    );
    if (!worst.fits) {
      const { segments, encoding } = worst.count;
      const what = builtIn ? 'the built-in template renders' : 'renders';
      const hint = builtIn ? '; shorten smsName or write your own wording' : '';
      const length = [...worst.text].length;
      const which = isExemptKind(kind) ? 'exempt' : 'other';
      issues.push({
        path: `${path}.sms`,
        message: `${what} to ${segments} segments (${length} characters, ${encoding}) with a ${FIRST_NAME_BOUND}-character first name; the budget is ${budget} (policy.segmentBudget.${which})${hint}`,
      });
    }
  }
  issues.push(...keywordReplyIssues(clinic, texts));
  return issues;
}

/** Problems a clinic's own automatic answer must not have, beyond syntax. */
function ownAnswerProblems(
  answer: KeywordReplyText,
  source: string,
  variables: ReadonlySet<TemplateVariable>,
  clinic: ClinicTexts,
): string[] {
  const allowed = KEYWORD_REPLY_VARIABLES[answer];
  const problems = [...variables]
    .filter((name) => !allowed.includes(name))
    .map((name) => `uses {{${name}}}, which this answer cannot show; allowed: ${allowed.join(', ')}`);
  if (!variables.has('clinicName') && !source.includes(clinic.name)) {
    problems.push('must name the clinic: include {{clinicName}}');
  }
  // CTIA: the HELP answer gives a contact and says how to opt out.
  if (answer === 'help' && !variables.has('clinicPhone'))
    problems.push('must give the contact number: include {{clinicPhone}}');
  if (answer === 'help' && !/\bSTOP\b/.test(source))
    problems.push('must say how to opt out: include the word STOP');
  return problems;
}

/**
 * Checks every automatic answer the clinic would send, its own and the
 * built-in ones, in each language it offers or wrote answers for, within the
 * exempt budget, with the clinic's SMS name and number and the longest date
 * and time of the language.
 */
function keywordReplyIssues(clinic: ClinicTexts, texts: ClinicTexts): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const own = clinic.policy.templates['keyword-reply'] ?? {};
  const languages = [...new Set([...clinic.policy.languages, ...Object.keys(own)])];
  const budget = segmentBudgetFor(clinic.policy, 'keyword-reply');
  for (const language of languages) {
    for (const answer of KEYWORD_REPLY_TEXTS) {
      const written = own[language]?.[answer];
      const source = written ?? lookupLanguage(KEYWORD_REPLIES[answer], language);
      if (source === undefined) continue; // falls back to the default language, checked there
      const path = `policy.templates.keyword-reply.${language}.${answer}`;
      const parsed = parseTemplate(source);
      const problems = [
        ...parsed.problems,
        ...(written === undefined ? [] : ownAnswerProblems(answer, source, parsed.variables, clinic)),
      ];
      for (const message of problems) issues.push({ path, message });
      if (problems.length > 0) continue;
      const values = { ...keywordReplyValues({ clinic: texts, language }), ...longestDateAndTime(language) };
      const fitted = fitSms(parsed.nodes, values, budget, { keepFirstName: true });
      if (!fitted.fits) {
        const what = written === undefined ? 'the built-in answer renders' : 'renders';
        const hint = written === undefined ? '; shorten smsName or write your own wording' : '';
        issues.push({
          path,
          message: `${what} to ${fitted.count.segments} segments (${[...fitted.text].length} characters, ${fitted.count.encoding}); the budget is ${budget} (policy.segmentBudget.exempt)${hint}`,
        });
      }
    }
  }
  return issues;
}
