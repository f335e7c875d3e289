/**
 * The built-in wording of care reminders, per kind, in English and Spanish.
 * There is no clinic wording for them: what a text may say about a
 * patient's care is fixed here, so no text can name a drug, a diagnosis or
 * a procedure ("a prescription refill is due", never what for).
 *
 * The rules of the other built-in texts hold (test/unit/domain/care-reminders.test.ts
 * checks each): the clinic and a contact number are named, STOP opts out,
 * GSM-7 only (the Spanish avoids á, í, ó, ú), and one SMS part of 160
 * characters with worst-case values (a 20-character clinic name, a
 * 12-character first name, the longest date of the language, a 16-character
 * number); a link (`action.url`, at most CARE_LINK_MAX characters) takes the
 * place of the number. Only the refill asks for a reply: C asks staff for
 * the refill (an inbox item, never an order).
 */
import { DateTime } from 'luxon';
import { type Channel, segmentBudgetFor } from '../constants';
import type { FieldIssue } from '../errors';
import type { Clinic, Patient } from '../model';
import {
  type ByLanguage,
  FIRST_NAME_BOUND,
  type FittedSms,
  fitSms,
  formatContactPhone,
  lookupLanguage,
  REPLY_KEYWORDS,
  smsNameOf,
} from '../templates';
import { localDateAndTime } from '../templates/render';
import { parseTemplate, type TemplateValues } from '../templates/syntax';
import { longestDateAndTime, WORST_CASE_SAMPLES } from '../templates/validate';
import type { CareKind } from './kinds';
import type { CareAction } from './reminder';

const { confirm: C, optOut: STOP } = REPLY_KEYWORDS;

// The number to call, or the link in its place.
const CALL_EN =
  '{{^videoLink}}Call {{clinicPhone}}{{/videoLink}}{{#videoLink}}See {{videoLink}}{{/videoLink}}';
const CALL_ES =
  '{{^videoLink}}Tel. {{clinicPhone}}{{/videoLink}}{{#videoLink}}Vea {{videoLink}}{{/videoLink}}';
const CALL_EMAIL_EN =
  '{{^videoLink}}Call us at {{clinicPhone}}.{{/videoLink}}{{#videoLink}}Details: {{videoLink}}{{/videoLink}}';
const CALL_EMAIL_ES =
  '{{^videoLink}}Llámenos al {{clinicPhone}}.{{/videoLink}}{{#videoLink}}Detalles: {{videoLink}}{{/videoLink}}';

export interface CareText {
  sms: string;
  emailSubject: string;
  /** The sentence of the email that says what is due. */
  emailLead: string;
}

/** What each kind says, by language: what is due, never what for. */
export const CARE_TEXTS: Record<CareKind, ByLanguage<CareText>> = {
  refill: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, a prescription refill is due {{localDate}}. Reply ${C} to request it. ${CALL_EN}. ${STOP} to opt out.`,
      emailSubject: 'A prescription refill is due',
      emailLead:
        'A prescription refill is due on {{localDate}}. Reply to our text with C, or contact us, to request it.',
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, le toca renovar una receta el {{localDate}}. Responda ${C} para pedirla. ${CALL_ES}. ${STOP} para baja.`,
      emailSubject: 'Le toca renovar una receta',
      emailLead:
        'Le toca renovar una receta el {{localDate}}. Para pedirla, responda C a nuestro mensaje o contáctenos.',
    },
  },
  recall: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, your check-up is due {{localDate}}. To book, ${CALL_EN.replace('Call', 'call').replace('See', 'see')}. ${STOP} to opt out.`,
      emailSubject: 'Your check-up is due',
      emailLead: 'Your check-up is due on {{localDate}}. Please book a visit.',
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, le toca su chequeo el {{localDate}}. Para pedir cita: ${CALL_ES}. ${STOP} para baja.`,
      emailSubject: 'Le toca su chequeo',
      emailLead: 'Le toca su chequeo el {{localDate}}. Por favor, pida una cita.',
    },
  },
  vaccine: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, a vaccination is due {{localDate}}. To book, ${CALL_EN.replace('Call', 'call').replace('See', 'see')}. ${STOP} to opt out.`,
      emailSubject: 'A vaccination is due',
      emailLead: 'A vaccination is due on {{localDate}}. Please book a visit.',
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, le toca una vacuna el {{localDate}}. Para pedir cita: ${CALL_ES}. ${STOP} para baja.`,
      emailSubject: 'Le toca una vacuna',
      emailLead: 'Le toca una vacuna el {{localDate}}. Por favor, pida una cita.',
    },
  },
  custom: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, you have a care reminder due {{localDate}}. ${CALL_EN}. ${STOP} to opt out.`,
      emailSubject: 'A care reminder from {{clinicName}}',
      emailLead: 'You have a care reminder due on {{localDate}}. Please contact us.',
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, tiene un recordatorio de salud para el {{localDate}}. ${CALL_ES}. ${STOP} para baja.`,
      emailSubject: 'Un recordatorio de {{clinicName}}',
      emailLead: 'Tiene un recordatorio de salud para el {{localDate}}. Por favor, contáctenos.',
    },
  },
};

const EMAIL_FRAME: ByLanguage<{ greeting: string; stop: string }> = {
  en: { greeting: 'Hi {{firstName}},', stop: 'To stop these emails, call us at {{clinicPhone}}.' },
  es: {
    greeting: 'Hola {{firstName}}:',
    stop: 'Si no desea recibir más correos, llámenos al {{clinicPhone}}.',
  },
};

