/**
 * Built-in wording, as data. A language is added by adding its entries here
 * (or, for one clinic, through `policy.templates`).
 *
 * Rules the built-in SMS texts keep (the tests check each):
 * - they name the clinic and its contact number and say how to opt out;
 * - they use only GSM-7 characters, so a Spanish text costs the same as an
 *   English one (Spanish `é`, `ñ`, `¿`, `¡` are GSM-7; `á`, `í`, `ó`, `ú` are
 *   not, so the SMS wording avoids words that need them);
 * - they fit the default budget of 3 segments with the worst-case sample
 *   values of validate.ts;
 * - they show no diagnosis, procedure, provider, appointment type or last
 *   name (the variables do not exist; see syntax.ts).
 *
 * Emails have no segment budget and use full Unicode.
 */
import type { Channel, MessageKind, TemplateText } from '../model';

/** Kinds whose text comes from a template; broadcasts carry staff-written text, keyword replies are below. */
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
 * The letters a patient texts back. The inbound handler must accept exactly
 * these, since the built-in reply instructions promise them.
 */
export const REPLY_KEYWORDS = {
  confirm: 'C',
  reschedule: 'R',
  surveyScores: ['1', '2', '3', '4', '5'],
} as const;

/** Entries by language tag; English is always there, so every lookup has a last resort. */
export type ByLanguage<T> = { en: T } & Record<string, T>;

/**
 * Phrases that fill `{{replyInstructions}}` and `{{stopText}}`; `{phone}` is
 * replaced by the clinic's formatted contact number.
 */
export interface Phrases {
  replyInstructions: Record<TemplateKind, Record<Channel, string>>;
  stopText: Record<Channel, string>;
}

const PLACE_SMS_EN =
  '{{#location}}, {{location}}{{/location}}{{#videoLink}}. Video: {{videoLink}}{{/videoLink}}';
const PLACE_SMS_ES =
  '{{#location}}, {{location}}{{/location}}{{#videoLink}}. Enlace: {{videoLink}}{{/videoLink}}';
const CLOSE_SMS_EN = ' {{replyInstructions}} Questions: {{clinicPhone}}. {{stopText}}';
const CLOSE_SMS_ES = ' {{replyInstructions}} Dudas: {{clinicPhone}}. {{stopText}}';

const PLACE_EMAIL_EN =
  '{{#location}}Where: {{location}}\n{{/location}}{{#videoLink}}Video link: {{videoLink}}\n{{/videoLink}}';
const PLACE_EMAIL_ES =
  '{{#location}}Lugar: {{location}}\n{{/location}}{{#videoLink}}Enlace de video: {{videoLink}}\n{{/videoLink}}';
const SIGNATURE = '\n{{replyInstructions}}\n\n{{clinicName}}\n{{clinicPhone}}\n\n{{stopText}}\n';

