/**
 * Turns a template into the text a patient receives: the clinic's own
 * wording when it has some for the kind and language, else the built-in one.
 */
import parsePhoneNumber from 'libphonenumber-js/min';
import { DateTime } from 'luxon';
import { segmentBudgetFor } from '../constants';
import { ValidationError } from '../errors';
import type { Appointment, Channel, Clinic, Patient, TemplateText } from '../model';
import type { ConfirmNotAppliedReason } from '../replies/confirm';
import { parseUtc } from '../time';
import {
  BUILT_IN_PHRASES,
  builtInTemplatesFor,
  lookupLanguage,
  type Phrases,
  smsNameOf,
  type TemplateKind,
} from './builtin';

export { lookupLanguage, smsNameOf };

import { type FitOptions, type FittedSms, fitSms } from './guard';
import { KEYWORD_REPLIES, type KeywordReplyText } from './keyword-reply-texts';
import { foldToGsm7 } from './segments';
import { parseTemplate, renderNodes, type TemplateValues } from './syntax';

/** The language every lookup falls back to last, because every built-in text exists in it. */
export const FALLBACK_LANGUAGE = 'en';

/** How `{{localDate}}` is written in an email: weekday, month and day in the language (`Saturday, October 3`, `sábado, 3 de octubre`). */
export const LOCAL_DATE_FORMAT: Intl.DateTimeFormatOptions = {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
};

/**
 * How `{{localDate}}` is written in an SMS: the same, abbreviated (`Sat, Oct 3`,
 * `sab, 3 oct`). The long form costs 12 (English) to 15 (Spanish) of the 160
 * characters a part holds.
 */
export const SMS_DATE_FORMAT: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  month: 'short',
  day: 'numeric',
};

/** How `{{localTime}}` is written: the language's own clock (`9:30 AM`, `9:30`). */
export const LOCAL_TIME_FORMAT: Intl.DateTimeFormatOptions = DateTime.TIME_SIMPLE;

export type TemplateSource = 'clinic' | 'built-in';

export interface SelectedTemplate {
  template: TemplateText;
  /** The language the template is written in (may differ from the one asked for after a fallback). */
  language: string;
  source: TemplateSource;
}

/**
 * Picks the wording for a kind and language: the clinic's own, else the
 * built-in one, else the same for the clinic's default language, else the
 * built-in English. Validation (validate.ts) refuses a policy whose languages
 * lack a template, so the fallbacks only matter for data saved around it.
 *
 * @param clinic - the clinic whose overrides apply
 * @param kind - the message kind
 * @param language - the language wanted (already resolved for the patient)
 */
export function selectTemplate(
  clinic: Pick<Clinic, 'policy'>,
  kind: TemplateKind,
  language: string,
): SelectedTemplate {
  const overrides = clinic.policy.templates[kind];
  const builtIns = builtInTemplatesFor(clinic.policy, kind);
  for (const wanted of [language, clinic.policy.defaultLanguage]) {
    const own = overrides?.[wanted];
    if (own) return { template: own, language: wanted, source: 'clinic' };
    const builtIn = lookupLanguage(builtIns, wanted);
    if (builtIn) return { template: builtIn, language: wanted, source: 'built-in' };
  }
  return { template: builtIns.en, language: FALLBACK_LANGUAGE, source: 'built-in' };
}

/**
 * The clinic's number as its patients dial it: national format for a number
 * of the clinic's own country, international otherwise.
 *
 * @param phone - E.164 number
 * @param country - ISO 3166 country of the clinic
 */
export function formatContactPhone(phone: string, country: string): string {
  const parsed = parsePhoneNumber(phone);
  if (!parsed) return phone;
  return parsed.country === country ? parsed.formatNational() : parsed.formatInternational();
}

function phrasesFor(language: string): Phrases {
  return lookupLanguage(BUILT_IN_PHRASES, language) ?? BUILT_IN_PHRASES.en;
}

/** What a template needs to know about the visit. */
export type VisitDetails = Pick<Appointment, 'startAt' | 'location' | 'videoLink'>;

export interface RenderInput {
  kind: TemplateKind;
  language: string;
  channel: Channel;
  clinic: Pick<Clinic, 'name' | 'smsName' | 'contactPhone' | 'country' | 'timeZone' | 'policy'>;
  patient: Pick<Patient, 'firstName' | 'timeZone'>;
  /** Absent only where a text needs no visit details. */
  appointment?: VisitDetails | undefined;
  /** Zone for the local date and time; default the patient's, else the clinic's. */
  zone?: string | undefined;
}

export interface RenderedSms {
  text: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
}

/**
 * `{{localDate}}` and `{{localTime}}` of an instant, as the channel shows them.
 * Intl output may hold characters outside GSM-7 (`sábado`, a narrow no-break
 * space); an SMS gets them folded, which keeps it in GSM-7, where a segment
 * holds 153 characters instead of 67.
 *
 * @param start - the instant, in the zone and locale to show it in
 * @param channel - sms (abbreviated, folded) or email (long)
 */