type CareClinic = Pick<Clinic, 'name' | 'smsName' | 'contactPhone' | 'country' | 'policy'>;

export interface CareRenderInput {
  kind: CareKind;
  dueOn: string;
  action?: CareAction | undefined;
  language: string;
  clinic: CareClinic;
  patient: Pick<Patient, 'firstName'>;
  /** The zone the due date is read in (the patient's, else the clinic's). */
  zone: string;
}

function valuesFor(input: CareRenderInput, language: string, channel: Channel): TemplateValues {
  const { clinic, action } = input;
  const due = DateTime.fromISO(input.dueOn, { zone: input.zone }).set({ hour: 12 }).setLocale(language);
  return {
    firstName: input.patient.firstName,
    clinicName: channel === 'sms' ? smsNameOf(clinic) : clinic.name,
    clinicPhone: formatContactPhone(action?.phone ?? clinic.contactPhone, clinic.country),
    localDate: localDateAndTime(due, channel).localDate,
    localTime: '',
    location: '',
    // The link's slot: the one variable the guard may leave out of a text that would not fit.
    videoLink: action?.url ?? '',
    replyInstructions: '',
    stopText: '',
    reviewLink: '',
  };
}

function textsOf(kind: CareKind, language: string): { language: string; text: CareText } {
  const found = lookupLanguage(CARE_TEXTS[kind], language);
  return found ? { language, text: found } : { language: 'en', text: CARE_TEXTS[kind].en };
}

function renderText(source: string, values: TemplateValues): string {
  const { nodes } = parseTemplate(source);
  return nodes
    .map((node) => (node.type === 'text' ? node.text : node.type === 'variable' ? values[node.name] : ''))
    .join('');
}

function renderWithSections(source: string, values: TemplateValues): string {
  const fitted = fitSms(parseTemplate(source).nodes, values, Number.POSITIVE_INFINITY, {
    keepFirstName: true,
  });
  return fitted.text;
}

/**
 * A care reminder's SMS, fitted to the clinic's budget for exempt texts
 * (a long first name is shortened as for any text).
 *
 * @param input - kind, due date, action, language, clinic, patient and zone
 */
export function renderCareSms(input: CareRenderInput): FittedSms {
  const { language, text } = textsOf(input.kind, input.language);
  return fitSms(
    parseTemplate(text.sms).nodes,
    valuesFor(input, language, 'sms'),
    segmentBudgetFor(input.clinic.policy, 'care-reminder'),
  );
}

/**
 * A care reminder's email: the kind's subject, what is due, how to act, and
 * how to stop these emails.
 *
 * @param input - kind, due date, action, language, clinic, patient and zone
 */
export function renderCareEmail(input: CareRenderInput): { subject: string; text: string } {
  const { language, text } = textsOf(input.kind, input.language);
  const values = valuesFor(input, language, 'email');
  const frame = lookupLanguage(EMAIL_FRAME, language) ?? EMAIL_FRAME.en;
  const call = language.startsWith('es') ? CALL_EMAIL_ES : CALL_EMAIL_EN;
  const body = [
    renderText(frame.greeting, values),
    '',
    renderText(text.emailLead, values),
    renderWithSections(call, values),
    '',
    values.clinicName,
    formatContactPhone(input.clinic.contactPhone, input.clinic.country),
    '',
    renderText(frame.stop, {
      ...values,
      clinicPhone: formatContactPhone(input.clinic.contactPhone, input.clinic.country),
    }),
    '',
  ].join('\n');
  return { subject: renderText(text.emailSubject, values), text: body };
}

/**
 * The save-time check of a care reminder's wording: with its action (a
 * number of its own, a link), the text of its kind must still fit one part
 * in every language the clinic offers, with the clinic's own name, a
 * first name of FIRST_NAME_BOUND characters kept whole and the language's
 * longest date. A link or number that would not fit is an issue on
 * `action.url` or `action.phone`.
 *
 * @param fields - the kind and action
 * @param clinic - the clinic (name, number, languages, budget)
 */
export function checkCareWording(
  fields: { kind: CareKind; action?: CareAction | undefined },
  clinic: CareClinic,
): FieldIssue[] {
  if (!fields.action) return [];
  const path = fields.action.url !== undefined ? 'action.url' : 'action.phone';
  const budget = segmentBudgetFor(clinic.policy, 'care-reminder');
  const firstName = WORST_CASE_SAMPLES.firstName.slice(0, FIRST_NAME_BOUND);
  for (const wanted of clinic.policy.languages) {
    const { language, text } = textsOf(fields.kind, wanted);
    const values = {
      ...valuesFor(
        { ...fields, dueOn: '2030-01-01', language, clinic, patient: { firstName }, zone: 'UTC' },
        language,
        'sms',
      ),
      localDate: longestDateAndTime(language).localDate,
    };
    const fitted = fitSms(parseTemplate(text.sms).nodes, values, budget, { keepFirstName: true });
    if (!fitted.fits || fitted.shortened.length > 0) {
      return [
        {
          path,
          message:
            `is too long for the ${fields.kind} text in ${language} to fit ${budget} SMS part(s) with the ` +
            `clinic's name and a ${FIRST_NAME_BOUND}-character first name (${fitted.count.units} characters)`,
        },
      ];
    }
  }
  return [];
}