/** Built-in templates by kind and language. */
export const BUILT_IN_TEMPLATES: Record<TemplateKind, ByLanguage<TemplateText>> = {
  confirmation: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, your visit is booked for {{localDate}} at {{localTime}}${PLACE_SMS_EN}.${CLOSE_SMS_EN}`,
      emailSubject: 'Your visit at {{clinicName}} on {{localDate}}',
      emailBody: `Hi {{firstName}},\n\nYour visit at {{clinicName}} is booked for {{localDate}} at {{localTime}}.\n${PLACE_EMAIL_EN}${SIGNATURE}`,
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, su cita es el {{localDate}} a las {{localTime}}${PLACE_SMS_ES}.${CLOSE_SMS_ES}`,
      emailSubject: 'Su cita en {{clinicName}} el {{localDate}}',
      emailBody: `Hola {{firstName}}:\n\nSu cita en {{clinicName}} está reservada para el {{localDate}} a las {{localTime}}.\n${PLACE_EMAIL_ES}${SIGNATURE}`,
    },
  },
  reminder: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, a reminder of your visit on {{localDate}} at {{localTime}}${PLACE_SMS_EN}.${CLOSE_SMS_EN}`,
      emailSubject: 'Reminder: your visit at {{clinicName}} on {{localDate}}',
      emailBody: `Hi {{firstName}},\n\nThis is a reminder of your visit at {{clinicName}} on {{localDate}} at {{localTime}}.\n${PLACE_EMAIL_EN}${SIGNATURE}`,
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, le recordamos su cita del {{localDate}} a las {{localTime}}${PLACE_SMS_ES}.${CLOSE_SMS_ES}`,
      emailSubject: 'Recordatorio: su cita en {{clinicName}} el {{localDate}}',
      emailBody: `Hola {{firstName}}:\n\nLe recordamos su cita en {{clinicName}} el {{localDate}} a las {{localTime}}.\n${PLACE_EMAIL_ES}${SIGNATURE}`,
    },
  },
  reschedule: {
    en: {
      sms: `{{clinicName}}: Hi {{firstName}}, your visit has moved to {{localDate}} at {{localTime}}${PLACE_SMS_EN}.${CLOSE_SMS_EN}`,
      emailSubject: 'Your visit at {{clinicName}} has moved',
      emailBody: `Hi {{firstName}},\n\nYour visit at {{clinicName}} has moved to {{localDate}} at {{localTime}}.\n${PLACE_EMAIL_EN}${SIGNATURE}`,
    },
    es: {
      sms: `{{clinicName}}: Hola {{firstName}}, su cita ha cambiado al {{localDate}} a las {{localTime}}${PLACE_SMS_ES}.${CLOSE_SMS_ES}`,
      emailSubject: 'Su cita en {{clinicName}} ha cambiado',
      emailBody: `Hola {{firstName}}:\n\nSu cita en {{clinicName}} ha cambiado al {{localDate}} a las {{localTime}}.\n${PLACE_EMAIL_ES}${SIGNATURE}`,
    },
  },
  cancellation: {
    en: {
      sms: '{{clinicName}}: Hi {{firstName}}, your visit on {{localDate}} at {{localTime}} has been cancelled. {{replyInstructions}} {{stopText}}',
      emailSubject: 'Your visit at {{clinicName}} has been cancelled',
      emailBody: `Hi {{firstName}},\n\nYour visit at {{clinicName}} on {{localDate}} at {{localTime}} has been cancelled.\n${SIGNATURE}`,
    },
    es: {
      sms: '{{clinicName}}: Hola {{firstName}}, su cita del {{localDate}} a las {{localTime}} ha sido cancelada. {{replyInstructions}} {{stopText}}',
      emailSubject: 'Su cita en {{clinicName}} ha sido cancelada',
      emailBody: `Hola {{firstName}}:\n\nSu cita en {{clinicName}} del {{localDate}} a las {{localTime}} ha sido cancelada.\n${SIGNATURE}`,
    },
  },
  survey: {
    en: {
      sms: `{{clinicName}}: Thank you for your visit, {{firstName}}. How did it go?${CLOSE_SMS_EN}`,
      emailSubject: 'How was your visit to {{clinicName}}?',
      emailBody: `Hi {{firstName}},\n\nThank you for your visit to {{clinicName}}. How did it go?\n${SIGNATURE}`,
    },
    es: {
      sms: `{{clinicName}}: Gracias por su visita, {{firstName}}. ¿Qué tal le fue?${CLOSE_SMS_ES}`,
      emailSubject: '¿Qué tal fue su visita a {{clinicName}}?',
      emailBody: `Hola {{firstName}}:\n\nGracias por su visita a {{clinicName}}. ¿Qué tal le fue?\n${SIGNATURE}`,
    },
  },
};