export function localDateAndTime(
  start: DateTime,
  channel: Channel,
): { localDate: string; localTime: string } {
  if (channel === 'email') {
    return {
      localDate: start.toLocaleString(LOCAL_DATE_FORMAT),
      localTime: start.toLocaleString(LOCAL_TIME_FORMAT),
    };
  }
  // An abbreviated date may end in the abbreviation's period (`sam. 3 oct.`);
  // the template has its own punctuation after it.
  return {
    localDate: foldToGsm7(start.toLocaleString(SMS_DATE_FORMAT)).replace(/\.$/, ''),
    localTime: foldToGsm7(start.toLocaleString(LOCAL_TIME_FORMAT)),
  };
}

/**
 * Computes every template variable for one message.
 *
 * @param input - as for {@link render}
 * @param phraseLanguage - language of the reply and stop phrases (that of the template used)
 */
export function templateValues(input: RenderInput, phraseLanguage: string): TemplateValues {
  const { clinic, patient, appointment, channel, kind } = input;
  const zone = input.zone ?? patient.timeZone ?? clinic.timeZone;
  const phone = formatContactPhone(clinic.contactPhone, clinic.country);
  const phrases = phrasesFor(phraseLanguage);
  const local = appointment
    ? localDateAndTime(parseUtc(appointment.startAt).setZone(zone).setLocale(input.language), channel)
    : { localDate: '', localTime: '' };
  return {
    firstName: patient.firstName,
    clinicName: channel === 'sms' ? smsNameOf(clinic) : clinic.name,
    clinicPhone: phone,
    ...local,
    location: appointment?.location ?? '',
    videoLink: appointment?.videoLink ?? '',
    replyInstructions: (kind === 'survey' && clinic.policy.survey.scale === 'csat'
      ? phrases.csatSurveyInstructions
      : phrases.replyInstructions[kind])[channel].replaceAll('{phone}', phone),
    stopText: phrases.stopText[channel].replaceAll('{phone}', phone),
    reviewLink: '',
  };
}

/**
 * Renders one template text, refusing a template with problems (unknown
 * variables, unbalanced sections): validation keeps those out of storage, so
 * meeting one here is a bug worth failing loudly on.
 *
 * @param source - template text
 * @param values - the variable values
 * @param path - where the template lives, for the error
 */
export function renderTemplateText(source: string, values: TemplateValues, path: string): string {
  return renderNodes(parseStored(source, path), values);
}

/** A stored template's nodes; one with problems is a bug worth failing loudly on (see renderTemplateText). */
function parseStored(source: string, path: string) {
  const parsed = parseTemplate(source);
  if (parsed.problems.length > 0) {
    throw new ValidationError(parsed.problems.map((message) => ({ path, message })));
  }
  return parsed.nodes;
}

/**
 * Renders an SMS through the render-time guard: within the clinic's segment
 * budget for the kind (policy.segmentBudget), shortened if it has to be (see
 * fitSms), or `fits: false` when nothing makes it fit, which the caller must
 * not send.
 *
 * @param input - as for {@link render}, without the channel
 * @param options - see {@link FitOptions}
 */
export function renderSms(input: Omit<RenderInput, 'channel'>, options: FitOptions = {}): FittedSms {
  const selected = selectTemplate(input.clinic, input.kind, input.language);
  const values = templateValues({ ...input, channel: 'sms' }, selected.language);
  const nodes = parseStored(selected.template.sms, `policy.templates.${input.kind}.${selected.language}.sms`);
  return fitSms(nodes, values, segmentBudgetFor(input.clinic.policy, input.kind), options);
}

/**
 * Renders a message for a patient.
 *
 * @param input - kind, language (resolved for the patient), channel, clinic,
 *   patient, the visit and optionally the zone to show times in
 * @returns `{ text }` for SMS, `{ subject, text }` for email
 */
export function render(input: RenderInput & { channel: 'sms' }): RenderedSms;
export function render(input: RenderInput & { channel: 'email' }): RenderedEmail;
export function render(input: RenderInput): RenderedSms | RenderedEmail;
export function render(input: RenderInput): RenderedSms | RenderedEmail {
  const selected = selectTemplate(input.clinic, input.kind, input.language);
  const values = templateValues(input, selected.language);
  const path = `policy.templates.${input.kind}.${selected.language}`;
  if (input.channel === 'sms') {
    return { text: renderTemplateText(selected.template.sms, values, `${path}.sms`) };
  }
  return {
    subject: renderTemplateText(selected.template.emailSubject, values, `${path}.emailSubject`),
    text: renderTemplateText(selected.template.emailBody, values, `${path}.emailBody`),
  };
}

