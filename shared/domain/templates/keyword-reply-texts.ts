/**
 * The automatic answers to a patient's text (kind `keyword-reply`), as data:
 * which answers exist, the variables each may show, and the built-in
 * wording in English and Spanish. Rendering is renderKeywordReply (render.ts).
 *
 * Rules the built-in answers keep (the tests check each): one GSM-7 part of
 * 160 characters with worst-case values (a 20-character SMS name, a
 * 16-character number, the longest date and time of the language); they
 * name the clinic and give its number; HELP says what the program is, "Msg
 * frequency varies", "Msg & data rates may apply" and how to opt out
 * (CTIA); the STOP answer says no more texts will come and how to
 * resubscribe; no answer shows a first name (the number may belong to no
 * known patient, or to a family).
 */
import { type ByLanguage, REPLY_KEYWORDS } from './builtin';
import type { TemplateVariable } from './syntax';

/**
 * Every automatic answer, by what the inbound handler decided:
 * - `help`: HELP, INFO, AYUDA;
 * - `opted-out`: the one confirmation of an opt-out;
 * - `opted-in`: START after an opt-out;
 * - `confirmed`: a confirm that applied (shows the visit);
 * - `confirm-cancelled`, `confirm-moved` (shows the visit's new time),
 *   `confirm-past`, `confirm-no-visit`: a confirm that did not apply;
 * - `reschedule-requested`: R; staff will be in touch;
 * - `cancel-requested`: "cancel my appointment" (a reply never cancels by itself);
 * - `refill-requested`: a confirm (C, YES) to a refill reminder: staff arrange it (nothing is ordered by itself);
 * - `received`: free text for staff;
 * - `survey-thanks`: a score; `survey-follow-up`: a detractor's score, asking
 *   what could have been better (and a passive's, when the clinic asks them);
 *   `survey-review`: a promoter's score, with the clinic's review link.
 */
export const KEYWORD_REPLY_TEXTS = [
  'help',
  'opted-out',
  'opted-in',
  'confirmed',
  'confirm-cancelled',
  'confirm-moved',
  'confirm-past',
  'confirm-no-visit',
  'reschedule-requested',
  'cancel-requested',
  'refill-requested',
  'received',
  'survey-thanks',
  'survey-follow-up',
  'survey-review',
] as const;
export type KeywordReplyText = (typeof KEYWORD_REPLY_TEXTS)[number];

/** Every answer may show the clinic and its number; two also show a visit's date and time. */
const BASE: readonly TemplateVariable[] = ['clinicName', 'clinicPhone'];
const WITH_VISIT: readonly TemplateVariable[] = [...BASE, 'localDate', 'localTime'];

/** The variables each answer may use (a clinic's own wording is held to the same). */
export const KEYWORD_REPLY_VARIABLES: Record<KeywordReplyText, readonly TemplateVariable[]> = {
  help: BASE,
  'opted-out': BASE,
  'opted-in': BASE,
  confirmed: WITH_VISIT,
  'confirm-cancelled': BASE,
  'confirm-moved': WITH_VISIT,
  'confirm-past': BASE,
  'confirm-no-visit': BASE,
  'reschedule-requested': BASE,
  'cancel-requested': BASE,
  'refill-requested': BASE,
  received: BASE,
  'survey-thanks': BASE,
  'survey-follow-up': BASE,
  'survey-review': [...BASE, 'reviewLink'],
};

const { optOut: STOP, optIn: START } = REPLY_KEYWORDS;

