/**
 * Built-in wording, as data. A language is added by adding its entries here
 * (or, for one clinic, through `policy.templates`).
 *
 * Rules the built-in SMS texts keep (the tests check each):
 * - they name the clinic and its contact number and say how to opt out;
 * - the exempt kinds (confirmation, reminder, reschedule, cancellation) fit
 *   one GSM-7 part, 160 characters, with worst-case values: a clinic SMS name
 *   of 20 characters (SMS_NAME_MAX), a first name of 12 (FIRST_NAME_BOUND;
 *   the render-time guard shortens longer ones), the longest date and time
 *   of the language and a contact number of 16; a place is shown when it
 *   fits and left out when it does not;
 * - the survey fits one part too, although its budget is 3;
 * - they use only GSM-7 characters, so a Spanish text costs the same as an
 *   English one (Spanish `é`, `ñ`, `¿`, `¡` are GSM-7; `á`, `í`, `ó`, `ú` are
 *   not, so the SMS wording avoids words that need them);
 * - the words they ask the patient to reply are those of REPLY_KEYWORDS;
 * - they show no diagnosis, procedure, provider, appointment type or last
 *   name (the variables do not exist; see syntax.ts).
 *
 * Emails have no segment budget and use full Unicode.
 */
import type { Channel, Clinic, MessageKind, MessagingPolicy, TemplateText } from '../model';
import { SCALE_RANGE } from '../surveys';

/** Kinds whose text comes from a template; broadcasts and staff replies carry staff-written text, keyword replies are below. */
export const TEMPLATE_KINDS = ['confirmation', 'reminder', 'reschedule', 'cancellation', 'survey'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

/**
 * True for the message kinds that are rendered from a template.
 *
 * @param kind - a message kind
 */
export function isTemplateKind(kind: MessageKind): kind is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(kind);
}

/**
 * What the built-in texts ask patients to reply, in every language: the
 * single source of those promises. The reply grammar must read each as the
 * intent it is named after (its tests check against this object), and no
 * built-in text asks for a word that is not here.
 */
export const REPLY_KEYWORDS = {
  confirm: 'C',
  reschedule: 'R',
  optOut: 'STOP',
  optIn: 'START',
  help: 'HELP',
  /** A survey answer: a whole number from `min` to `max` (Net Promoter Score, the default scale). */
  surveyScale: SCALE_RANGE.nps,
  /** The same for a clinic whose survey is CSAT (`policy.survey.scale: csat`). */
  csatScale: SCALE_RANGE.csat,
  /** The same scale as the patient types it: `"0"` … `"10"`. */
  surveyScores: Array.from({ length: 11 }, (_, score) => String(score)),
} as const;

/** Entries by language tag; English is always there, so every lookup has a last resort. */
export type ByLanguage<T> = { en: T } & Record<string, T>;

/**
 * Phrases that fill `{{replyInstructions}}` and `{{stopText}}` in a clinic's
 * own templates; `{phone}` is replaced by the clinic's formatted contact number.
 */
export interface Phrases {
  replyInstructions: Record<TemplateKind, Record<Channel, string>>;
  /** `{{replyInstructions}}` of the survey when the clinic's scale is CSAT. */
  csatSurveyInstructions: Record<Channel, string>;
  stopText: Record<Channel, string>;
}

const { confirm: C, reschedule: R, optOut: STOP } = REPLY_KEYWORDS;
const SCALE = `${REPLY_KEYWORDS.surveyScale.min}-${REPLY_KEYWORDS.surveyScale.max}`;
const CSAT = `${REPLY_KEYWORDS.csatScale.min}-${REPLY_KEYWORDS.csatScale.max}`;

// One sentence for the three answers: shorter than two, and one part is 160 characters.
const ANSWER_SMS_EN = `Reply ${C} to confirm, ${R} to reschedule, ${STOP} to opt out.`;
const ANSWER_SMS_ES = `Responda ${C} (confirmar), ${R} (cambiar) o ${STOP} (baja).`;
const PLACE_SMS_EN =
  '{{#location}}, {{location}}{{/location}}{{#videoLink}}. Video: {{videoLink}}{{/videoLink}}';