/** What the inbound handler decided to answer (see KEYWORD_REPLY_TEXTS for each). */
export type KeywordReply =
  | {
      reply:
        | 'help'
        | 'opted-out'
        | 'opted-in'
        | 'reschedule-requested'
        | 'cancel-requested'
        | 'refill-requested'
        | 'received'
        | 'survey-thanks'
        | 'survey-follow-up'
        | 'survey-review';
    }
  /** A confirm that applied: the visit it confirmed. */
  | { reply: 'confirmed'; appointment: VisitDetails }
  /** A confirm that did not apply, with confirmationVerdict's reason; for `moved`, the visit as it is now. */
  | { reply: 'confirm-not-applicable'; why: Exclude<ConfirmNotAppliedReason, 'moved'> }
  | { reply: 'confirm-not-applicable'; why: 'moved'; appointment: VisitDetails };

export interface KeywordReplyInput {
  /** The patient's language, resolved against the clinic's (resolveLanguage); for an unknown number, the clinic's default. */
  language: string;
  clinic: Pick<Clinic, 'name' | 'smsName' | 'contactPhone' | 'country' | 'timeZone' | 'policy'>;
  /** Zone for a visit's date and time: the patient's if set; default the clinic's. */
  zone?: string | undefined;
}

export type KeywordReplyRendering = FittedSms & {
  /** Which answer was rendered (the key in KEYWORD_REPLIES and in `policy.templates["keyword-reply"]`). */
  answer: KeywordReplyText;
  /** The language of the wording used (after any fallback). */
  language: string;
  source: TemplateSource;
};

/**
 * The answer's key for a reply: a confirm that did not apply gets the text
 * for its reason; reasons that all mean "no visit to confirm" share one.
 *
 * @param reply - what the inbound handler decided
 */
export function keywordReplyTextOf(reply: KeywordReply): KeywordReplyText {
  if (reply.reply !== 'confirm-not-applicable') return reply.reply;
  switch (reply.why) {
    case 'cancelled':
      return 'confirm-cancelled';
    case 'moved':
      return 'confirm-moved';
    case 'past':
      return 'confirm-past';
    default:
      return 'confirm-no-visit';
  }
}

/** The clinic's own answer, else the built-in one, for the language, then the clinic's default, then English. */
function selectKeywordReply(
  clinic: KeywordReplyInput['clinic'],
  answer: KeywordReplyText,
  language: string,
): { source: string; language: string; from: TemplateSource } {
  const own = clinic.policy.templates['keyword-reply'];
  for (const wanted of [language, clinic.policy.defaultLanguage]) {
    const text = lookupLanguage(own, wanted)?.[answer];
    if (text) return { source: text, language: wanted, from: 'clinic' };
    const builtIn = lookupLanguage(KEYWORD_REPLIES[answer], wanted);
    if (builtIn) return { source: builtIn, language: wanted, from: 'built-in' };
  }
  return { source: KEYWORD_REPLIES[answer].en, language: FALLBACK_LANGUAGE, from: 'built-in' };
}

/**
 * The values an answer is rendered with: the clinic's SMS name and number,
 * and for `confirmed` / `confirm-moved` the visit's local date and time.
 *
 * @param input - the clinic, the language and zone, and the visit if any
 */
export function keywordReplyValues(
  input: KeywordReplyInput & { appointment?: VisitDetails | undefined },
): TemplateValues {
  const { clinic, appointment, language } = input;
  const local = appointment
    ? localDateAndTime(
        parseUtc(appointment.startAt)
          .setZone(input.zone ?? clinic.timeZone)
          .setLocale(language),
        'sms',
      )
    : { localDate: '', localTime: '' };
  return {
    firstName: '',
    clinicName: smsNameOf(clinic),
    clinicPhone: formatContactPhone(clinic.contactPhone, clinic.country),
    ...local,
    location: '',
    videoLink: '',
    replyInstructions: '',
    stopText: '',
    reviewLink: clinic.policy.survey.followUp.reviewLink ?? '',
  };
}

/**
 * Renders the automatic answer to a patient's text (kind `keyword-reply`,
 * SMS only) through the segment guard, within the clinic's exempt budget.
 * The inbound handler calls it once it has interpreted the text and applied
 * its effect, and queues the text as an outbox message; with `fits: false`
 * (only possible for a clinic's own wording saved under other rules) it
 * must not send it.
 *
 * @param input - the answer (with the visit where it shows one), the language, the clinic, the zone
 * @example renderKeywordReply({ reply: 'help', language: 'es', clinic })
 * @example renderKeywordReply({ reply: 'confirmed', appointment, language: 'en', clinic, zone: patient.timeZone })
 * @example renderKeywordReply({ reply: 'confirm-not-applicable', why: verdict.reason, language, clinic })
 */
export function renderKeywordReply(input: KeywordReply & KeywordReplyInput): KeywordReplyRendering {
  const answer = keywordReplyTextOf(input);
  const selected = selectKeywordReply(input.clinic, answer, input.language);
  const appointment = 'appointment' in input ? input.appointment : undefined;
  const values = keywordReplyValues({ ...input, language: selected.language, appointment });
  const path = `policy.templates.keyword-reply.${selected.language}.${answer}`;
  const fitted = fitSms(
    parseStored(selected.source, path),
    values,
    segmentBudgetFor(input.clinic.policy, 'keyword-reply'),
  );
  return { ...fitted, answer, language: selected.language, source: selected.from };
}