/** Built-in phrases by language. */
export const BUILT_IN_PHRASES: ByLanguage<Phrases> = {
  en: {
    replyInstructions: {
      confirmation: {
        sms: `Reply ${REPLY_KEYWORDS.confirm} to confirm or ${REPLY_KEYWORDS.reschedule} to reschedule.`,
        email: 'To confirm or change your visit, call us at {phone}.',
      },
      reminder: {
        sms: `Reply ${REPLY_KEYWORDS.confirm} to confirm or ${REPLY_KEYWORDS.reschedule} to reschedule.`,
        email: 'To confirm or change your visit, call us at {phone}.',
      },
      reschedule: {
        sms: `Reply ${REPLY_KEYWORDS.confirm} to confirm or ${REPLY_KEYWORDS.reschedule} to ask for another time.`,
        email: 'If the new time does not suit you, call us at {phone}.',
      },
      cancellation: {
        sms: 'To book again, call {phone}.',
        email: 'To book again, call us at {phone}.',
      },
      survey: {
        sms: 'Reply with a score from 1 (poor) to 5 (great).',
        email: 'We would like to hear from you: call us at {phone}.',
      },
    },
    stopText: {
      sms: 'Reply STOP to opt out.',
      email: 'To stop these emails, call us at {phone}.',
    },
  },
  es: {
    replyInstructions: {
      confirmation: {
        sms: `Responda ${REPLY_KEYWORDS.confirm} para confirmar o ${REPLY_KEYWORDS.reschedule} para cambiarla.`,
        email: 'Para confirmar o cambiar su cita, llámenos al {phone}.',
      },
      reminder: {
        sms: `Responda ${REPLY_KEYWORDS.confirm} para confirmar o ${REPLY_KEYWORDS.reschedule} para cambiarla.`,
        email: 'Para confirmar o cambiar su cita, llámenos al {phone}.',
      },
      reschedule: {
        sms: `Responda ${REPLY_KEYWORDS.confirm} para confirmar o ${REPLY_KEYWORDS.reschedule} para pedir otra hora.`,
        email: 'Si la nueva hora no le conviene, llámenos al {phone}.',
      },
      cancellation: {
        sms: 'Para pedir otra cita, llame al {phone}.',
        email: 'Para pedir otra cita, llámenos al {phone}.',
      },
      survey: {
        sms: 'Responda con una nota del 1 (mala) al 5 (excelente).',
        email: 'Nos gustaría conocer su opinión: llámenos al {phone}.',
      },
    },
    stopText: {
      sms: 'Responda STOP para darse de baja.',
      email: 'Si no desea recibir más correos, llámenos al {phone}.',
    },
  },
};

/** Inbound keywords that get an automatic reply (the inbound handler maps synonyms onto these). */
export const REPLY_TO_KEYWORDS = ['HELP', 'STOP', 'START', 'CONFIRM'] as const;
export type ReplyKeyword = (typeof REPLY_TO_KEYWORDS)[number];

/**
 * Replies to inbound keywords (SMS only). They may use only `{{clinicName}}`
 * and `{{clinicPhone}}`: the reply goes out before anyone looks up which visit
 * the patient meant.
 */
export const KEYWORD_REPLIES: Record<ReplyKeyword, ByLanguage<string>> = {
  HELP: {
    en: '{{clinicName}} appointment texts. For help call {{clinicPhone}}. Reply STOP to opt out, START to opt back in. Msg & data rates may apply.',
    es: '{{clinicName}}: mensajes sobre sus citas. Ayuda: {{clinicPhone}}. Responda STOP para darse de baja o START para volver a recibirlos. Pueden aplicarse tarifas de mensajes y datos.',
  },
  STOP: {
    en: '{{clinicName}}: You have opted out and will get no more texts from us. Reply START to opt back in. Help: {{clinicPhone}}.',
    es: '{{clinicName}}: Se ha dado de baja; no le enviaremos mensajes nuevos. Responda START para volver a recibirlos. Ayuda: {{clinicPhone}}.',
  },
  START: {
    en: '{{clinicName}}: You will get appointment texts from us again. Reply STOP to opt out. Help: {{clinicPhone}}.',
    es: '{{clinicName}}: Le enviaremos de nuevo mensajes sobre sus citas. Responda STOP para darse de baja. Ayuda: {{clinicPhone}}.',
  },
  CONFIRM: {
    en: '{{clinicName}}: Thank you, your visit is confirmed. Questions: {{clinicPhone}}.',
    es: '{{clinicName}}: Gracias, su cita queda confirmada. Dudas: {{clinicPhone}}.',
  },
};