const PLACE_SMS_ES =
  '{{#location}}, {{location}}{{/location}}{{#videoLink}}. Enlace: {{videoLink}}{{/videoLink}}';

const PLACE_EMAIL_EN =
  '{{#location}}Where: {{location}}\n{{/location}}{{#videoLink}}Video link: {{videoLink}}\n{{/videoLink}}';
const PLACE_EMAIL_ES =
  '{{#location}}Lugar: {{location}}\n{{/location}}{{#videoLink}}Enlace de video: {{videoLink}}\n{{/videoLink}}';
const SIGNATURE = '\n{{replyInstructions}}\n\n{{clinicName}}\n{{clinicPhone}}\n\n{{stopText}}\n';

/** Built-in templates by kind and language. */
export const BUILT_IN_TEMPLATES: Record<TemplateKind, ByLanguage<TemplateText>> = {
  confirmation: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, you are booked for {{localDate}} at {{localTime}}${PLACE_SMS_EN}. ${ANSWER_SMS_EN} Call {{clinicPhone}}`,
      emailSubject: 'Your visit at {{clinicName}} on {{localDate}}',
      emailBody: `Hi {{firstName}},\n\nYour visit at {{clinicName}} is booked for {{localDate}} at {{localTime}}.\n${PLACE_EMAIL_EN}${SIGNATURE}`,
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, su cita es el {{localDate}} a las {{localTime}}${PLACE_SMS_ES}. ${ANSWER_SMS_ES} Tel. {{clinicPhone}}`,
      emailSubject: 'Su cita en {{clinicName}} el {{localDate}}',
      emailBody: `Hola {{firstName}}:\n\nSu cita en {{clinicName}} está reservada para el {{localDate}} a las {{localTime}}.\n${PLACE_EMAIL_ES}${SIGNATURE}`,
    },
  },
  reminder: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, your visit is {{localDate}} at {{localTime}}${PLACE_SMS_EN}. ${ANSWER_SMS_EN} Call {{clinicPhone}}`,
      emailSubject: 'Reminder: your visit at {{clinicName}} on {{localDate}}',
      emailBody: `Hi {{firstName}},\n\nThis is a reminder of your visit at {{clinicName}} on {{localDate}} at {{localTime}}.\n${PLACE_EMAIL_EN}${SIGNATURE}`,
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, recuerde su cita del {{localDate}} a las {{localTime}}${PLACE_SMS_ES}. ${ANSWER_SMS_ES} Tel. {{clinicPhone}}`,
      emailSubject: 'Recordatorio: su cita en {{clinicName}} el {{localDate}}',
      emailBody: `Hola {{firstName}}:\n\nLe recordamos su cita en {{clinicName}} el {{localDate}} a las {{localTime}}.\n${PLACE_EMAIL_ES}${SIGNATURE}`,
    },
  },
  reschedule: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, your visit moved to {{localDate}} at {{localTime}}${PLACE_SMS_EN}. ${ANSWER_SMS_EN} Call {{clinicPhone}}`,
      emailSubject: 'Your visit at {{clinicName}} has moved',
      emailBody: `Hi {{firstName}},\n\nYour visit at {{clinicName}} has moved to {{localDate}} at {{localTime}}.\n${PLACE_EMAIL_EN}${SIGNATURE}`,
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, su cita cambia al {{localDate}} a las {{localTime}}${PLACE_SMS_ES}. ${ANSWER_SMS_ES} Tel. {{clinicPhone}}`,
      emailSubject: 'Su cita en {{clinicName}} ha cambiado',
      emailBody: `Hola {{firstName}}:\n\nSu cita en {{clinicName}} ha cambiado al {{localDate}} a las {{localTime}}.\n${PLACE_EMAIL_ES}${SIGNATURE}`,
    },
  },
  cancellation: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, your visit on {{localDate}} at {{localTime}} is cancelled. To book again, call {{clinicPhone}}. Reply ${STOP} to opt out.`,
      emailSubject: 'Your visit at {{clinicName}} has been cancelled',
      emailBody: `Hi {{firstName}},\n\nYour visit at {{clinicName}} on {{localDate}} at {{localTime}} has been cancelled.\n${SIGNATURE}`,
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, su cita del {{localDate}} a las {{localTime}} fue cancelada. Para otra cita: {{clinicPhone}}. Responda ${STOP} para darse de baja.`,
      emailSubject: 'Su cita en {{clinicName}} ha sido cancelada',
      emailBody: `Hola {{firstName}}:\n\nSu cita en {{clinicName}} del {{localDate}} a las {{localTime}} ha sido cancelada.\n${SIGNATURE}`,
    },
  },
  survey: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, how likely are you to recommend {{clinicName}} to a friend or family? Reply ${SCALE}. Call {{clinicPhone}}. ${STOP} to opt out.`,
      emailSubject: 'How was your visit to {{clinicName}}?',
      emailBody: `Hi {{firstName}},\n\nThank you for your visit to {{clinicName}}. How likely are you to recommend us to a friend or family, on a scale from ${REPLY_KEYWORDS.surveyScale.min} (not at all) to ${REPLY_KEYWORDS.surveyScale.max} (very likely)?\n${SIGNATURE}`,
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, ¿qué tan probable es que recomiende {{clinicName}} a un amigo o familiar? Responda ${SCALE}. Tel. {{clinicPhone}}. ${STOP} para darse de baja.`,
      emailSubject: '¿Qué tal fue su visita a {{clinicName}}?',
      emailBody: `Hola {{firstName}}:\n\nGracias por su visita a {{clinicName}}. Del ${REPLY_KEYWORDS.surveyScale.min} (nada probable) al ${REPLY_KEYWORDS.surveyScale.max} (muy probable), ¿con qué probabilidad nos recomendaría a un amigo o familiar?\n${SIGNATURE}`,
    },
  },
};