/** Built-in answers by reply and language. */
export const KEYWORD_REPLIES: Record<KeywordReplyText, ByLanguage<string>> = {
  help: {
    en: `{{clinicName}}: appointment texts. Help: {{clinicPhone}}. Msg frequency varies. Msg & data rates may apply. Reply ${STOP} to opt out.`,
    es: `{{clinicName}}: avisos de citas. Ayuda: {{clinicPhone}}. Frecuencia variable. Pueden aplicarse tarifas de mensajes y datos. ${STOP} para darse de baja.`,
  },
  'opted-out': {
    en: `{{clinicName}}: You are unsubscribed and will get no more texts from us. Reply ${START} to resubscribe. Help: {{clinicPhone}}`,
    es: `{{clinicName}}: Se ha dado de baja y no le enviaremos mensajes nuevos. Responda ${START} para volver a recibirlos. Ayuda: {{clinicPhone}}`,
  },
  'opted-in': {
    en: `{{clinicName}}: You will get appointment texts again. Msg frequency varies. Msg & data rates may apply. Reply ${STOP} to opt out. Help: {{clinicPhone}}`,
    es: `{{clinicName}}: Avisos de citas activados. Frecuencia variable. Pueden aplicarse tarifas de mensajes y datos. Ayuda: {{clinicPhone}}. Baja: ${STOP}.`,
  },
  confirmed: {
    en: '{{clinicName}}: Thank you, your visit on {{localDate}} at {{localTime}} is confirmed. Questions: {{clinicPhone}}',
    es: '{{clinicName}}: Gracias, su cita del {{localDate}} a las {{localTime}} queda confirmada. Dudas: {{clinicPhone}}',
  },
  'confirm-cancelled': {
    en: '{{clinicName}}: That visit was cancelled, so there is nothing to confirm. To book again, call {{clinicPhone}}',
    es: '{{clinicName}}: Esa cita fue cancelada; no hay nada que confirmar. Para otra cita, llame al {{clinicPhone}}',
  },
  'confirm-moved': {
    en: '{{clinicName}}: That visit has moved to {{localDate}} at {{localTime}}, so it was not confirmed. Questions: {{clinicPhone}}',
    es: '{{clinicName}}: Esa cita ahora es el {{localDate}} a las {{localTime}}; no se ha confirmado. Dudas: {{clinicPhone}}',
  },
  'confirm-past': {
    en: '{{clinicName}}: That visit has already taken place, so there is nothing to confirm. To book again, call {{clinicPhone}}',
    es: '{{clinicName}}: Esa cita ya tuvo lugar; no hay nada que confirmar. Para otra cita, llame al {{clinicPhone}}',
  },
  'confirm-no-visit': {
    en: '{{clinicName}}: We could not find an upcoming visit to confirm. Questions: {{clinicPhone}}',
    es: '{{clinicName}}: No encontramos una cita pendiente que confirmar. Dudas: {{clinicPhone}}',
  },
  'reschedule-requested': {
    en: '{{clinicName}}: Thank you, we will contact you to find a new time for your visit. Questions: {{clinicPhone}}',
    es: '{{clinicName}}: Gracias, le contactaremos para buscar otra hora para su cita. Dudas: {{clinicPhone}}',
  },
  'cancel-requested': {
    en: '{{clinicName}}: We got your request. Your visit stays booked until we contact you about it. Questions: {{clinicPhone}}',
    es: '{{clinicName}}: Recibimos su solicitud. Su cita sigue en pie hasta que le contactemos. Dudas: {{clinicPhone}}',
  },
  'refill-requested': {
    en: '{{clinicName}}: Thank you, we got your refill request. Our staff will contact you about it. Questions: {{clinicPhone}}',
    es: '{{clinicName}}: Gracias, recibimos su pedido de receta. Le contactaremos para tramitarlo. Dudas: {{clinicPhone}}',
  },
  received: {
    en: '{{clinicName}}: Thank you, we got your message and our staff will read it. If it is urgent, call {{clinicPhone}}',
    es: '{{clinicName}}: Gracias, recibimos su mensaje y lo revisaremos pronto. Si es urgente, llame al {{clinicPhone}}',
  },
  'survey-thanks': {
    en: '{{clinicName}}: Thank you for your answer. Questions: {{clinicPhone}}',
    es: '{{clinicName}}: Gracias por su respuesta. Dudas: {{clinicPhone}}',
  },
  'survey-follow-up': {
    en: '{{clinicName}}: Thank you for your answer. What could we have done better? Reply in a few words or call {{clinicPhone}}',
    es: '{{clinicName}}: Gracias por su respuesta. ¿Qué podemos mejorar? Responda en pocas palabras o llame al {{clinicPhone}}',
  },
  'survey-review': {
    en: '{{clinicName}}: Thank you! Your review helps others find us: {{reviewLink}} Questions: {{clinicPhone}}',
    es: '{{clinicName}}: Gracias! Su opinion ayuda a otros: {{reviewLink}} Dudas: {{clinicPhone}}',
  },
};
