/**
 * Checks a clinic's wording when its settings are saved: every template kind
 * × language × channel is rendered with worst-case values, so a template that
 * would blow the SMS segment budget (or reach for a variable that does not
 * exist) is refused then, not discovered on a patient's phone bill.
 */
import { DateTime } from 'luxon';
import type { FieldIssue } from '../errors';
import type { Clinic, MessageKind, TemplateText } from '../model';
import {
  BUILT_IN_PHRASES,
  BUILT_IN_TEMPLATES,
  isTemplateKind,
  TEMPLATE_KINDS,
  type TemplateKind,
} from './builtin';
import { LOCAL_DATE_FORMAT, LOCAL_TIME_FORMAT, lookupLanguage, templateValues } from './render';
import { countSegments, foldToGsm7 } from './segments';
import { parseTemplate, renderNodes, type TemplateValues } from './syntax';

/**
 * The values a worst case is rendered with. Real values can be longer (a
 * first name may have 50 characters); these stand for a long but ordinary
 * case. The clinic's own name and number are used as they are, and the date
 * and time are the longest the language produces in a year.
 * Lengths: firstName 24, location 64, videoLink 72 characters.
 */
export const WORST_CASE_SAMPLES = {
  firstName: 'Maria-Guadalupe Victoria',
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

/**
 * The longest local date and time the language formats for an SMS (folded to
 * GSM-7 as render() does), over every day of a year and every quarter hour.
 */
function longestDateAndTime(language: string): { localDate: string; localTime: string } {
  const year = DateTime.fromObject({ year: 2030, month: 1, day: 1 }, { zone: 'utc' }).setLocale(language);
  const tidy = foldToGsm7;
  const dates = Array.from({ length: 365 }, (_, day) =>
    tidy(year.plus({ days: day }).toLocaleString(LOCAL_DATE_FORMAT)),
  );
  const times = Array.from({ length: 96 }, (_, quarter) =>
    tidy(year.plus({ minutes: quarter * 15 }).toLocaleString(LOCAL_TIME_FORMAT)),
  );
  return { localDate: longest(dates), localTime: longest(times) };
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
function candidates(clinic: Clinic, issues: FieldIssue[]): Candidate[] {
  const { policy } = clinic;
  const written = Object.values(policy.templates).flatMap((byLanguage) => Object.keys(byLanguage ?? {}));
  const languages = [...new Set([...policy.languages, ...written])];
  const found: Candidate[] = [];
  for (const kind of TEMPLATE_KINDS) {
    for (const language of languages) {
      const own = policy.templates[kind]?.[language];
      const builtIn = lookupLanguage(BUILT_IN_TEMPLATES[kind], language);
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
function ownSmsProblems(source: string, variables: ReadonlySet<string>, clinic: Clinic): string[] {
  const problems: string[] = [];
  if (!variables.has('stopText') && !/\bSTOP\b/.test(source)) {
    problems.push('must say how to opt out: include {{stopText}} or the word STOP');
  }
  if (!variables.has('clinicName') && !source.includes(clinic.name)) {
    problems.push('must name the clinic: include {{clinicName}}');
  }
  return problems;
}

/**
 * Checks every template a clinic would send.
 *
 * @param clinic - the clinic as it would be saved (policy, name, contact phone)
 * @returns one issue per problem, with the template's path
 *   (`policy.templates.reminder.es.sms`); empty when all is well
 */
export function validateClinicTemplates(clinic: Clinic): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { policy } = clinic;
  for (const kind of Object.keys(policy.templates) as MessageKind[]) {
    if (!isTemplateKind(kind)) {
      issues.push({
        path: `policy.templates.${kind}`,
        message: 'is never used: broadcasts carry their own text and keyword replies are built in',
      });
    }
  }

  const samples = new Map<string, { localDate: string; localTime: string }>();
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

    const sample = samples.get(language) ?? longestDateAndTime(language);
    samples.set(language, sample);
    const base = templateValues(
      { kind, language, channel: 'sms', clinic, patient: { firstName: '' } },
      language,
    );
    const worst = worstCaseVariants({ ...base, ...sample, firstName: WORST_CASE_SAMPLES.firstName })
      .map((values) => renderNodes(parsed.sms.nodes, values))
      .map((text) => ({ text, count: countSegments(text) }))
      .reduce((a, b) => ((b.count.segments - a.count.segments || b.count.units - a.count.units) > 0 ? b : a));
    if (worst.count.segments > policy.segmentBudget) {
      const { segments, encoding } = worst.count;
      const what = builtIn ? 'the built-in template renders' : 'renders';
      const hint = builtIn ? '; shorten the clinic name or write your own wording' : '';
      const length = [...worst.text].length;
      issues.push({
        path: `${path}.sms`,
        message: `${what} to ${segments} segments (${length} characters, ${encoding}); the budget is ${policy.segmentBudget}${hint}`,
      });
    }
  }
  return issues;
}