/** The built-in survey for a clinic whose scale is CSAT (1–5): the same rules as the others. */
export const BUILT_IN_CSAT_SURVEY: ByLanguage<TemplateText> = {
  en: {
    sms: `{{clinicName}}: Hi {{firstName}}, how satisfied were you with your visit? Reply ${CSAT} (5 = very satisfied). Call {{clinicPhone}}. ${STOP} to opt out.`,
    emailSubject: 'How was your visit to {{clinicName}}?',
    emailBody: `Hi {{firstName}},\n\nThank you for your visit to {{clinicName}}. How satisfied were you, on a scale from ${REPLY_KEYWORDS.csatScale.min} (not at all) to ${REPLY_KEYWORDS.csatScale.max} (very satisfied)?\n${SIGNATURE}`,
  },
  es: {
    sms: `{{clinicName}}: Hola {{firstName}}, ¿qué nota le da a su visita? Responda de ${REPLY_KEYWORDS.csatScale.min} a ${REPLY_KEYWORDS.csatScale.max} (5 = excelente). Tel. {{clinicPhone}}. ${STOP} para darse de baja.`,
    emailSubject: '¿Qué tal fue su visita a {{clinicName}}?',
    emailBody: `Hola {{firstName}}:\n\nGracias por su visita a {{clinicName}}. Del ${REPLY_KEYWORDS.csatScale.min} (nada satisfecho) al ${REPLY_KEYWORDS.csatScale.max} (muy satisfecho), ¿qué tan satisfecho quedó con su visita?\n${SIGNATURE}`,
  },
};

/**
 * The built-in wording of a kind for a clinic's policy: the survey asks for
 * the clinic's scale (NPS 0–10 by default, or CSAT 1–5).
 *
 * @param policy - the clinic's policy (its survey scale)
 * @param kind - the template kind
 */
export function builtInTemplatesFor(
  policy: Pick<MessagingPolicy, 'survey'>,
  kind: TemplateKind,
): ByLanguage<TemplateText> {
  return kind === 'survey' && policy.survey.scale === 'csat'
    ? BUILT_IN_CSAT_SURVEY
    : BUILT_IN_TEMPLATES[kind];
}

/** Built-in phrases by language. */
export const BUILT_IN_PHRASES: ByLanguage<Phrases> = {
  en: {
    replyInstructions: {
      confirmation: {
        sms: `Reply ${C} to confirm, ${R} to reschedule.`,
        email: 'To confirm or change your visit, call us at {phone}.',
      },
      reminder: {
        sms: `Reply ${C} to confirm, ${R} to reschedule.`,
        email: 'To confirm or change your visit, call us at {phone}.',
      },
      reschedule: {
        sms: `Reply ${C} to confirm, ${R} to ask for another time.`,
        email: 'If the new time does not suit you, call us at {phone}.',
      },
      cancellation: {
        sms: 'To book again, call {phone}.',
        email: 'To book again, call us at {phone}.',
      },
      survey: {
        sms: `Reply ${SCALE} (10 = very likely).`,
        email: 'We would like to hear from you: call us at {phone}.',
      },
    },
    csatSurveyInstructions: {
      sms: `Reply ${CSAT} (5 = very satisfied).`,
      email: 'We would like to hear from you: call us at {phone}.',
    },
    stopText: {
      sms: `Reply ${STOP} to opt out.`,
      email: 'To stop these emails, call us at {phone}.',
    },
  },
  es: {
    replyInstructions: {
      confirmation: {
        sms: `Responda ${C} para confirmar o ${R} para cambiarla.`,
        email: 'Para confirmar o cambiar su cita, llámenos al {phone}.',
      },
      reminder: {
        sms: `Responda ${C} para confirmar o ${R} para cambiarla.`,
        email: 'Para confirmar o cambiar su cita, llámenos al {phone}.',
      },
      reschedule: {
        sms: `Responda ${C} para confirmar o ${R} para pedir otra hora.`,
        email: 'Si la nueva hora no le conviene, llámenos al {phone}.',
      },
      cancellation: {
        sms: 'Para pedir otra cita, llame al {phone}.',
        email: 'Para pedir otra cita, llámenos al {phone}.',
      },
      survey: {
        sms: `Responda de ${REPLY_KEYWORDS.surveyScale.min} a ${REPLY_KEYWORDS.surveyScale.max} (10 = muy probable).`,
        email: 'Nos gustaría conocer su opinión: llámenos al {phone}.',
      },
    },
    csatSurveyInstructions: {
      sms: `Responda de ${REPLY_KEYWORDS.csatScale.min} a ${REPLY_KEYWORDS.csatScale.max} (5 = muy satisfecho).`,
      email: 'Nos gustaría conocer su opinión: llámenos al {phone}.',
    },
    stopText: {
      sms: `Responda ${STOP} para darse de baja.`,
      email: 'Si no desea recibir más correos, llámenos al {phone}.',
    },
  },
};

/**
 * Finds the entry for a language tag: exact (`pt-BR`), then its primary
 * subtag (`pt`).
 *
 * @param entries - entries keyed by language tag
 * @param language - the wanted language
 */
export function lookupLanguage<T>(
  entries: Readonly<Record<string, T>> | undefined,
  language: string,
): T | undefined {
  if (!entries) return undefined;
  return entries[language] ?? entries[language.split('-')[0] ?? language];
}

/**
 * The clinic's name as its texts show it: `smsName`, else `name`.
 *
 * @param clinic - the clinic
 */
export function smsNameOf(clinic: Pick<Clinic, 'name' | 'smsName'>): string {
  return clinic.smsName ?? clinic.name;
}
